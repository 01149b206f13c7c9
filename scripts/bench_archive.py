"""Keep a benchmark archive on disk, then time a full reindex and the benchmark's searches on it.

    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py load --proposals 100000 --dir /work/whoosh100k
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py reindex --dir /work/whoosh100k [--procs 2]
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py search --dir /work/whoosh100k [--rounds 3]
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py writes --dir /work/whoosh100k --writes 1000
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py clone --dir /work/whoosh10k --times 10 --out DST
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py clone --url postgresql+psycopg://.../copy --times 10
    PYTHONPATH=. .venv/bin/python scripts/bench_archive.py peers --dir /work/whoosh100k [--url URL] [--like]

``load`` does what `tracker bench` does before its index build (the same corpus generator and
seed, the same loader through the services, the planner's statistics) into DIR/bench.db, so the
archive outlives the run: at 100,000 proposals the load alone takes tens of minutes. ``reindex``
is `tracker reindex` on it (DIR/index), timed; ``search`` runs the benchmark's 56 queries as
`tracker bench` does (cold: the first pass on a searcher just opened; then warm rounds);
``writes`` submits proposals and their replies as the benchmark does (through the services, the
index updated before each call returns), waits for the merge they started and searches again.
``clone`` copies DIR/bench.db to DST/bench.db and multiplies its proposals and everything hanging
off them in SQL (``tracker.bench.clone``: minutes where loading through the services takes hours),
or does so in place on the database at ``--url`` (make a copy first); then ``reindex`` DST.
``peers`` builds the benchmark's FTS5 and Tantivy peers over the archive's units (cut once, in
``--procs`` processes, into DIR/peers; ``--reuse`` searches those built before) and times the
benchmark's comparable queries on them and on the tracker (DIR's Whoosh index, or the PostgreSQL
backend of the database at ``--url``): the ratios tracker ÷ Tantivy and tracker ÷ FTS5 at the
archive's size. LIKE only with ``--like`` (a full scan per query: minutes at 100,000 proposals);
no per-word agreement of whole result sets.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from tracker import create_app, migrate
from tracker.bench.clone import clone_archive
from tracker.bench.corpus import generate
from tracker.bench.run import (
    SEEDS_DIR,
    after_writes,
    index_segments,
    load_corpus,
    measure_baselines,
    measure_search,
    measure_submit,
    queries,
)
from tracker.db import analyze, get_engine, make_engine, session_scope
from tracker.services.accounts import seed_demo_accounts
from tracker.services.search_sync import default_procs, get_keeper
from tracker.services.seed import seed


def _app(folder: Path):
    return create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "SECRET_KEY": "bench-only-secret-key",
            "SEARCH_CHECK_ON_START": False,
            "SEARCH_BACKEND": "whoosh",
        }
    )


def _load(folder: Path, proposals: int, seed_value: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "bench.db").exists():
        raise SystemExit(f"{folder / 'bench.db'} exists: remove it first")
    started = time.perf_counter()
    corpus = generate(proposals=proposals, seed=seed_value, seeds_dir=SEEDS_DIR)
    generated = time.perf_counter() - started
    app = _app(folder)
    migrate.upgrade(app, "head")
    with session_scope(app) as session:
        seed(session=session, seeds_dir=SEEDS_DIR)
        seed_demo_accounts(session=session)
    loaded = load_corpus(app.config["DATABASE_URL"], corpus)
    analyze(get_engine(app))
    return {
        "proposals": proposals,
        "seed": seed_value,
        "characters": corpus.chars,
        "generate_seconds": round(generated, 1),
        "load_seconds": loaded["seconds"],
        "db_mb": round((folder / "bench.db").stat().st_size / 2**20, 1),
    }


def _reindex(folder: Path, procs: int) -> dict:
    app = _app(folder)
    rebuilt = get_keeper(app).rebuild(procs=procs)
    return {
        "procs": procs,
        "seconds": round(rebuilt.seconds, 1),
        "units": rebuilt.units,
        "proposals": rebuilt.proposals,
        "units_per_s": round(rebuilt.units / rebuilt.seconds, 1),
    }


def _peers(folder: Path, url: str | None, rounds: int, procs: int, like: bool, reuse: bool) -> dict:
    if url is None:
        app = _app(folder)
    else:
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-only-secret-key",
                "SEARCH_CHECK_ON_START": False,
                "SEARCH_BACKEND": "postgres",
            }
        )
    if not reuse:
        shutil.rmtree(folder / "peers", ignore_errors=True)  # a peer's build adds to what it finds
    return {
        "backend": app.config["SEARCH_BACKEND"],
        **measure_baselines(
            app,
            queries(),
            rounds,
            folder / "peers" / "fts.db",
            procs=procs,
            like=like,
            agreement=False,
            reuse=reuse,
        ),
    }


def _search(folder: Path, rounds: int) -> dict:
    app = _app(folder)
    return measure_search(app, queries(), rounds)


def _writes(folder: Path, proposals: int, seed_value: int, writes: int, rounds: int) -> dict:
    app = _app(folder)
    fresh = {**measure_search(app, queries(), rounds), "segments": index_segments(app)}
    corpus = generate(proposals=proposals, seed=seed_value, seeds_dir=SEEDS_DIR)
    submit = measure_submit(app, corpus, writes // 2)
    steady = after_writes(
        fresh, measure_search(app, queries(), rounds), submit["writes"], index_segments(app)
    )
    return {"search": fresh, "submit": submit, "search_after_writes": steady}


def _clone(source: Path | None, out: Path | None, url: str | None, times: int) -> dict:
    started = time.perf_counter()
    if url is None:
        if source is None or out is None:
            raise SystemExit("clone needs --dir SRC and --out DST (or --url URL, cloned in place)")
        if (out / "bench.db").exists():
            raise SystemExit(f"{out / 'bench.db'} exists: remove it first")
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "bench.db", out / "bench.db")
        url = f"sqlite:///{out / 'bench.db'}"
    engine = make_engine(url)
    try:
        cloned = clone_archive(engine, times)
        analyze(engine)
    finally:
        engine.dispose()
    return {
        "times": times,
        "seconds": round(time.perf_counter() - started, 1),
        "rows_before": cloned.before,
        "rows_after": cloned.after,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["load", "reindex", "search", "writes", "clone", "peers"])
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--out", type=Path, help="clone: the new archive's folder")
    parser.add_argument(
        "--url", help="clone: a database to multiply in place (a copy!); peers: a PostgreSQL archive"
    )
    parser.add_argument("--like", action="store_true", help="peers: time SQL LIKE too")
    parser.add_argument("--reuse", action="store_true", help="peers: search the peers DIR/peers holds")
    parser.add_argument(
        "--times", type=int, default=10, help="clone: copies of each proposal, the original included"
    )
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--procs", type=int, default=default_procs())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args()
    if args.what != "clone" and args.dir is None:
        parser.error("--dir is required")
    if args.what == "clone":
        result = _clone(args.dir, args.out, args.url, args.times)
    elif args.what == "load":
        result = _load(args.dir, args.proposals, args.seed)
    elif args.what == "reindex":
        result = _reindex(args.dir, args.procs)
    elif args.what == "search":
        result = _search(args.dir, args.rounds)
    elif args.what == "peers":
        result = _peers(args.dir, args.url, args.rounds, args.procs, args.like, args.reuse)
    else:
        result = _writes(args.dir, args.proposals, args.seed, args.writes, args.rounds)
    result["load_average"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
