"""PostgresBackend: the search documents in the search_unit table of the archive's database.

Writes. ``write_in_transaction`` is called by tracker.services.search_sync just before a session commits,
on the session's own connection: the changed groups are read as that transaction sees them and
their rows replaced, so they commit (or roll back) with the data, on every server at once. Each
group is locked first (a transaction-level advisory lock) and read after the lock, so of two
transactions touching one group the one committing last also read last. ``index_documents``
(the start-up check's repairs) does the same in a transaction of its own. A rebuild replaces rows
batch by batch while the archive stays searchable and writable; a row written by a transaction
the rebuild's starting snapshot does not see is newer than what the rebuild read, and is kept.

Reads. One statement per search: the matching units (tsvector @@ tsquery, through the GIN index,
ranked by ts_rank with the title weighted), the visibility rule and the 案号/group filters, then
facet counts (exact, each without its own filter), the page of groups and their best units.
Highlights are cut from the stored text by tracker.search.highlight, as the Whoosh backend does.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session

from tracker.domain.visibility import Role, Viewer
from tracker.search import (
    UNIT_FACETS,
    Facet,
    FacetCount,
    GroupHit,
    IndexState,
    Loader,
    SearchRequest,
    SearchResults,
    Similar,
    Sort,
    UnitHit,
    analysis,
    key_terms,
    marking,
)
from tracker.search.documents import SearchDocument, UnitType
from tracker.search.language import TEXT_FIELDS, normalize_query
from tracker.search.marking import Marks
from tracker.search.postgres import table
from tracker.search.postgres.parse import ALL, NONE, parse, parse_plain, tsquery

RANK_WEIGHTS = "{0.5,0.5,0.5,1.0}"  # D (body), C (office), B (proposer), A (title): the title counts double
RANK_NORMALIZATION = 1  # divided by 1 + log(length): a long text does not win by length alone
RANK_CANDIDATES = 1000  # units ranked by ts_rank per search (beyond them, by a cheap proxy)
SIMILAR_CACHE = 512
SIMILAR_POOL = 200  # units re-scored by BM25 after a first cut by the key terms they hold
BM25_K1, BM25_B = 1.2, 0.75  # Whoosh's defaults
SPELLING_TTL = 60.0  # seconds the vocabulary used for spelling hints is kept per process
MAINTENANCE_LOCK = 0x7472_6163_6B65_72  # pg_advisory_lock key of the start-up check and rebuilds

# facet -> SQL for its value(s) on a unit row ``m`` (an array for multi-valued ones)
FACET_VALUES = {
    Facet.SESSION: "m.meeting_id::text",
    Facet.YEAR: "m.year::text",
    Facet.CATEGORY: "m.category",
    Facet.AGENCY: "unnest(m.agencies)",
    Facet.OUTCOME: "unnest(m.outcomes)",
    Facet.STATUS: "m.status",
    Facet.TYPE: "m.type",
}
FACET_FILTERS = {
    Facet.SESSION: "m.meeting_id::text = ANY(CAST(:{p} AS text[]))",
    Facet.YEAR: "m.year::text = ANY(CAST(:{p} AS text[]))",
    Facet.CATEGORY: "m.category = ANY(CAST(:{p} AS text[]))",
    Facet.AGENCY: "m.agencies && CAST(:{p} AS text[])",
    Facet.OUTCOME: "m.outcomes && CAST(:{p} AS text[])",
    Facet.STATUS: "m.status = ANY(CAST(:{p} AS text[]))",
    Facet.TYPE: "m.type = ANY(CAST(:{p} AS text[]))",
}


# a unit ``m`` of a group kept by every group-level filter (fg): tested against a hash of fg built
# once (a hashed SubPlan, not a join the planner would size from fg's guessed rows: a nested loop
# over fg for each unit when it guesses one row)
IN_FG = "(m.grp IN (SELECT grp FROM fg)) IS TRUE"

# the last rows of a search statement: the shown groups' best units (ui) with what a hit displays
UNIT_ROWS = f"""UNION ALL SELECT 'unit', ui.grp, ui.key, ui.i, ui.score, jsonb_build_object(
    'key', s.key, 'title', s.title, 'body', s.body, 'anchor', s.anchor, 'position', s.position, 'type', s.type,
    'reply_id', s.reply_id, 'agency', s.agency, 'history', s.history, 'facts', s.facts)
    FROM ui JOIN {table.TABLE} s ON s.key = ui.key WHERE ui.i <= :per_group"""


class PostgresBackend:
    """Search over the search_unit table of a PostgreSQL database."""

    def __init__(self, url: str, *, clock: Callable[[], datetime] | None = None) -> None:
        self.url = url
        # what a scheduled publication is judged against (the app passes its visibility clock)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._engine: sa.Engine | None = None
        self._own_engine = False
        self._lock = threading.Lock()
        self._similar: OrderedDict[tuple[Any, ...], tuple[Similar, ...]] = OrderedDict()
        self._vocabulary: tuple[float, dict[str, int]] | None = None

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, clock: Callable[[], datetime] | None = None
    ) -> PostgresBackend:
        url = str(config.get("DATABASE_URL", ""))
        if not url.startswith("postgresql"):
            raise ValueError("SEARCH_BACKEND 'postgres' needs a PostgreSQL DATABASE_URL")
        return cls(url, clock=clock)

    def attach(self, engine: sa.Engine) -> None:
        """Use the app's engine (its pool) rather than one of its own."""
        self._engine = engine

    @property
    def engine(self) -> sa.Engine:
        with self._lock:
            if self._engine is None:
                from tracker.db import make_engine

                self._engine, self._own_engine = make_engine(self.url, pool_size=2, max_overflow=2), True
            return self._engine

    def close(self) -> None:
        if self._own_engine and self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- writing -----------------------------------------------------------------------------------

    @staticmethod
    def _lock_groups(connection: sa.Connection, groups: Collection[str]) -> None:
        """Lock the groups until the transaction ends, always in the same order (no deadlock
        between two writers of the same groups)."""
        connection.execute(
            sa.text(
                "SELECT pg_advisory_xact_lock(hashtext('search:' || g)) "
                "FROM (SELECT g FROM unnest(CAST(:groups AS text[])) g ORDER BY g) s"
            ),
            {"groups": sorted(groups)},
        )

    @staticmethod
    def _store(connection: sa.Connection, groups: Collection[str], docs: list[SearchDocument]) -> int:
        """Replace the rows of ``groups`` by ``docs``, and their narrow copies (search_hit,
        search_group) by what those rows say."""
        params = {"groups": list(groups), "keys": [d.key for d in docs]}
        connection.execute(
            sa.text(
                f"DELETE FROM {table.TABLE} WHERE grp = ANY(CAST(:groups AS text[])) "
                "AND NOT key = ANY(CAST(:keys AS text[]))"
            ),
            params,
        )
        if docs:
            stmt = pg_insert(table.search_unit)
            columns = [c.name for c in table.search_unit.columns if c.name not in ("key", "written_xid")]
            stmt = stmt.on_conflict_do_update(
                index_elements=["key"],
                set_={**{c: stmt.excluded[c] for c in columns}, "written_xid": sa.func.pg_current_xact_id()},
            )
            connection.execute(stmt, [table.row(d) for d in docs])
        chosen = "grp = ANY(CAST(:groups AS text[]))"
        for name, insert in table.derived_inserts(table.TABLE, chosen).items():
            connection.execute(sa.text(f"DELETE FROM {name} WHERE {chosen}"), params)
            connection.execute(sa.text(insert.format(table=name)), params)
        if docs:
            connection.execute(sa.text(table.words_insert(table.TABLE, chosen)), params)
        return len(docs)

    def write_in_transaction(self, connection: sa.Connection, groups: Collection[str], load: Loader) -> int:
        """Replace the groups' rows with what this (uncommitted) transaction holds: ``load`` reads
        them on ``connection``, after the groups are locked."""
        if not groups:
            return 0
        self._lock_groups(connection, groups)
        return self._store(connection, groups, list(load(groups)))

    def index_documents(self, groups: Collection[str], load: Loader) -> int:
        if not groups:
            return 0
        with self.engine.begin() as connection:
            self._lock_groups(connection, groups)
            return self._store(connection, groups, list(load(groups)))

    def delete(self, groups: Collection[str]) -> None:
        self.index_documents(groups, lambda _groups: ())

    def pending(self) -> bool:
        return False  # nothing waits: rows are written with the data or not at all

    def retry_pending(self, load: Loader) -> int:
        return 0

    def rebuild(self, documents: Callable[[], Iterable[SearchDocument]], *, procs: int = 1) -> int:
        """Replace every row: a new table filled in bulk, swapped in at the end (searches and
        writes go on meanwhile; see tracker.search.postgres.rebuild)."""
        from tracker.search.postgres import rebuild

        return rebuild.rebuild(self.engine, documents(), procs=procs)

    def state(self) -> IndexState:
        try:
            with self.engine.connect() as connection:
                found = connection.execute(
                    sa.text(
                        f"SELECT grp, count(*), min(fingerprint), max(fingerprint) FROM {table.TABLE} GROUP BY grp"
                    )
                ).all()
        except sa.exc.ProgrammingError:  # no table: the database is older than migration 0014
            return IndexState(counts={}, healthy=False)
        return IndexState(
            counts={g: int(n) for g, n, _lo, _hi in found},
            healthy=True,
            fingerprints={g: lo if lo == hi else "" for g, _n, lo, hi in found},
        )

    @contextmanager
    def maintenance(self) -> Iterator[None]:
        """One process at a time checks or rebuilds (a session-level advisory lock)."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MAINTENANCE_LOCK})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MAINTENANCE_LOCK})
                connection.commit()

    def clear(self) -> None:
        with self.engine.begin() as connection:
            for name in (table.TABLE, table.HIT, table.GROUP, table.WORDS):
                connection.execute(sa.text(f"DELETE FROM {name}"))

    def doc_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(sa.text(f"SELECT count(*) FROM {table.TABLE}")).scalar_one())

    def generation(self) -> int:
        # The rows change only inside the data's own transactions, which bump the archive's
        # generation (tracker.generation) that the page cache is keyed on already.
        return 0

    # -- the query ---------------------------------------------------------------------------------

    def _match(
        self, text: str, viewer: Viewer, filters: Mapping[str, tuple[str, ...]]
    ) -> tuple[list[str], dict]:
        """WHERE conditions on ``m`` (search_unit) for the text, visibility and 案号/group filters."""
        tree = parse(text)
        q = tsquery(tree, match=True)
        where: list[str] = []
        params: dict[str, Any] = {"q": None, "rq": None}
        if q == NONE:
            where.append("false")
        elif q != ALL:
            where.append("m.tsv @@ CAST(:q AS tsquery)")
            # matched by the plainer query (the GIN index alone decides), ranked by the full one
            params["q"], params["rq"] = q, tsquery(tree)
        if not viewer.sees_all:
            seen = ["m.published", "m.publish_at <= :now"]
            params["now"] = self.clock()
            if viewer.role == Role.MEMBER and viewer.member_id is not None:
                seen.append(":member = ANY(m.member_ids)")
                params["member"] = viewer.member_id
            if viewer.role == Role.AGENCY and viewer.agency_id is not None:
                seen.append(":agency = ANY(m.agency_ids)")
                params["agency"] = viewer.agency_id
            where.append("(" + " OR ".join(seen) + ")")
        if numbers := filters.get("number"):
            where.append("m.number = ANY(CAST(:numbers AS int[]))")
            params["numbers"] = [int(n) for n in numbers if str(n).isdigit() and len(str(n)) < 10]
        if groups := filters.get("group"):
            where.append("m.grp = ANY(CAST(:groups AS text[]))")
            params["groups"] = list(groups)
        return where, params

    def _units(self, text: str, viewer: Viewer, filters: Mapping[str, tuple[str, ...]]) -> tuple[str, dict]:
        """SQL for the units a search may find, one row each with its group's facts (alias them
        ``m``): matched in the narrow search_hit (the GIN index, then a short row per unit), their
        groups' facts, the visibility rule and the 案号/group filters from search_group."""
        where, params = self._match(text, viewer, filters)
        on_text = [w for w in where if "m.tsv" in w or w == "false"]
        words = [w.replace("m.tsv", "h.tsv") for w in on_text]
        groups = [w.replace("m.", "g.") for w in where if w not in on_text]
        select = (
            "SELECT h.key, h.grp, h.type, h.history, h.title, h.tsv, g.meeting_id, g.year, g.category, g.status, "
            f"g.agencies, g.outcomes, g.date FROM {table.HIT} h JOIN {table.GROUP} g ON g.grp = h.grp"
        )
        return f"{select} WHERE {' AND '.join([*words, *groups]) or 'true'}", params

    @staticmethod
    def _facet_filters(filters: Mapping[str, tuple[str, ...]], params: dict) -> dict[Facet, str]:
        found = {}
        for name in Facet:
            if values := filters.get(name.value):
                param = f"f_{name.value}"
                params[param] = list(values)
                found[name] = FACET_FILTERS[name].format(p=param)
        return found

    def search(self, request: SearchRequest) -> SearchResults:
        filters = {k: tuple(v) for k, v in request.filters.items() if v}
        if (found := self._search_by_groups(request, filters)) is not None:
            return found
        where, params = self._match(request.text, request.viewer, filters)
        on_text = [w for w in where if "m.tsv" in w or w == "false"]
        seen = [w.replace("m.", "g.") for w in where if w not in on_text]  # facts of search_group
        facet_filters = self._facet_filters(filters, params)
        in_force = "true" if request.history else "NOT m.history"
        unit_filters = [f for name, f in facet_filters.items() if name in UNIT_FACETS]
        group_filters = {name: f for name, f in facet_filters.items() if name not in UNIT_FACETS}
        unit_level = " AND ".join([in_force, *unit_filters])
        every_group = " AND ".join(group_filters.values()) or "true"
        matching = [w.replace("m.tsv", "h.tsv") for w in on_text]
        if filters.get("number") or filters.get("group"):
            # a few groups chosen by 案号 or key: their units, through the group index
            matching.append(f"h.grp IN (SELECT g.grp FROM {table.GROUP} g WHERE {' AND '.join(seen)})")

        def kept_groups(skip: Facet | None = None) -> str:
            return " AND ".join(["m.hit", *(f for name, f in group_filters.items() if name != skip)])

        def rank(alias: str) -> str:
            if not params["q"]:
                return "1.0::float8"
            return (
                f"ts_rank('{RANK_WEIGHTS}', {alias}.tsv, CAST(:rq AS tsquery), {RANK_NORMALIZATION})::float8"
            )

        mark = Marks().collect(parse(request.text))
        title_words, title_phrases = mark.fields("title", "text")
        patterns = [
            f"%{_like(w.lower())}%" for w in sorted(title_words | {"".join(p) for p in title_phrases})
        ]
        size = max(1, request.page_size)
        params.update(
            size=size,
            page=max(1, request.page),
            per_group=max(1, request.units_per_group),
            candidates=RANK_CANDIDATES,
            title_like=patterns,
        )
        # Facets count groups, one row each in gv (its facts from search_group, read once a group,
        # not once a matching unit); the type facet counts units: the matching units (hu) of the
        # groups every group-level filter keeps (fg).
        facet_rows = [
            f"SELECT 'facet', '{name.value}', m.type, count(*), NULL::float8, NULL::jsonb FROM hu m "
            f"WHERE {' AND '.join([in_force, *(f for n, f in facet_filters.items() if n in UNIT_FACETS and n != name)])} "
            f"AND {IN_FG} GROUP BY m.type"
            if name in UNIT_FACETS
            else f"SELECT 'facet', '{name.value}', v, count(*), NULL::float8, NULL::jsonb "
            f"FROM (SELECT {FACET_VALUES[name]} AS v FROM gv m WHERE {kept_groups(name)}) f "
            "WHERE v IS NOT NULL GROUP BY v"
            for name in Facet
        ]
        order = 'best DESC, grp COLLATE "C"'
        if request.sort == Sort.DATE:
            order = "d DESC NULLS LAST, " + order
        # Matching reads the narrow search_hit only (the GIN index, then a short row per unit); the
        # groups' facts are joined once a group. Ranking reads each ranked unit's vector, the costly
        # part: only a bounded set of candidates is ranked (every match when there are at most
        # RANK_CANDIDATES, else those most likely to rank first: a query word in their title, then
        # the shortest), and the page's units.
        sql = f"""
WITH hu AS MATERIALIZED (
    SELECT h.key, h.grp, h.type, h.history, h.size,
           (h.title LIKE ANY(CAST(:title_like AS text[]))) AS in_title
    FROM {table.HIT} h WHERE {" AND ".join(matching) or "true"}
),
gv AS MATERIALIZED (
    SELECT m.grp, m.hit, g.meeting_id, g.year, g.category, g.status, g.agencies, g.outcomes, g.date
    FROM (SELECT m.grp, bool_or({unit_level}) AS hit FROM hu m GROUP BY m.grp) m
    JOIN {table.GROUP} g ON g.grp = m.grp WHERE {" AND ".join(seen) or "true"}
),
fg AS MATERIALIZED (SELECT m.grp, m.hit, m.date FROM gv m WHERE {every_group}),
k AS MATERIALIZED (
    SELECT m.key, m.grp, m.history, m.size, m.in_title FROM hu m
    WHERE {unit_level} AND {IN_FG}
),
c AS (
    SELECT k.grp, max({rank("s")}) AS best
    FROM (SELECT key, grp FROM k ORDER BY in_title DESC, size, key COLLATE "C" LIMIT :candidates) k
    JOIN {table.TABLE} s ON s.key = k.key GROUP BY k.grp
),
g AS (
    SELECT grp, max(best) AS best, max(d) AS d
    FROM (SELECT grp, 0::float8 AS best, date AS d FROM fg WHERE hit UNION ALL SELECT grp, best, NULL FROM c) x
    GROUP BY grp
),
r AS (SELECT grp, best, row_number() OVER (ORDER BY {order}) AS r, count(*) OVER () AS total FROM g),
p AS (
    SELECT r.*, LEAST(:page, GREATEST(1, CEIL(total::numeric / :size)::int)) AS shown FROM r
),
pg AS (SELECT * FROM p WHERE r > (shown - 1) * :size AND r <= shown * :size),
u AS (
    SELECT k.key, k.grp, k.history, s.position, {rank("s")} AS score
    FROM k JOIN pg USING (grp) JOIN {table.TABLE} s ON s.key = k.key
),
ui AS (SELECT u.*, row_number() OVER (PARTITION BY u.grp ORDER BY u.score DESC, u.history, u.position) AS i FROM u)
{" UNION ALL ".join(facet_rows)}
UNION ALL SELECT 'total', NULL, NULL, (SELECT count(*) FROM g), (SELECT count(*) FROM k)::float8, NULL
UNION ALL SELECT 'history', NULL, NULL, (
    SELECT count(*) FROM hu m WHERE m.history AND {" AND ".join(unit_filters) or "true"}
    AND {IN_FG}), NULL, NULL
UNION ALL SELECT 'group', grp, r::text, (SELECT count(*) FROM u WHERE u.grp = pg.grp),
    GREATEST(best, (SELECT max(score) FROM u WHERE u.grp = pg.grp)), jsonb_build_object('shown', shown) FROM pg
{UNIT_ROWS}
"""
        return self._results(request, filters, self._rows(sql, params), mark)

    def _search_by_groups(
        self, request: SearchRequest, filters: Mapping[str, tuple[str, ...]]
    ) -> SearchResults | None:
        """A search whose words are joined by OR only, over what is in force and without a type
        filter, in one statement that does not visit each matching unit's row to count groups (None
        for any other search: the unit path).

        Such a query matches a group exactly when it matches one of its in-force units, so the
        groups, their total and their facets come from search_group's vector (migration 0024); the
        unit counts from the per-type partial indexes over published units, plus the rows of the
        unpublished groups the viewer sees; the ranking candidates, chosen as the unit path chooses
        them (a query word in the title first, then the shortest), among every match for a rare
        word, and for a common one among the matches in the shortest units read in order of size
        from an index (about twice RANK_CANDIDATES matches' worth, far fewer rows than the
        matches); then the page's units, exactly, as the unit path does."""
        if request.history or Facet.TYPE.value in filters:
            return None
        where, params = self._match(request.text, request.viewer, filters)
        if not params["q"] or not by_groups(params["q"]):
            return None
        seen = [w for w in where if "m.tsv" not in w]  # visibility, 案号, group: facts of search_group
        facet_filters = self._facet_filters(filters, params)
        kept = " AND ".join([*seen, *facet_filters.values()]) or "true"
        # count(*): a group's agencies and outcomes are distinct (search_documents), one row a group
        facet_rows = [
            f"SELECT 'facet', '{name.value}', v, count(*), NULL::float8, NULL::jsonb "
            f"FROM (SELECT {FACET_VALUES[name]} AS v FROM gv m WHERE "
            f"{' AND '.join(f for other, f in facet_filters.items() if other != name) or 'true'}) f "
            "WHERE v IS NOT NULL GROUP BY v"
            for name in Facet
            if name not in UNIT_FACETS
        ]
        # OFFSET 0 keeps a match by the GIN index's bitmap from being turned into a loop over the
        # groups reading each group's units (and their vectors): the planner cannot size fg
        if facet_filters or filters.get("number") or filters.get("group"):
            units = [
                f"SELECT h.type, h.history, count(*) FROM (SELECT h.grp, h.type, h.history FROM {table.HIT} h "
                "WHERE h.tsv @@ CAST(:q AS tsquery) OFFSET 0) h WHERE h.grp IN (SELECT grp FROM fg) "
                "GROUP BY h.type, h.history"
            ]
        else:
            # published units: one bitmap per partial index; the unpublished groups the viewer sees
            # (scheduled ones, or all of them for the office), row by row
            units = [
                f"SELECT '{t.value}', false, count(*) FROM {table.HIT} h WHERE h.published "
                f"AND NOT h.history AND h.type = '{t.value}' AND h.tsv @@ CAST(:q AS tsquery)"
                for t in UnitType
            ]
            units.append(
                f"SELECT NULL, true, count(*) FROM {table.HIT} h "
                "WHERE h.published AND h.history AND h.tsv @@ CAST(:q AS tsquery)"
            )
            units.append(
                f"SELECT h.type, h.history, count(*) FROM {table.GROUP} m JOIN {table.HIT} h ON h.grp = m.grp "
                f"WHERE NOT m.published AND {kept} AND h.tsv @@ CAST(:q AS tsquery) GROUP BY h.type, h.history"
            )
        mark = Marks().collect(parse(request.text))
        title_words, title_phrases = mark.fields("title", "text")
        size = max(1, request.page_size)
        params.update(
            size=size,
            page=max(1, request.page),
            per_group=max(1, request.units_per_group),
            candidates=RANK_CANDIDATES,
            title_like=[
                f"%{_like(w.lower())}%" for w in sorted(title_words | {"".join(p) for p in title_phrases})
            ],
        )

        def rank(alias: str) -> str:
            return (
                f"ts_rank('{RANK_WEIGHTS}', {alias}.tsv, CAST(:rq AS tsquery), {RANK_NORMALIZATION})::float8"
            )

        order = 'best DESC, grp COLLATE "C"'
        if request.sort == Sort.DATE:
            order = "d DESC NULLS LAST, " + order
        # by relevance, the ranked groups (best > 0) come first: when they fill the page, it is
        # theirs, and the other matching groups need not be sorted
        ranked_first = "true" if request.sort != Sort.DATE else "false"
        sql = f"""
WITH gv AS MATERIALIZED (
    SELECT m.grp, m.meeting_id, m.year, m.category, m.status, m.agencies, m.outcomes, m.date
    FROM {table.GROUP} m WHERE {" AND ".join(where)}
),
fg AS MATERIALIZED (SELECT m.grp, m.date FROM gv m WHERE {" AND ".join(facet_filters.values()) or "true"}),
n AS MATERIALIZED (SELECT * FROM ({" UNION ALL ".join(units)}) n(type, history, n)),
t AS MATERIALIZED (
    SELECT total, units, LEAST(:page, GREATEST(1, CEIL(total::numeric / :size)::int)) AS shown,
           2 * :candidates * GREATEST(every, units) / GREATEST(1, units) AS span
    FROM (SELECT (SELECT count(*) FROM fg) AS total,
                 (SELECT coalesce(sum(n), 0)::bigint FROM n WHERE NOT history) AS units,
                 (SELECT reltuples::bigint FROM pg_class WHERE oid = '{table.HIT}'::regclass) AS every) c
),
k AS MATERIALIZED (
    SELECT x.key, x.grp FROM (
        SELECT w.key, w.grp, w.title, w.size FROM (
            SELECT h.key, h.grp, h.title, h.size, h.tsv FROM {table.HIT} h WHERE NOT h.history
            ORDER BY h.size, h.key COLLATE "C" LIMIT (SELECT span FROM t)
        ) w CROSS JOIN LATERAL (SELECT 1 FROM {table.GROUP} m WHERE m.grp = w.grp AND {kept} LIMIT 1) seen
        WHERE (SELECT span < units / 4 FROM t) AND w.tsv @@ CAST(:q AS tsquery)
        UNION ALL
        SELECT h.* FROM (
            SELECT h.key, h.grp, h.title, h.size FROM {table.HIT} h
            WHERE (SELECT span >= units / 4 FROM t) AND NOT h.history AND h.tsv @@ CAST(:q AS tsquery) OFFSET 0
        ) h WHERE h.grp IN (SELECT grp FROM fg)
    ) x
    ORDER BY (x.title LIKE ANY(CAST(:title_like AS text[]))) DESC, x.size, x.key COLLATE "C" LIMIT :candidates
),
c AS (
    SELECT s.grp, max({rank("s")}) AS best FROM k JOIN {table.TABLE} s ON s.key = k.key GROUP BY s.grp
),
top AS (
    SELECT * FROM (
        SELECT c.grp, c.best, NULL::date AS d FROM c
        WHERE c.best > 0 AND {ranked_first} AND (SELECT count(*) FROM c WHERE best > 0) >= (SELECT shown * :size FROM t)
        UNION ALL
        SELECT fg.grp, coalesce(c.best, 0) AS best, fg.date AS d FROM fg LEFT JOIN c ON c.grp = fg.grp
        WHERE NOT ({ranked_first} AND (SELECT count(*) FROM c WHERE best > 0) >= (SELECT shown * :size FROM t))
    ) g ORDER BY {order} LIMIT :size OFFSET (SELECT (shown - 1) * :size FROM t)
),
pg AS (SELECT top.*, (SELECT (shown - 1) * :size FROM t) + row_number() OVER (ORDER BY {order}) AS r FROM top),
u AS (
    SELECT h.key, h.grp, h.history, s.position, {rank("s")} AS score
    FROM pg JOIN {table.HIT} h ON h.grp = pg.grp JOIN {table.TABLE} s ON s.key = h.key
    WHERE NOT h.history AND h.tsv @@ CAST(:q AS tsquery)
),
ui AS (SELECT u.*, row_number() OVER (PARTITION BY u.grp ORDER BY u.score DESC, u.history, u.position) AS i FROM u)
{" UNION ALL ".join(facet_rows)}
UNION ALL SELECT 'facet', 'type', type, sum(n)::bigint, NULL, NULL FROM n WHERE NOT history GROUP BY type
    HAVING sum(n) > 0
UNION ALL SELECT 'total', NULL, NULL, total, units::float8, NULL FROM t
UNION ALL SELECT 'history', NULL, NULL, (SELECT coalesce(sum(n), 0)::bigint FROM n WHERE history), NULL, NULL
UNION ALL SELECT 'group', grp, r::text, (SELECT count(*) FROM u WHERE u.grp = pg.grp),
    GREATEST(best, (SELECT max(score) FROM u WHERE u.grp = pg.grp)), jsonb_build_object('shown', t.shown)
    FROM pg, t
{UNIT_ROWS}
"""
        return self._results(request, filters, self._rows(sql, params), mark)

    def _rows(self, sql: str, params: Mapping[str, Any]) -> list[Any]:
        """Run a search statement. JIT compiling it cost more than running it (hundreds of ms); a
        sequential scan would read (decompress) every unit's vector to test the match, where the
        GIN index's bitmap, kept exact by enough work_mem, needs none of them."""
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SET LOCAL jit = off")
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
            return list(connection.execute(sa.text(sql), params).all())

    def _results(
        self, request: SearchRequest, filters: Mapping[str, tuple[str, ...]], rows: Iterable[Any], mark: Marks
    ) -> SearchResults:
        """SearchResults from rows (kind, a, b, n, value, extra): facet, total, history, group, unit."""
        size = max(1, request.page_size)
        facets: dict[str, list[FacetCount]] = {name.value: [] for name in Facet}
        total = total_units = history_units = 0
        page = 1
        groups: list[tuple[int, str, int, float]] = []
        units: dict[str, list[tuple[int, float, dict]]] = {}
        for kind, a, b, n, value, extra in rows:
            if kind == "facet":
                facets[a].append(FacetCount(b, int(n), b in filters.get(a, ())))
            elif kind == "total":
                total, total_units = int(n), int(value)
            elif kind == "history":
                history_units = int(n)
            elif kind == "group":
                groups.append((int(b), a, int(n), float(value)))
                page = int(extra["shown"])
            else:
                units.setdefault(a, []).append((int(n), float(value), extra))
        if not groups:
            page = max(1, min(request.page, -(-total // size)) if total else 1)
        hits = []
        for _rank, group, count, best in sorted(groups):
            its_units = sorted(units.get(group, []), key=lambda found: found[0])
            facts = table.facts_from_json(its_units[0][2]["facts"])
            hits.append(
                GroupHit(
                    facts=facts,
                    title=marking.mark_whole(facts.title, *mark.fields(*TEXT_FIELDS)),
                    score=best,
                    units=tuple(self._unit_hit(extra, s, mark) for _i, s, extra in its_units),
                    unit_count=count,
                )
            )
        return SearchResults(
            request=request,
            groups=tuple(hits),
            total=total,
            total_units=total_units,
            facets={
                name: tuple(sorted(facets[name.value], key=lambda f: (-f.count, f.value))) for name in Facet
            },
            page=page,
            history_units=history_units,
        )

    def count(
        self, text: str, *, viewer: Viewer, filters: Mapping[str, tuple[str, ...]] | None = None
    ) -> int:
        clean = {k: tuple(v) for k, v in (filters or {}).items() if v}
        where, params = self._match(text, viewer, clean)
        if params["q"] and by_groups(params["q"]) and Facet.TYPE.value not in clean:
            # words ORed: the groups whose in-force units' words match, one row each (0024)
            conditions = [*where, *self._facet_filters(clean, params).values()]
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
                return int(
                    connection.execute(
                        sa.text(f"SELECT count(*) FROM {table.GROUP} m WHERE {' AND '.join(conditions)}"),
                        params,
                    ).scalar_one()
                )
        units, params = self._units(text, viewer, clean)
        conditions = ["NOT m.history", *self._facet_filters(clean, params).values()]
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        f"SELECT count(DISTINCT m.grp) FROM ({units}) m WHERE {' AND '.join(conditions)}"
                    ),
                    params,
                ).scalar_one()
            )

    # -- display -----------------------------------------------------------------------------------

    @staticmethod
    def _unit_hit(stored: Mapping[str, Any], score: float, mark: Marks) -> UnitHit:
        words, phrases = mark.fields("text")
        return UnitHit(
            key=stored.get("key") or "",
            type=UnitType(stored["type"]),
            title=marking.mark_whole(stored.get("title") or "", *mark.fields("title", "text")),
            fragments=marking.fragments(stored.get("body") or "", words, phrases),
            anchor=stored.get("anchor") or "",
            position=int(stored.get("position") or 0),
            score=score,
            reply_id=stored.get("reply_id"),
            agency=stored.get("agency") or "",
            history=bool(stored.get("history")),
        )

    # -- spelling ----------------------------------------------------------------------------------

    def _words(self) -> dict[str, int]:
        """Every indexed word with the number of units holding it when last counted (0: written
        since), from search_word (kept SPELLING_TTL seconds)."""
        kept = self._vocabulary
        if kept is not None and time.monotonic() - kept[0] < SPELLING_TTL:
            return kept[1]
        with self.engine.connect() as connection:
            found = dict(connection.execute(sa.text(f"SELECT word, ndoc FROM {table.WORDS}")).all())
        self._vocabulary = (time.monotonic(), found)
        return found

    def spelling(self, text: str) -> str | None:
        """Words no unit holds replaced by the closest indexed word (edit distance 1 for Chinese,
        2 otherwise, the more frequent of equals); None when nothing changes."""
        normalized = normalize_query(text)
        q = parse_plain(normalized)
        unknown = {str(t) for fieldname, t in q.all_terms() if fieldname in TEXT_FIELDS}
        if not unknown:
            return None
        vocabulary = self._words()
        changed = normalized
        for word in sorted(unknown, key=len, reverse=True):
            if word in vocabulary:
                continue
            maxdist = 1 if analysis.is_han(word) else 2
            best = min(
                (
                    (distance, -n, candidate)
                    for candidate, n in vocabulary.items()
                    if abs(len(candidate) - len(word)) <= maxdist
                    and (distance := _distance(word, candidate, maxdist)) <= maxdist
                ),
                default=None,
            )
            if best is not None:
                changed = re.sub(re.escape(word), best[2], changed, count=1, flags=re.IGNORECASE)
        return changed if changed != normalized else None

    # -- similar -----------------------------------------------------------------------------------

    def more_like_this(
        self,
        text: str,
        *,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str] = (),
        limit: int = 5,
    ) -> list[Similar]:
        """Units like ``text``: its key terms (Bo1 weights over the archive) ORed, within ``types``.

        Proposals are compared by their summary (title and suggestions); other units by text.
        Answers are kept per archive generation (tracker.generation): any public write renews them.
        """
        from tracker import generation

        column = "tsv_summary" if set(types) == {UnitType.PROPOSAL} else "tsv"
        with Session(self.engine) as session:
            stamp = generation.current(session)
        key = (stamp, text, viewer, frozenset(types), frozenset(exclude_groups), limit)
        with self._lock:
            if key in self._similar:
                self._similar.move_to_end(key)
                return list(self._similar[key])
        found = self._more_like_this(column, text, viewer, types, exclude_groups, limit)
        with self._lock:
            self._similar[key] = tuple(found)
            while len(self._similar) > SIMILAR_CACHE:
                self._similar.popitem(last=False)
        return found

    def similar_terms(self, text: str, *, types: Collection[UnitType]) -> list[tuple[str, float]]:
        """The weighted words ``more_like_this`` would look for."""
        column = "tsv_summary" if set(types) == {UnitType.PROPOSAL} else "tsv"
        with self.engine.connect() as connection:
            terms, _frequency, _total = self._key_terms(connection, column, text)
        return terms

    def _key_terms(
        self, connection: sa.Connection, column: str, text: str
    ) -> tuple[list[tuple[str, float]], dict[str, int], int]:
        """The engine-neutral key terms (tracker.search.key_terms), their document frequencies and
        the number of units with ``column``."""
        total = connection.execute(
            sa.text(f"SELECT count(*) FROM {table.TABLE} WHERE {column} IS NOT NULL")
        ).scalar_one()
        frequency: dict[str, int] = {}

        def count(words: Iterable[str]) -> dict[str, int]:
            found = connection.execute(
                sa.text(
                    f"SELECT w, (SELECT count(*) FROM {table.TABLE} WHERE {column} @@ CAST(w AS tsquery)) "
                    "FROM unnest(CAST(:words AS text[])) w"
                ),
                {"words": [table._quote(w) for w in words]},
            ).all()
            by_quoted = dict(found)
            frequency.update({w: by_quoted.get(table._quote(w), 0) for w in words})
            return frequency

        terms = key_terms.choose(text, count, total)
        return terms, frequency, total

    def _more_like_this(
        self,
        column: str,
        text: str,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str],
        limit: int,
    ) -> list[Similar]:
        with self.engine.connect() as connection:
            terms, frequency, total = self._key_terms(connection, column, text)
            if not terms:
                return []
            params: dict[str, Any] = {
                "types": [t.value for t in types],
                "exclude": list(exclude_groups),
                "pool": SIMILAR_POOL,
                "any": " | ".join(table._quote(w) for w, _weight in terms),
            }
            parts = []
            for i, (word, weight) in enumerate(terms):
                params[f"t{i}"], params[f"w{i}"] = table._quote(word), weight
                parts.append(f"CASE WHEN m.{column} @@ CAST(:t{i} AS tsquery) THEN :w{i} ELSE 0 END")
            where, extra = self._match("", viewer, {})
            params.update({k: v for k, v in extra.items() if k != "q"})
            if {UnitType.REPLY, UnitType.REPLY_POINT} & set(types):
                where.append("NOT m.history")  # an earlier letter is history, not a like text
            # the units sharing the most (and weightiest) key terms, then BM25 over their vectors
            pool = (
                connection.execute(
                    sa.text(
                        f"SELECT m.key, m.title, m.body, m.anchor, m.position, m.type, m.reply_id, m.agency, "
                        f"m.history, m.facts, m.{column}::text AS vector, ({' + '.join(parts)}) AS coarse "
                        f"FROM {table.TABLE} m WHERE m.{column} @@ CAST(:any AS tsquery) "
                        "AND m.type = ANY(CAST(:types AS text[])) "
                        f"AND NOT m.grp = ANY(CAST(:exclude AS text[])) {''.join(' AND ' + w for w in where)} "
                        'ORDER BY coarse DESC, m.key COLLATE "C" LIMIT :pool'
                    ),
                    params,
                )
                .mappings()
                .all()
            )
        scored = _bm25(
            [dict(r) for r in pool],
            {word: (weight, frequency[word]) for word, weight in terms},
            total,
        )
        rows = sorted(scored, key=lambda found: (-found[0], found[1]["key"]))[:limit]
        mark = Marks()
        mark.words["text"].update(word for word, _weight in terms)
        return [
            Similar(
                facts=table.facts_from_json(r["facts"]),
                score=score,
                units=(self._unit_hit(r, score, mark),),
            )
            for score, r in rows
        ]


_LEXEME = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")


def _bm25(
    rows: list[dict[str, Any]], terms: Mapping[str, tuple[float, int]], total: int
) -> list[tuple[float, dict[str, Any]]]:
    """(score, row): the sum over the key terms of weight x BM25 (Whoosh's formula and defaults),
    term and document lengths read from each row's tsvector text."""
    lengths: list[tuple[dict[str, int], int]] = []
    for r in rows:
        tf: dict[str, int] = {}
        size = 0
        for lexeme, positions in _LEXEME.findall(r.pop("vector") or ""):
            n = positions.count(",") + 1 if positions else 1
            size += n
            word = lexeme.replace("''", "'").replace("\\\\", "\\")
            if word in terms:
                tf[word] = n
        lengths.append((tf, size))
    average = sum(size for _tf, size in lengths) / max(1, len(lengths))
    scored = []
    for r, (tf, size) in zip(rows, lengths, strict=True):
        score = 0.0
        for word, n in tf.items():
            weight, df = terms[word]
            idf = math.log(total / (df + 1)) + 1
            norm = BM25_K1 * (1 - BM25_B + BM25_B * size / max(average, 1))
            score += weight * idf * n * (BM25_K1 + 1) / (n + norm)
        scored.append((score, r))
    return scored


_OPERAND = re.compile(r"'(?:[^']|'')*'(?::\*)?")


def by_groups(q: str) -> bool:
    """Whether a (match) tsquery is unweighted words or prefixes joined by OR only: it matches a
    group's union of words exactly when it matches one of the group's units. An AND, a NOT or a
    phrase is per passage, and a weight (a scope) is not in the union: those need the units."""
    return q not in (ALL, NONE) and re.fullmatch(r"[|() ]*", _OPERAND.sub("", q)) is not None


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two words, or ``limit + 1`` once it is sure to exceed ``limit``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
