"""Measure the search index: build time and query latency on the seed plus a synthetic archive.

    .venv/bin/python scripts/measure_search.py [--proposals 2000] [--repeat 5]

Builds a throw-away database and index in a temporary directory: the seed archive, then
``--proposals`` proposals (with replies) from tracker.bench.corpus, stored through the ordinary use
cases. Reports the after-commit indexing of that one big commit, a full ``tracker reindex``, and the
latency of the search service (as the page calls it: ranked, grouped, facets, highlights) for a set
of realistic queries, anonymous and as staff. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from tracker import create_app, migrate
from tracker.bench.corpus import generate
from tracker.db import get_engine, session_scope
from tracker.search import get_backend
from tracker.services import search as search_service
from tracker.services.people import get_or_create_agency, get_or_create_meeting, get_or_create_member
from tracker.services.proposals import record_proposal
from tracker.services.replies import record_reply
from tracker.services.search_sync import get_keeper
from tracker.services.seed import seed
from tracker.services.visibility import ANONYMOUS, Role, Viewer

QUERIES = [
    "培训",
    "融资难",
    "电子商务平台",
    '"服务与管理"',
    "小微企业",
    "小型微型企业 融资",
    "创新 OR 创业",
    "人才 NOT 高校",
    "标题:培训",
    "担保体系",
    "产业链",
    "商务平台",
    "高技能人才",
    "信息化建设",
    "公共服务平台",
    "financing",
    "enterprises",
    "第2号",
    "小微企业融资难",  # nothing as one phrase: the hints path
    "量子计算",  # nothing at all
]


def load(app, proposals: int) -> tuple[float, float, int]:
    """Store the synthetic proposals in one transaction; returns (load s, commit s, count)."""
    corpus = generate(proposals=proposals, seed=5, seeds_dir=Path(app.config["SEEDS_DIR"]))
    started = time.perf_counter()
    with Session(get_engine(app)) as session:
        for p in corpus.proposals:
            meeting = get_or_create_meeting(session=session, body="政协", name=p.session_name, year=p.year)
            stored = record_proposal(
                session=session,
                text=p.text,
                title=p.title,
                number=p.number,
                meeting=meeting,
                proposer=get_or_create_member(session=session, name=p.proposer),
                category=p.category,
                status=p.state,
                published_at=datetime.now(UTC) if p.published else None,
            )
            if p.reply is not None:
                agency = get_or_create_agency(session=session, name=p.reply.agency)
                record_reply(session=session, proposal=stored, text=p.reply.text, agency=agency)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        session.commit()  # the after-commit hook indexes every new proposal in one write
        committed = time.perf_counter() - started
    return loaded, committed, len(corpus.proposals)


def latency(backend, query: str, viewer: Viewer, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        search_service.search(query, backend=backend, viewer=viewer, page_size=10)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "measure",
                "DATABASE_URL": f"sqlite:///{tmp}/measure.db",
                "SEARCH_INDEX_DIR": f"{tmp}/index",
                "SEARCH_CHECK_ON_START": False,
            }
        )
        migrate.upgrade(app, "head")
        started = time.perf_counter()
        with session_scope(app) as session:
            seed(session=session, seeds_dir=app.config["SEEDS_DIR"])
        print(f"seed archive: stored and indexed in {time.perf_counter() - started:.2f} s")
        backend, keeper = get_backend(app), get_keeper(app)
        print(f"  reindex: {keeper.rebuild().summary()}")
        seed_times = [t for q in QUERIES for t in latency(backend, q, ANONYMOUS, args.repeat)]
        print(f"  query p50 {percentile(seed_times, 0.5):.1f} ms, p95 {percentile(seed_times, 0.95):.1f} ms")

        loaded, committed, count = load(app, args.proposals)
        print(
            f"synthetic archive: {count} proposals stored in {loaded:.1f} s; "
            f"their commit, with after-commit indexing, took {committed:.1f} s"
        )
        print(f"  reindex: {keeper.rebuild().summary()}")
        size = sum(f.stat().st_size for f in Path(tmp, "index").rglob("*") if f.is_file())
        print(f"  index size {size / 1e6:.1f} MB, {backend.doc_count()} documents")
        for name, viewer in (("anonymous", ANONYMOUS), ("staff", Viewer(Role.STAFF))):
            per_query = {q: latency(backend, q, viewer, args.repeat) for q in QUERIES}
            times = [t for ts in per_query.values() for t in ts]
            print(
                f"  {name}: {len(QUERIES)} queries x {args.repeat}: p50 {percentile(times, 0.5):.0f} ms, "
                f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms"
            )
        slowest = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:3]
        print(
            "  slowest (staff, median): "
            + ", ".join(f"{q} {statistics.median(t):.0f} ms" for q, t in slowest)
        )
        with Session(get_engine(app)) as session:
            started = time.perf_counter()
            for pid in range(2, 52):
                search_service.similar_proposals(session=session, backend=backend, proposal_id=pid)
            print(f"  similar proposals: {(time.perf_counter() - started) / 50 * 1000:.0f} ms per proposal")
        backend.close()
        get_engine(app).dispose()


if __name__ == "__main__":
    main()
