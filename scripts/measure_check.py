"""Time the search index's start-up check at archive scale (issue 11, item 5).

    PYTHONPATH=. .venv/bin/python scripts/measure_check.py [--proposals 10000] [--db PATH]

Generates the benchmark corpus (tracker/bench/corpus.py, seed 1), loads it through the services
into a SQLite file (kept at --db for a second run), then times both sides of the check: the
database's fingerprints (documents.expected_state, in bulk) and what the index holds
(backend.state(), on a backend just opened). The index here holds, per group, as many units as the
database with their fingerprints and nothing else (the check reads only those two columns), so it
is written in a minute rather than the full reindex's minutes. Finally one proposal is withheld
behind the index's back and the comparison must find exactly that one group.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select
from whoosh.writing import CLEAR

from tracker import create_app, migrate
from tracker.bench.corpus import generate
from tracker.bench.run import SEEDS_DIR, load_corpus
from tracker.db import get_engine, session_scope
from tracker.models import Proposal
from tracker.search.whoosh import WhooshBackend
from tracker.services import search_documents
from tracker.services.seed import seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "measure-check.db")
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    index_dir = Path(tempfile.mkdtemp(prefix="measure-check-index-"))
    app = create_app(
        {"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(index_dir), "SEARCH_CHECK_ON_START": False}
    )
    if not args.db.exists() or args.db.stat().st_size == 0:
        migrate.upgrade(app, "head")
        with session_scope(app) as session:
            seed(session=session, seeds_dir=SEEDS_DIR)
        t = time.perf_counter()
        corpus = generate(proposals=args.proposals, seed=1, seeds_dir=SEEDS_DIR)
        print(f"loading {len(corpus.proposals)} proposals ...", flush=True)
        load_corpus(url, corpus)
        print(f"  generated and loaded in {time.perf_counter() - t:.1f} s", flush=True)
    engine = get_engine(app)

    t = time.perf_counter()
    with Session(engine) as session:
        expected = search_documents.expected_state(session=session)
    db_seconds = time.perf_counter() - t
    units = sum(n for n, _f in expected.values())
    proposals = sum(1 for g in expected if g.startswith("p"))
    print(f"database side: {proposals} proposals, {len(expected)} groups, {units} units: {db_seconds:.2f} s")

    writer_backend = WhooshBackend(index_dir)
    writer = writer_backend._writer(limitmb=128)
    for group, (count, stamp) in expected.items():
        for i in range(count):
            writer.add_document(
                key=f"{group}-{i}", group=group, fingerprint=stamp, published="y", history="n"
            )
    writer.commit(mergetype=CLEAR)  # only these: not what the seed's commits indexed on the way
    writer_backend.close()

    backend = WhooshBackend(index_dir)  # a new process's backend: nothing read yet
    t = time.perf_counter()
    state = backend.state()
    index_seconds = time.perf_counter() - t
    t = time.perf_counter()
    held = {g: (n, state.fingerprints.get(g, "")) for g, n in state.counts.items()}
    stale = {g for g in expected.keys() | held.keys() if expected.get(g) != held.get(g)}
    compare_seconds = time.perf_counter() - t
    print(f"index side (open + read two columns): {index_seconds:.2f} s; comparison {compare_seconds:.3f} s")
    print(f"stale groups: {len(stale)}")

    with Session(engine) as session:
        published = session.exec(select(Proposal.id).where(Proposal.published_at.is_not(None))).first()
        session.exec(update(Proposal).where(Proposal.id == published).values(published_at=None))
        session.commit()
        again = search_documents.expected_state(session=session)
        session.exec(
            update(Proposal).where(Proposal.id == published).values(published_at=Proposal.created_at)
        )
        session.commit()
    stale = {g for g in again.keys() | held.keys() if again.get(g) != held.get(g)}
    print(f"after withholding p{published} behind the index's back, stale groups: {sorted(stale)}")
    print(f"total check time at this size: {db_seconds + index_seconds + compare_seconds:.1f} s")
    backend.close()


if __name__ == "__main__":
    main()
