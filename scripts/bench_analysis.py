"""Time the per-unit work of a full reindex alone, in one process: what each worker does.

    PYTHONPATH=. .venv/bin/python scripts/bench_analysis.py --db /tmp/a10k/bench.db [--units 20000]
    PYTHONPATH=. .venv/bin/python scripts/bench_analysis.py --url postgresql+psycopg://…/db

Reads the first UNITS search units of an archive (as the rebuild reads them), then times, in CPU
seconds of this process, best of --rounds: ``analysis`` (index_tokens over a unit's text fields,
as both backends analyse them: title, text, summary), ``postgres`` (the PostgreSQL rebuild's
worker: rows, tsvectors and COPY text, ``copy_rows``) and ``whoosh`` (the term values the Whoosh
bulk writer takes from every field of a unit). Prints units a second and ms a unit as JSON. Run it
with PYTHONPATH pointing at another checkout to compare two versions on the same units.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker import create_app
from tracker.search import analysis
from tracker.search.documents import SearchDocument
from tracker.search.postgres import rebuild
from tracker.search.whoosh import schema as whoosh_schema
from tracker.services.search_sync import get_keeper


def _units(url: str, count: int) -> list[SearchDocument]:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "SEARCH_CHECK_ON_START": False,
            "SEARCH_BACKEND": "whoosh",
        }
    )
    return list(itertools.islice(get_keeper(app)._all(), count))


def _analysis(docs: list[SearchDocument]) -> None:
    for doc in docs:
        for text in (doc.title, "\n".join(t for t in (doc.title, doc.body, doc.agency) if t), doc.summary):
            for _token in analysis.index_tokens(text):
                pass


def _postgres(docs: list[SearchDocument]) -> None:
    rebuild.copy_rows(docs)


def _whoosh(docs: list[SearchDocument]) -> None:
    schema = whoosh_schema.make_schema()
    # the bulk writer's own call where this version has it, Whoosh's otherwise
    index: Callable[[Any, Any], Any] = getattr(whoosh_schema, "index_values", lambda f, v: f.index(v))
    for doc in docs:
        for name, value in whoosh_schema.document_fields(doc).items():
            field = schema[name]
            if field.indexed and value is not None:
                for _value in index(field, value):
                    pass


def _time(work: Callable[[list[SearchDocument]], None], docs: list[SearchDocument], rounds: int) -> dict:
    best = min(_cpu(work, docs) for _ in range(rounds))
    return {
        "cpu_s": round(best, 3),
        "units_per_s": round(len(docs) / best),
        "ms_per_unit": round(best * 1000 / len(docs), 4),
    }


def _cpu(work: Callable[[list[SearchDocument]], None], docs: list[SearchDocument]) -> float:
    start = time.process_time()
    work(docs)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", type=Path, help="an SQLite archive (bench.db): use a copy")
    where.add_argument("--url", help="a database URL")
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{args.db.resolve()}"
    docs = _units(url, args.units)
    _postgres(docs[:100])  # the segmenter and the tables loaded before timing
    result = {
        "units": len(docs),
        "chars_per_unit": round(sum(len(d.title) + len(d.body) + len(d.summary) for d in docs) / len(docs)),
        "analysis": _time(_analysis, docs, args.rounds),
        "postgres": _time(_postgres, docs, args.rounds),
        "whoosh": _time(_whoosh, docs, args.rounds),
        "load_average": list(os.getloadavg()),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
