"""The PostgreSQL search backend (issue 14): documents written in the data's own transaction, so
every app server agrees at once; the table rebuilt by ``tracker reindex`` while writes go on.

These tests build their apps with SEARCH_BACKEND=postgres themselves, so they run whenever the
suite runs on PostgreSQL (TRACKER_TEST_DB=postgres), whichever backend the other tests use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, select

from tracker import create_app, migrate
from tracker.cli import main
from tracker.config import ENVIRONMENT_KEYS
from tracker.db import get_engine
from tracker.models import Member, Proposal
from tracker.search import Facet, SearchRequest, create_backend, get_backend
from tracker.search.documents import UnitType
from tracker.search.postgres.backend import PostgresBackend
from tracker.services import oversight
from tracker.services.proposals import record_proposal
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import ANONYMOUS, Role, Viewer

STAFF = Viewer(Role.STAFF, user_id=None)
on_postgres = pytest.mark.skipif(
    os.environ.get("TRACKER_TEST_DB", "sqlite") != "postgres", reason="needs TRACKER_TEST_DB=postgres"
)


def _server(database: Any) -> Flask:
    """An app as one more server would run it: its own engine, pool and backend."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": database.url,
            "SEARCH_BACKEND": "postgres",
            "SEARCH_CHECK_ON_START": False,
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture
def servers(test_database: Any) -> Iterator[tuple[Flask, Flask]]:
    a, b = _server(test_database), _server(test_database)
    get_keeper(a).rebuild()  # the template may have been seeded with Whoosh searching
    yield a, b
    for app in (a, b):
        get_backend(app).close()
        get_engine(app).dispose()


def _count(app: Flask, text: str, viewer: Viewer = ANONYMOUS) -> int:
    return get_backend(app).count(text, viewer=viewer)


@on_postgres
def test_a_withhold_on_one_server_is_out_of_the_other_servers_public_search_at_once(servers) -> None:
    a, b = servers
    assert _count(b, "培训") == 3  # No. 2 and two policy documents
    before = get_backend(b).search(SearchRequest("培训", ANONYMOUS))
    assert "p1" in {g.key for g in before.groups}
    with Session(get_engine(a)) as session:
        oversight.withhold(
            session=session, proposal_id=1, actor=STAFF, reason="涉及企业商业信息", now=datetime.now(UTC)
        )
        session.commit()
    # no restart, no reindex, no wait: B reads the rows A's transaction committed
    assert _count(b, "培训") == 2
    after = get_backend(b).search(SearchRequest("培训", ANONYMOUS))
    assert "p1" not in {g.key for g in after.groups}
    # its units are out of the unit counts too (search_hit.published, the per-type indexes)
    assert after.total_units < before.total_units
    assert after.total_units == sum(f.count for f in after.facets[Facet.TYPE])
    assert _count(b, "培训", STAFF) == 3  # staff still find it


@on_postgres
def test_a_submit_on_one_server_is_found_by_staff_on_the_other_at_once(servers) -> None:
    a, b = servers
    assert _count(b, "夜班公交", STAFF) == 0
    with Session(get_engine(a)) as session:
        member = session.exec(select(Member)).first()
        proposal = record_proposal(
            session=session,
            text="建议：\n1．开通夜班公交线路，方便夜间出行。",
            title="关于开通夜班公交的建议",
            proposer=member,
            submitted_on=date.today(),
        )
        session.commit()  # recorded as submitted by its proposer
        pid = proposal.id
    found = get_backend(b).search(SearchRequest("夜班公交", STAFF)).groups
    assert [g.key for g in found] == [f"p{pid}"]
    assert found[0].facts.status == "submitted"
    assert _count(b, "夜班公交") == 0  # not public


@on_postgres
def test_a_rolled_back_change_never_reaches_the_table(servers) -> None:
    a, b = servers
    with Session(get_engine(a)) as session:
        proposal = session.get(Proposal, 1)
        proposal.title = "关于量子计算的建议"
        session.add(proposal)
        session.flush()
        session.rollback()
    assert _count(b, "量子计算", STAFF) == 0
    assert _count(b, "培训", STAFF) == 3


@on_postgres
def test_the_rows_are_written_before_the_commit_returns(servers) -> None:
    """Written in the committing transaction: a reader on another connection sees the new row and
    the new data together, never one without the other."""
    a, _b = servers
    engine = get_engine(a)
    with Session(engine) as session:
        proposal = session.get(Proposal, 1)
        proposal.title = "关于夜班公交的建议"
        session.add(proposal)
        session.flush()
        with engine.connect() as other:  # before the commit: neither is visible elsewhere
            assert (
                other.execute(sa.text("SELECT count(*) FROM search_unit WHERE title LIKE '%夜班%'")).scalar()
                == 0
            )
        session.commit()
    with engine.connect() as other:
        assert (
            other.execute(sa.text("SELECT title FROM search_unit WHERE key = 'p1'")).scalar()
            == "关于夜班公交的建议"
        )
        # one transaction wrote both: the proposal row's and the search row's transaction ids agree
        same = other.execute(
            sa.text(
                "SELECT (SELECT xmin::text FROM proposal WHERE id = 1) = "
                "(SELECT written_xid::text FROM search_unit WHERE key = 'p1')"
            )
        ).scalar()
        assert same is True


@on_postgres
def test_reindex_rebuilds_the_table_and_reports_it(servers) -> None:
    a, b = servers
    with get_engine(a).begin() as connection:
        for name in ("search_unit", "search_hit", "search_group"):  # the rows and their narrow copies
            connection.execute(sa.text(f"DELETE FROM {name} WHERE grp = 'p1'"))
    assert _count(b, "培训", STAFF) == 2
    state = get_backend(a).state()
    assert "p1" not in state.counts
    result = a.test_cli_runner().invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Reindexed 1 proposals and 4 reference documents:")
    assert _count(b, "培训", STAFF) == 3
    assert get_keeper(b).check() == "up to date"


def _indexes(app: Flask) -> dict[str, str]:
    with get_engine(app).connect() as connection:
        return dict(
            connection.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes "
                    "WHERE tablename IN ('search_unit', 'search_hit', 'search_group')"
                )
            ).all()
        )


@on_postgres
@pytest.mark.parametrize("procs", ["1", "2"])
def test_reindex_in_bulk_keeps_the_table_s_indexes_and_options(servers, procs: str) -> None:
    """The bulk rebuild fills a new table (analysis in ``procs`` processes) and swaps it in: the
    same rows, the same indexes by name and definition, the same table options."""
    a, b = servers
    before = _indexes(a)
    with get_engine(a).connect() as connection:
        rows = connection.execute(sa.text("SELECT key, tsv::text FROM search_unit ORDER BY key")).all()
        options = connection.execute(
            sa.text("SELECT reloptions FROM pg_class WHERE oid = 'search_unit'::regclass")
        ).scalar()
        old = connection.execute(sa.text("SELECT 'search_unit'::regclass::oid")).scalar()
    result = a.test_cli_runner().invoke(main, ["reindex", "--procs", procs])
    assert result.exit_code == 0, result.output
    assert _indexes(a) == before and "ix_search_unit_tsv" in before
    for name in ("search_unit", "search_hit", "search_group"):  # still primary keys, not mere indexes
        assert sa.inspect(get_engine(a)).get_pk_constraint(name)["name"] == f"{name}_pkey"
    with get_engine(a).connect() as connection:
        assert (
            connection.execute(sa.text("SELECT key, tsv::text FROM search_unit ORDER BY key")).all() == rows
        )
        assert (
            connection.execute(
                sa.text("SELECT reloptions FROM pg_class WHERE oid = 'search_unit'::regclass")
            ).scalar()
            == options
        )
        assert not sa.inspect(connection).has_table("search_unit_rebuild")
        # a new table, filled by COPY and indexed once, not the old one updated row by row
        assert connection.execute(sa.text("SELECT 'search_unit'::regclass::oid")).scalar() != old
    assert _count(b, "培训", STAFF) == 3
    assert get_keeper(b).check() == "up to date"


def _stored_units(app: Flask) -> list[dict[str, Any]]:
    with get_engine(app).connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM search_unit ORDER BY key")).mappings().all()
    return [{k: v for k, v in r.items() if k != "written_xid"} for r in rows]


@on_postgres
@pytest.mark.parametrize("procs", ["1", "2"])
def test_the_bulk_rebuild_stores_every_column_as_the_live_write_does(servers, procs: str) -> None:
    """The rebuild's workers format the COPY text themselves (issue 14): what it stores is what the
    live path's INSERT stores, column for column (facts, arrays, dates, vectors)."""
    a, _b = servers
    docs = list(get_keeper(a)._all())
    get_backend(a).index_documents(
        {d.group for d in docs}, lambda groups: [d for d in docs if d.group in groups]
    )
    live = _stored_units(a)
    assert len(live) == len(docs) > 10 and any(r["agencies"] for r in live) and live[0]["facts"]
    result = a.test_cli_runner().invoke(main, ["reindex", "--procs", procs])
    assert result.exit_code == 0, result.output
    assert _stored_units(a) == live


@on_postgres
def test_a_rebuild_keeps_what_a_writer_committed_while_it_ran(servers) -> None:
    """The rebuild read No. 2 before a writer changed it; the writer's rows are newer and stay."""
    a, b = servers
    keeper = get_keeper(a)
    stale = list(keeper._all())  # what the rebuild read: No. 2 still titled as seeded

    def documents() -> Iterator[Any]:
        with Session(get_engine(b)) as session:  # meanwhile, on the other server, a writer
            proposal = session.get(Proposal, 1)
            proposal.title = "关于夜班公交的建议"
            session.add(proposal)
            session.commit()
        yield from stale

    get_backend(a).rebuild(documents)
    assert [g.key for g in get_backend(b).search(SearchRequest("夜班公交", STAFF)).groups] == ["p1"]
    assert get_keeper(b).check() == "up to date"


@on_postgres
def test_a_rebuild_drops_the_rows_of_groups_that_are_gone(servers) -> None:
    a, _b = servers
    with get_engine(a).begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO search_unit SELECT 'p999', 'p999', type, position, title, body, anchor, reply_id, "
                "agency, history, fingerprint, facts, published, publish_at, number, meeting_id, year, "
                "category, status, agencies, outcomes, member_ids, agency_ids, date, tsv, tsv_summary "
                "FROM search_unit WHERE key = 'p1'"
            )
        )
    assert "p999" in get_backend(a).state().counts
    get_keeper(a).rebuild()
    assert "p999" not in get_backend(a).state().counts


@on_postgres
def test_similar_proposals_and_related_clauses(servers) -> None:
    a, _b = servers
    backend = get_backend(a)
    similar = backend.more_like_this(
        "扶持小微企业发展，加强创业培训，建设电子商务平台", viewer=ANONYMOUS, types={UnitType.PROPOSAL}
    )
    assert [s.facts.number for s in similar][:1] == [2]
    clauses = backend.more_like_this("加强中小企业培训", viewer=ANONYMOUS, types={UnitType.CLAUSE}, limit=3)
    assert clauses and all(c.units[0].type == UnitType.CLAUSE for c in clauses)


def test_the_backend_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ENVIRONMENT_KEYS["TRACKER_SEARCH_BACKEND"] == "SEARCH_BACKEND"
    backend = create_backend({"SEARCH_BACKEND": "postgres", "DATABASE_URL": "postgresql+psycopg://h/db"})
    assert isinstance(backend, PostgresBackend)


def test_the_postgres_backend_refuses_an_sqlite_database() -> None:
    with pytest.raises(ValueError, match="PostgreSQL DATABASE_URL"):
        create_backend({"SEARCH_BACKEND": "postgres", "DATABASE_URL": "sqlite:///x.db"})


def test_the_table_exists_only_on_postgresql(app: Flask) -> None:
    engine = get_engine(app)
    has_table = sa.inspect(engine).has_table("search_unit")
    assert has_table == (engine.dialect.name == "postgresql")
    assert migrate.current_revision(app) == migrate.head_revision(app)
    if has_table:
        with engine.connect() as connection:
            methods = dict(
                connection.execute(
                    sa.text(
                        "SELECT c.relname, am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_am am ON am.oid = c.relam WHERE i.indrelid = 'search_unit'::regclass"
                    )
                ).all()
            )
        assert methods["ix_search_unit_tsv"] == "gin"


# -- speed: what each search reads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ranked", "matched"),
    [
        ("培训", "('培训':A | '培训')", "'培训'"),
        ("融资 担保", "(('融资':A | '融资') & ('担保':A | '担保'))", "('融资' & '担保')"),
        ("融资 OR 担保", "('融资':A | '融资' | '担保':A | '担保')", "('融资' | '担保')"),
        ("培训 -补贴", "(('培训':A | '培训') & !(('补贴':A | '补贴')))", "('培训' & !('补贴'))"),
        ("tax*", "('tax':*A | 'tax':*)", "'tax':*"),
        # a scope alone stays weighted: it matches fewer units than the word unscoped
        ("标题:人才", "'人才':A", "'人才':A"),
        ("标题:人才 OR 培训", "('人才':A | '培训':A | '培训')", "('人才':A | '培训')"),
    ],
)
def test_rows_are_matched_by_the_query_without_the_title_boost(text: str, ranked: str, matched: str) -> None:
    from tracker.search.postgres.parse import parse, tsquery

    assert tsquery(parse(text)) == ranked
    assert tsquery(parse(text), match=True) == matched


def _statements(app: Flask, run: Any) -> list[str]:
    seen: list[str] = []
    engine = get_backend(app).engine

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


@on_postgres
@pytest.mark.parametrize("text", ["培训", "培训 -夜班"])  # by the groups' words; by the units
def test_a_search_reads_matches_through_the_gin_index_without_jit(servers, text: str) -> None:
    a, _b = servers
    request = SearchRequest(text, STAFF)
    statements = _statements(a, lambda: get_backend(a).search(request))
    settings = [s for s in statements if s.startswith("SET LOCAL")]
    query = "\n".join(s for s in statements if "search_unit" in s or "LIMIT %(candidates)s" in s)
    assert "SET LOCAL jit = off" in settings and "SET LOCAL enable_seqscan = off" in settings
    with get_backend(a).engine.connect() as connection:
        for setting in settings:
            connection.exec_driver_sql(setting)
        match, params = get_backend(a)._match("培训", STAFF, {})
        plan = "\n".join(
            connection.execute(
                sa.text(f"EXPLAIN SELECT m.key FROM search_unit m WHERE {' AND '.join(match)}"), params
            ).scalars()
        )
    assert "Bitmap Index Scan on ix_search_unit_tsv" in plan and "Seq Scan" not in plan
    # ts_rank is applied to a bounded set of candidates and to the page's units, never to every match
    assert query.count("ts_rank(") == 2 and "LIMIT %(candidates)s" in query


@on_postgres
def test_beyond_the_ranked_candidates_counts_facets_and_highlights_stay_exact(
    servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.search.postgres import backend as module

    a, _b = servers
    request = SearchRequest("培训", STAFF, page_size=100)
    exact = get_backend(a).search(request)
    assert exact.total >= 3
    monkeypatch.setattr(module, "RANK_CANDIDATES", 1)
    bounded = get_backend(a).search(request)
    assert (bounded.total, bounded.total_units, bounded.facets) == (
        exact.total,
        exact.total_units,
        exact.facets,
    )
    assert {g.key for g in bounded.groups} == {g.key for g in exact.groups}
    assert all(u.fragments or u.title.marked for g in bounded.groups for u in g.units)
    # the one candidate ranked is a unit with the word in its title: its group comes first
    assert any(u.title.marked for u in bounded.groups[0].units)


# words and ORs (the groups' vector), with facet, 案号 and type filters, for the public and for staff
BY_GROUPS = [
    ("培训", {}),
    ("培训 OR 担保", {}),
    ("担保 OR 贷款", {}),
    ("enterprises", {}),
    ("financ*", {}),
    ("培训", {"agency": ("镇海区经信局",)}),
    ("创业", {"status": ("replied",)}),
    ("培训", {"year": ("2011", "2012", "2013", "2014", "2015")}),
    ("培训", {"number": ("2",)}),
    ("夜班", {}),
]


def _summary(results: Any) -> tuple[Any, ...]:
    return (
        results.total,
        results.total_units,
        results.history_units,
        results.facets,
        results.page,
        [
            (g.key, g.unit_count, round(g.score, 6), [(u.key, round(u.score, 6)) for u in g.units])
            for g in results.groups
        ],
    )


@on_postgres
@pytest.mark.parametrize(("text", "filters"), BY_GROUPS)
@pytest.mark.parametrize("viewer", [ANONYMOUS, STAFF], ids=["public", "staff"])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_words_ored_give_by_the_groups_vector_what_the_units_give(
    servers, monkeypatch: pytest.MonkeyPatch, text: str, filters: dict, viewer: Viewer, sort: str
) -> None:
    """The same total, unit counts, facets, page, groups, units and scores, whether a search of
    words joined by OR is counted over the groups' vectors (migration 0024) or unit by unit."""
    from tracker.search import Sort
    from tracker.search.postgres import backend as module
    from tracker.search.postgres.parse import parse, tsquery

    a, _b = servers
    assert module.by_groups(tsquery(parse(text), match=True))
    statements = _statements(
        a, lambda: get_backend(a).search(SearchRequest(text, viewer, filters, Sort(sort)))
    )
    assert any("gv AS MATERIALIZED" in s for s in statements)  # the groups' path ran
    for page_size, page in ((100, 1), (1, 2)):
        request = SearchRequest(text, viewer, filters, Sort(sort), page=page, page_size=page_size)
        by_groups = get_backend(a).search(request)
        monkeypatch.setattr(module, "by_groups", lambda _q: False)
        by_units = get_backend(a).search(request)
        monkeypatch.undo()
        assert _summary(by_groups) == _summary(by_units)
    counted = get_backend(a).count(text, viewer=viewer, filters=filters)
    monkeypatch.setattr(module, "by_groups", lambda _q: False)
    assert counted == get_backend(a).count(text, viewer=viewer, filters=filters) == by_units.total
    monkeypatch.undo()
    if not filters and text != "夜班":  # not an agreement on nothing
        assert by_groups.total and by_groups.total_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("培训", True),
        ("培训 OR 担保", True),
        ("培训 OR 融资难", False),  # 融资难's finer cut is a phrase
        ("financ*", True),
        ("培训 创业", False),  # an AND is per passage
        ("培训 -高校", False),
        ('"服务与管理"', False),
        ("标题:培训", False),  # a scope is a weight the groups' vector does not keep
        ("信息化", False),  # its finer cut is a phrase
    ],
)
def test_which_queries_the_groups_vector_answers(text: str, expected: bool) -> None:
    from tracker.search.postgres.backend import by_groups
    from tracker.search.postgres.parse import parse, tsquery

    assert by_groups(tsquery(parse(text), match=True)) is expected


@on_postgres
def test_a_group_s_vector_holds_the_words_of_its_in_force_units_only(servers) -> None:
    """Written with the units in the same transaction: the union of the in-force units' words."""
    a, _b = servers
    with get_engine(a).connect() as connection:
        differing = connection.execute(
            sa.text(
                "SELECT g.grp FROM search_group g WHERE g.tsv IS DISTINCT FROM (SELECT coalesce("
                "array_to_tsvector(array_agg(DISTINCT u.lexeme)), '') FROM search_hit h, unnest(h.tsv) u "
                "WHERE h.grp = g.grp AND NOT h.history)"
            )
        ).all()
        groups = connection.execute(sa.text("SELECT count(*) FROM search_group WHERE tsv <> ''")).scalar()
    assert differing == [] and groups >= 5


def _vocabulary(app: Flask) -> dict[str, int]:
    with get_engine(app).connect() as connection:
        return dict(connection.execute(sa.text("SELECT word, ndoc FROM search_word")).all())


def _counted(app: Flask) -> dict[str, int]:
    with get_engine(app).connect() as connection:
        return dict(
            connection.execute(sa.text("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_unit')")).all()
        )


@on_postgres
@pytest.mark.parametrize("procs", ["1", "2"])
def test_a_rebuild_counts_the_vocabulary_exactly(servers, procs: str) -> None:
    a, _b = servers
    with get_engine(a).begin() as connection:  # out of step: a word gone, a count wrong, one missing
        connection.execute(sa.text("INSERT INTO search_word (word, ndoc) VALUES ('乌有之词', 5)"))
        connection.execute(sa.text("UPDATE search_word SET ndoc = 0 WHERE word = '培训'"))
        connection.execute(sa.text("DELETE FROM search_word WHERE word = '电子商务'"))
    result = a.test_cli_runner().invoke(main, ["reindex", "--procs", procs])
    assert result.exit_code == 0, result.output
    vocabulary = _vocabulary(a)
    assert vocabulary == _counted(a) and vocabulary["培训"] > 0 and "乌有之词" not in vocabulary


@on_postgres
def test_a_write_adds_its_new_words_to_the_vocabulary_at_once_on_every_server(servers) -> None:
    a, b = servers
    before = _vocabulary(a)
    assert "zeppelin" not in before and before["培训"] > 0
    with Session(get_engine(a)) as session:
        proposal = session.get(Proposal, 1)
        proposal.title = "关于 zeppelin 夜班公交的建议"
        session.add(proposal)
        session.commit()
    after = _vocabulary(b)
    assert after["zeppelin"] == 0  # added, not counted: existing rows are never touched by a write
    assert {w: n for w, n in after.items() if w in before} == before
    assert get_backend(b).spelling("zepelin") == "zeppelin"  # a server that has not read it before


@on_postgres
def test_a_word_whose_units_are_gone_is_never_offered(servers) -> None:
    from tracker.services.search import query_hints

    a, b = servers
    with Session(get_engine(a)) as session:
        proposal = session.get(Proposal, 1)
        proposal.title = "关于 zeppelin 的建议"
        session.add(proposal)
        session.commit()
        proposal.title = "关于夜班公交的建议"  # the word is gone from every unit, not from the table
        session.add(proposal)
        session.commit()
    assert "zeppelin" in _vocabulary(b) and _count(b, "zeppelin", STAFF) == 0
    assert all(h.text != "zeppelin" for h in query_hints("zepelin", backend=get_backend(b), viewer=STAFF))


@on_postgres
def test_spelling_reads_the_vocabulary_table_not_every_vector(servers) -> None:
    a, _b = servers
    statements = _statements(a, lambda: get_backend(a).spelling("finacing"))
    assert any("search_word" in s for s in statements)
    assert not any("ts_stat" in s for s in statements)
