"""`tracker bench`: the archive at real scale, measured beside LIKE and SQLite FTS5.

Everything happens in a temporary folder: a fresh SQLite database and Whoosh index, the
generated corpus loaded through the app's services, then search, page, submit and reindex
figures from a warm process, the same searches again after a stream of writes (the steady state
of a live index, beside the fresh one), the same queries on the baselines, and a timed load on a
two-worker gunicorn. One JSON document carries every figure and the machine.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker import create_app, migrate
from tracker.bench.baselines import (
    Fts5Index,
    TantivyIndex,
    like_ids,
    like_search,
    segmented_rows,
    unit_rows,
)
from tracker.bench.clone import clone_archive
from tracker.bench.corpus import Corpus, GeneratedProposal, generate
from tracker.bench.load import run_load
from tracker.bench.measure import folder_mb, machine, peak_memory_mb, summary, time_each
from tracker.bench.report import targets, value
from tracker.db import analyze, get_engine, make_engine, session_scope
from tracker.models import Agency, Assignment, Meeting, Member, Proposal, ReplyRole
from tracker.search import Facet, SearchRequest, Sort, get_backend
from tracker.services import search as search_service
from tracker.services.accounts import seed_demo_accounts
from tracker.services.people import get_or_create_agency, get_or_create_meeting, get_or_create_member
from tracker.services.proposals import record_proposal
from tracker.services.replies import record_reply
from tracker.services.search_sync import default_procs, get_keeper
from tracker.services.seed import seed
from tracker.services.visibility import ANONYMOUS, Role, Viewer

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
STAFF = Viewer(Role.STAFF)
ACCEPTED = {"accepted", "assigned", "replied", "closed"}


@dataclass(frozen=True)
class Query:
    """One search as a user types it, with the words the baselines search for (None: not comparable)."""

    text: str
    kind: str
    words: tuple[str, ...] | None = None
    phrase: bool = False
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str = Sort.RELEVANCE.value


_WORDS = (
    "培训", "融资", "担保", "创业", "人才", "税收", "信用", "科技", "就业", "补贴", "贷款", "产业",
    "园区", "信息化", "电子商务", "中小企业", "小微企业", "创新", "服务", "市场",
)  # fmt: skip
_PAIRS = (
    ("融资", "担保"), ("人才", "培训"), ("创业", "补贴"), ("信用", "体系"), ("科技", "创新"), ("税收", "优惠"),
    ("市场", "开拓"), ("产业", "集聚"), ("公共", "服务"), ("高校毕业生", "就业"), ("技术", "改造"), ("电子商务", "平台"),
)  # fmt: skip
_PHRASES = (
    "服务与管理",
    "电子商务平台",
    "融资担保",
    "专精特新",
    "创业投资",
    "公共服务平台",
    "小额贷款",
    "信用担保",
)


def queries() -> list[Query]:
    """The fixed list: words, pairs, phrases, 案号 lookups, operators, a filter and a sort (56)."""
    out = [Query(w, "word", (w,)) for w in _WORDS]
    out += [Query(f"{a} {b}", "two words", (a, b)) for a, b in _PAIRS]
    out += [Query(f'"{p}"', "phrase", (p,), phrase=True) for p in _PHRASES]
    out += [
        Query(q, "case number")
        for q in (
            "第2号",
            "第15号",
            "12号提案",
            "第十届第三次会议第5号",
            "第十一届第二次会议第8号",
            "第120号",
        )
    ]
    out += [
        Query("融资 OR 担保", "or"),
        Query("培训 -补贴", "not"),
        Query("标题:人才", "field"),
        Query("创业 补贴", "filter", filters=((Facet.CATEGORY.value, ("经济建设",)),)),
        Query("融资", "filter", filters=((Facet.STATUS.value, ("replied",)),)),
        Query("融资", "sort", sort=Sort.DATE.value),
        Query("人才 培训", "sort", sort=Sort.DATE.value),
        Query("担保", "filter+sort", filters=((Facet.YEAR.value, ("2015",)),), sort=Sort.DATE.value),
    ]
    return out


# -- loading -----------------------------------------------------------------------------------------


def load_corpus(url: str, corpus: Corpus, *, batch: int = 250) -> dict[str, Any]:
    """Store the corpus through the services, committing in batches.

    The engine here is not the app's, so commits do not update the index: it is built once
    afterwards, as `tracker reindex` would, and timed separately.
    """
    engine = make_engine(url)
    started = time.perf_counter()
    meetings: dict[str, int] = {}
    members: dict[str, int] = {}
    agencies: dict[str, int] = {}
    now = datetime.now(UTC)
    with Session(engine) as session:
        for k, gp in enumerate(corpus.proposals, 1):
            _load_one(session, gp, meetings, members, agencies, now)
            if k % batch == 0:
                session.commit()
        session.commit()
    engine.dispose()
    return {"seconds": round(time.perf_counter() - started, 2)}


def _cached(cache: dict[str, int], key: str, make: Callable[[], Any]) -> int:
    if key not in cache:
        cache[key] = make().id
    return cache[key]


def _load_one(
    session: Session,
    gp: GeneratedProposal,
    meetings: dict[str, int],
    members: dict[str, int],
    agencies: dict[str, int],
    now: datetime,
) -> None:
    meeting_id = _cached(
        meetings, gp.session_name,
        lambda: get_or_create_meeting(session=session, body="政协", name=gp.session_name, year=gp.year),
    )  # fmt: skip
    member_id = _cached(members, gp.proposer, lambda: get_or_create_member(session=session, name=gp.proposer))
    proposal = record_proposal(
        session=session,
        text=gp.text,
        title=gp.title,
        number=gp.number if gp.state in ACCEPTED else None,
        meeting=session.get(Meeting, meeting_id),
        proposer=session.get(Member, member_id),
        category=gp.category,
        status=gp.state,
        submitted_on=date(gp.year, 1, 15) if gp.state != "draft" else None,
        accepted_on=date(gp.year, 2, 1) if gp.state in ACCEPTED else None,
        published_at=now if gp.published else None,
    )
    if gp.lead_agency:
        assigned = date(gp.year, 2, 10)
        deadline = assigned - timedelta(days=400) if gp.overdue else assigned + timedelta(days=90)
        for name, role in [(gp.lead_agency, ReplyRole.LEAD), *((a, ReplyRole.CO) for a in gp.co_agencies)]:
            agency_id = _cached(agencies, name, lambda n=name: get_or_create_agency(session=session, name=n))
            session.add(
                Assignment(proposal_id=proposal.id, agency_id=agency_id, role=role.value, deadline=deadline)
            )
    if gp.reply:
        agency = session.get(Agency, agencies[gp.reply.agency])  # the lead, stored just above
        reply = record_reply(session=session, proposal=proposal, text=gp.reply.text, agency=agency)
        reply.outcome = gp.reply.outcome


# -- measuring -----------------------------------------------------------------------------------------


def _request(q: Query, viewer: Viewer, page_size: int = 10) -> SearchRequest:
    return SearchRequest(
        text=q.text, viewer=viewer, filters=dict(q.filters), sort=Sort(q.sort), page=1, page_size=page_size
    )


def measure_search(app, qs: list[Query], rounds: int) -> dict[str, Any]:
    backend = get_backend(app)

    def run(q: Query) -> object:
        return search_service.search(
            q.text, backend=backend, viewer=ANONYMOUS, filters=dict(q.filters), sort=q.sort
        )

    # cold: a searcher just opened (as after any update), no posting read yet; the open itself is
    # timed apart. Then warm rounds, as a running app answers most searches.
    backend.close()
    started = time.perf_counter()
    backend.count("", viewer=ANONYMOUS, filters={"number": ("1",)})
    open_ms = (time.perf_counter() - started) * 1000
    cold = time_each(qs, run)
    cold_slowest = sorted(zip(cold, [q.text for q in qs], strict=True), reverse=True)[:5]
    samples = time_each([q for _ in range(rounds) for q in qs], run)
    by_kind: dict[str, list[float]] = {}
    for q, ms in zip([q for _ in range(rounds) for q in qs], samples, strict=True):
        by_kind.setdefault(q.kind, []).append(ms)
    slowest = sorted(zip(samples, [q.text for _ in range(rounds) for q in qs], strict=True), reverse=True)[:5]
    return {
        "queries": len(qs),
        "rounds": rounds,
        **summary(samples),
        "by_kind": {k: summary(v) for k, v in by_kind.items()},
        "slowest": [{"query": t, "ms": round(ms, 1)} for ms, t in slowest],
        "cold": {
            "open_ms": round(open_ms, 1),
            **summary(cold),
            "slowest": [{"query": t, "ms": round(ms, 1)} for ms, t in cold_slowest],
        },
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def measure_baselines(
    app,
    qs: list[Query],
    rounds: int,
    fts_path: Path,
    *,
    procs: int = 1,
    like: bool = True,
    agreement: bool = True,
    viewer: Viewer = STAFF,
    reuse: bool = False,
) -> dict[str, Any]:
    """The peers (LIKE, FTS5, Tantivy) beside the tracker on the same queries. The text is cut
    once, in ``procs`` processes, for both engines (``cut_seconds``; each build then indexes the
    cut rows). ``like`` and ``agreement`` (the matching proposals of each single word, all of
    them, by every engine) can be left out where they would take long (a 100,000 archive);
    ``reuse`` searches the peers already built at ``fts_path`` (and the tantivy folder beside it)."""
    comparable = [q for q in qs if q.words and not q.filters and q.sort == Sort.RELEVANCE.value]
    backend = get_backend(app)
    repeated = [q for _ in range(rounds) for q in comparable]
    built = reuse and fts_path.exists() and (fts_path.parent / "tantivy").exists()
    with session_scope(app) as session:
        fts, tv = Fts5Index(fts_path), TantivyIndex(fts_path.parent / "tantivy")
        if built:
            rows = fts.db.execute("SELECT count(*) FROM unit_pid").fetchone()[0]
            cut_seconds = fts_build = tantivy_build = None
        else:
            started = time.perf_counter()
            cut = list(segmented_rows(unit_rows(session), procs=procs))
            cut_seconds = time.perf_counter() - started
            started = time.perf_counter()
            rows = fts.build_cut(cut)
            fts_build = time.perf_counter() - started
            started = time.perf_counter()
            tv.build_cut(cut)
            tantivy_build = time.perf_counter() - started
            del cut
        try:
            like_ms = time_each(repeated, lambda q: like_search(session, q.words)) if like else []
            fts_ms = time_each(repeated, lambda q: fts.search(q.words, phrase=q.phrase))
            tantivy_ms = time_each(repeated, lambda q: tv.search(q.words, phrase=q.phrase))
            tracker_ms = time_each(
                repeated, lambda q: search_service.search(q.text, backend=backend, viewer=viewer)
            )
            agreed = []
            for q in (q for q in comparable if q.kind == "word" and agreement):
                hits = backend.search(_request(q, STAFF, page_size=100_000))
                ours = {g.facts.proposal_id for g in hits.groups if g.facts.proposal_id is not None}
                like_set = like_ids(session, q.words) if like else ours
                fts_set, tv_set = fts.all_ids(q.words), tv.all_ids(q.words)
                agreed.append(
                    {
                        "query": q.text,
                        "tracker": len(ours),
                        "like": len(like_set),
                        "fts5": len(fts_set),
                        "tantivy": len(tv_set),
                        "jaccard_like": _jaccard(ours, like_set),
                        "jaccard_fts5": _jaccard(ours, fts_set),
                        "jaccard_tantivy": _jaccard(ours, tv_set),
                        "same": ours == like_set == fts_set == tv_set,
                    }
                )
        finally:
            fts.close()
            tv.close()
    t, lk, f5, tvs = summary(tracker_ms), summary(like_ms), summary(fts_ms), summary(tantivy_ms)

    def mean(key: str) -> float | None:
        return round(sum(a[key] for a in agreed) / len(agreed), 3) if agreed else None

    return {
        "queries": len(comparable),
        "cut_seconds": _seconds(cut_seconds),
        "cut_procs": procs,
        "reused": built,
        "tracker": t,
        "like": lk if like else None,
        "fts5": {
            **f5,
            "build_seconds": _seconds(fts_build),
            "rows": rows,
            "size_mb": round(fts_path.stat().st_size / 2**20, 2),
        },
        "tantivy": {
            **tvs,
            "build_seconds": _seconds(tantivy_build),
            "size_mb": folder_mb(fts_path.parent / "tantivy"),
        },
        "ratio_tracker_over_like": (
            {k: round(t[k] / lk[k], 3) for k in ("p50_ms", "p95_ms")} if like else None
        ),
        "ratio_tracker_over_fts5": {k: round(t[k] / f5[k], 3) for k in ("p50_ms", "p95_ms")},
        "ratio_tracker_over_tantivy": {k: round(t[k] / tvs[k], 3) for k in ("p50_ms", "p95_ms")},
        "agreement": agreed,
        "same_documents": all(a["same"] for a in agreed) if agreed else None,
        "same_documents_queries": sum(a["same"] for a in agreed),
        "mean_jaccard_like": mean("jaccard_like") if like else None,
        "mean_jaccard_fts5": mean("jaccard_fts5"),
        "mean_jaccard_tantivy": mean("jaccard_tantivy"),
    }


def _jaccard(a: set[int], b: set[int]) -> float:
    return round(len(a & b) / len(a | b), 3) if a | b else 1.0


def measure_pages(app, ids: list[int], n: int) -> dict[str, Any]:
    client = app.test_client()
    sample = [ids[i % len(ids)] for i in range(n)]
    for pid in sample[:10]:
        client.get(f"/proposals/{pid}")

    def get(pid: int) -> None:
        r = client.get(f"/proposals/{pid}")
        if r.status_code != 200:
            raise RuntimeError(f"/proposals/{pid} answered {r.status_code}")

    return summary(time_each(sample, get))


def measure_submit(app, corpus: Corpus, n: int) -> dict[str, Any]:
    """``n`` proposals and a reply to each (2n writes) stored through the services and committed on
    the app's engine, so the index is updated after commit before the call returns. A small corpus
    lends its replied proposals again (each submit is a new proposal all the same)."""
    replied = [p for p in corpus.proposals if p.reply]
    donors = list(islice(cycle(replied), n)) if replied else []
    proposal_ms: list[float] = []
    reply_ms: list[float] = []
    backend = get_backend(app)
    for k, gp in enumerate(donors):
        t = time.perf_counter()
        with session_scope(app) as session:
            proposal = record_proposal(
                session=session, text=gp.text, title=f"{gp.title}（基准提交{k}）", status="submitted"
            )
            pid = proposal.id
        proposal_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        with session_scope(app) as session:
            record_reply(session=session, proposal=session.get(Proposal, pid), text=gp.reply.text)
        reply_ms.append((time.perf_counter() - t) * 1000)
    probe = donors[-1] if donors else None
    fresh = (
        backend.search(_request(Query(f"{probe.title}（基准提交{len(donors) - 1}）", "check"), STAFF)).total
        > 0
        if probe
        else False
    )
    return {
        "proposal": summary(proposal_ms),
        "reply": summary(reply_ms),
        "writes": len(proposal_ms) + len(reply_ms),
        "searchable_on_return": fresh,
    }


def index_segments(app) -> int | None:
    """How many segments the index is in, once a merge the writes started is done (the state a live
    index settles into between writes); None for a backend without segments."""
    backend = get_backend(app)
    if hasattr(backend, "wait_for_merge"):
        backend.wait_for_merge(timeout=600)
    count = getattr(backend, "segment_count", None)
    return count() if count is not None else None


def after_writes(
    fresh: dict[str, Any], steady: dict[str, Any], writes: int, segments: int | None
) -> dict[str, Any]:
    """The search figures after a stream of writes, with their ratio to the fresh index's."""
    return {
        **steady,
        "writes": writes,
        "segments": segments,
        "over_fresh": {k: round(steady[k] / fresh[k], 3) for k in ("p50_ms", "p95_ms") if fresh.get(k)},
    }


# -- the run -------------------------------------------------------------------------------------------


def default_writes(quick: bool) -> int:
    """Writes before the steady-state search: the issue's 80 (a quick run), or its 1,000."""
    return 80 if quick else 1000


def load_paths(qs: list[Query], ids: list[int], rng: random.Random) -> list[str]:
    """A mix as the public uses the site: searches, proposal pages, list pages."""
    paths = [f"/search?q={q.text}" for q in qs if not q.filters][:40]
    paths += [f"/proposals/{pid}" for pid in rng.sample(ids, min(40, len(ids)))]
    paths += [
        "/",
        "/proposals",
        "/proposals?page=2",
        "/proposals?page=3",
        "/library",
        "/proposals?status=replied",
    ] * 3
    rng.shuffle(paths)
    return paths


BACKENDS = ("whoosh", "postgres")


@contextmanager
def fresh_archive(backend: str, folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(database URL, app config) of an empty archive searched by ``backend``: a SQLite file and a
    Whoosh folder, or a throwaway PostgreSQL server (tracker/testing/postgres.py) searched in it."""
    config: dict[str, Any] = {
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "SECRET_KEY": "bench-only-secret-key",
        "SEARCH_CHECK_ON_START": False,
        "SEARCH_BACKEND": backend,
    }
    if backend == "whoosh":
        url = f"sqlite:///{folder / 'bench.db'}"
        yield url, {**config, "DATABASE_URL": url}
        return
    from tracker.testing.postgres import create_database, start_cluster

    cluster = start_cluster()
    try:
        create_database(cluster.admin_url, "bench")
        url = cluster.url("bench")
        yield url, {**config, "DATABASE_URL": url}
    finally:
        cluster.stop()


def _sizes_mb(app, backend: str, folder: Path) -> tuple[float, float]:
    """(search index, database) sizes: the Whoosh folder and the SQLite file, or the search_unit
    table with its indexes and the whole PostgreSQL database."""
    if backend == "whoosh":
        return folder_mb(folder / "index"), round((folder / "bench.db").stat().st_size / 2**20, 2)
    with get_engine(app).connect() as connection:
        index, database = connection.execute(
            sa.text("SELECT pg_total_relation_size('search_unit'), pg_database_size(current_database())")
        ).one()
    return round(index / 2**20, 2), round(database / 2**20, 2)


def run(
    *,
    proposals: int,
    seed_value: int,
    quick: bool,
    load_seconds: int,
    writes: int | None = None,
    out: Path | None,
    progress: Callable[[str], None],
    backend: str = "whoosh",
    clone: int = 1,
) -> dict[str, Any]:
    """One backend's report, or with ``backend="both"`` each backend's report side by side (the same
    corpus, queries and writes, one after the other on the same machine). ``clone`` > 1 multiplies
    the loaded archive that many times in SQL before the index is built (tracker.bench.clone): the
    way to an archive of 100,000 proposals in minutes, where loading through the services takes
    hours."""
    names = BACKENDS if backend == "both" else (backend,)
    writes = writes if writes is not None else default_writes(quick)
    progress(f"generating {proposals} proposals")
    t = time.perf_counter()
    corpus = generate(proposals=proposals, seed=seed_value, seeds_dir=SEEDS_DIR)
    generated = time.perf_counter() - t
    reports = {}
    for name in names:
        reports[name] = run_backend(
            name,
            corpus=corpus,
            generated=generated,
            proposals=proposals,
            seed_value=seed_value,
            quick=quick,
            load_seconds=load_seconds,
            writes=writes,
            clone=clone,
            progress=lambda msg, name=name: progress(f"[{name}] {msg}"),
        )
    if len(names) == 1:
        result = reports[names[0]]
    else:
        result = {
            "machine": machine(),
            "params": {**reports[names[0]]["params"], "backend": "both"},
            "backends": reports,
            "side_by_side": side_by_side(reports),
        }
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


# beyond this many proposals the LIKE peer (a full scan per query) and the whole-set agreement of
# each word's results are left out of the baselines
LARGE = 20_000
LEFT_OUT_WHEN_LARGE = ("baselines.like", "baselines.ratio_tracker_over_like", "baselines.same_documents")

# the figures set side by side when both backends run
SIDE_BY_SIDE = (
    "bulk_load.db_seconds",
    "bulk_load.index_seconds",
    "bulk_load.index_size_mb",
    "search.p50_ms",
    "search.p95_ms",
    "search_after_writes.p50_ms",
    "search_after_writes.p95_ms",
    "submit.proposal.p95_ms",
    "submit.reply.p95_ms",
    "submit.searchable_on_return",
    "reindex.seconds",
    "baselines.ratio_tracker_over_fts5.p95_ms",
    "baselines.ratio_tracker_over_tantivy.p95_ms",
    "server.requests_per_s",
    "server_signed_in.requests_per_s",
)


def side_by_side(reports: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {path: {name: value(report, path) for name, report in reports.items()} for path in SIDE_BY_SIDE}


def run_backend(
    backend: str,
    *,
    corpus: Corpus,
    generated: float,
    proposals: int,
    seed_value: int,
    quick: bool,
    load_seconds: int,
    writes: int,
    progress: Callable[[str], None],
    clone: int = 1,
) -> dict[str, Any]:
    rng = random.Random(seed_value)
    large = proposals * clone > LARGE
    qs = queries()
    result: dict[str, Any] = {
        "machine": machine(),
        "params": {
            "proposals": proposals,
            "seed": seed_value,
            "quick": quick,
            "writes": writes,
            "backend": backend,
            "clone": clone,
        },
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with (
        tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp,
        fresh_archive(backend, Path(tmp)) as (
            url,
            config,
        ),
    ):
        folder = Path(tmp)
        app = create_app(config)
        migrate.upgrade(app, "head")
        with session_scope(app) as session:
            seed(session=session, seeds_dir=SEEDS_DIR)
            seed_demo_accounts(session=session)  # the signed-in load logs in as the demo member
        mb = corpus.chars * 3 / 2**20  # CJK text is three bytes a character in UTF-8
        result["corpus"] = {
            "proposals": len(corpus.proposals),
            "replies": sum(1 for p in corpus.proposals if p.reply),
            "characters": corpus.chars,
            "text_mb": round(mb, 1),
            "generate_seconds": round(generated, 2),
        }

        progress("loading through the services")
        loaded = load_corpus(url, corpus)
        if clone > 1:
            progress(f"cloning the archive ×{clone} in SQL")
            started = time.perf_counter()
            cloned = clone_archive(get_engine(app), clone)
            result["clone"] = {
                "times": clone,
                "seconds": round(time.perf_counter() - started, 2),
                "proposals_before": cloned.before["proposal"],
                "proposals": cloned.after["proposal"],
            }
        analyze(get_engine(app))  # the planner's statistics, as `tracker import` leaves them
        procs = default_procs()
        progress(f"building the index ({procs} processes, as `tracker reindex`)")
        rebuilt = get_keeper(app).rebuild(procs=procs)
        index_mb, db_mb = _sizes_mb(app, backend, folder)
        result["bulk_load"] = {
            "db_seconds": loaded["seconds"],
            "index_seconds": round(rebuilt.seconds, 2),
            "total_seconds": round(loaded["seconds"] + rebuilt.seconds, 2),
            "index_documents": rebuilt.units,
            "index_procs": procs,
            "documents_per_s": round(rebuilt.units / rebuilt.seconds, 1),
            "index_mb_per_s": round(mb / rebuilt.seconds, 3),
            "total_mb_per_s": round(mb / (loaded["seconds"] + rebuilt.seconds), 3),
            "index_size_mb": index_mb,
            "db_size_mb": db_mb,
            "peak_memory_mb": peak_memory_mb(),
        }

        with session_scope(app) as session:
            published = list(
                session.exec(select(Proposal.id).where(col(Proposal.published_at).is_not(None))).all()
            )
        rounds = 2 if quick else 3
        progress("search latency")
        result["search"] = {**measure_search(app, qs, rounds), "segments": index_segments(app)}
        progress("proposal pages")
        result["proposal_page"] = measure_pages(app, published, 100 if quick else 300)
        progress(f"submitting ({writes} writes: proposals and their replies)")
        result["submit"] = measure_submit(app, corpus, writes // 2)
        # steady state: the same searches on the index those writes left, as a live archive has it
        progress("search latency after the writes")
        result["search_after_writes"] = after_writes(
            result["search"], measure_search(app, qs, rounds), result["submit"]["writes"], index_segments(app)
        )
        progress("LIKE, FTS5 and Tantivy baselines")
        result["baselines"] = measure_baselines(
            app, qs, rounds, folder / "fts" / "fts.db", procs=procs, like=not large, agreement=not large
        )
        if large:  # a full scan per LIKE query, and every match of each word hydrated: hours
            result["left_out"] = {path: f"more than {LARGE} proposals" for path in LEFT_OUT_WHEN_LARGE}
        # the bulk build above is exactly `tracker reindex` on the loaded archive (the same call):
        # running it a second time would only add the same minutes again
        result["reindex"] = {
            "seconds": round(rebuilt.seconds, 2),
            "documents": rebuilt.units,
            "proposals": rebuilt.proposals,
            "procs": procs,
            "documents_per_s": round(rebuilt.units / rebuilt.seconds, 1),
        }
        get_engine(app).dispose()
        get_backend(app).close()

        progress(f"load test: gunicorn -w 2 for {load_seconds}s")
        env = {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": url,
            "TRACKER_SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"],
            "TRACKER_SEARCH_BACKEND": backend,
            "TRACKER_SECRET_KEY": "bench-only-secret-key",
            "HOME": tmp,
        }
        paths = load_paths(qs, published, rng)
        result["server"] = run_load(env=env, paths=paths, seconds=load_seconds)
        # the same mix for a signed-in member: no page cache, the login checked on every request
        progress(f"load test signed in: gunicorn -w 2 for {load_seconds}s")
        result["server_signed_in"] = run_load(
            env=env, paths=paths, seconds=load_seconds, account=("member", "member-demo")
        )
    result["peak_memory_mb"] = peak_memory_mb()
    result["targets_at_10000"] = targets(result)
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result
