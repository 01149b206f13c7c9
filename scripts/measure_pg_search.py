"""The benchmark's 56 searches on an existing PostgreSQL archive (SEARCH_BACKEND=postgres), as
`tracker bench` runs them (anonymous viewer, warm, top 10 with highlights and exact facets):
p50/p95 overall and per kind of query, and the slowest queries.

    PYTHONPATH=. .venv/bin/python scripts/measure_pg_search.py postgresql+psycopg://…/db [ROUNDS]
"""

from __future__ import annotations

import json
import os
import sys

from tracker import create_app
from tracker.bench.measure import summary, time_each
from tracker.bench.run import queries
from tracker.search import get_backend
from tracker.services import search as search_service
from tracker.services.visibility import ANONYMOUS


def main(url: str, rounds: int = 3) -> dict:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "measure-only",
            "SEARCH_BACKEND": "postgres",
            "SEARCH_CHECK_ON_START": False,
        }
    )
    backend = get_backend(app)
    qs = queries()

    def run(q) -> object:
        return search_service.search(
            q.text, backend=backend, viewer=ANONYMOUS, filters=dict(q.filters), sort=q.sort
        )

    time_each(qs, run)  # one warm-up pass, as a running app is warm
    repeated = [q for _ in range(rounds) for q in qs]
    samples = time_each(repeated, run)
    by_kind: dict[str, list[float]] = {}
    for q, ms in zip(repeated, samples, strict=True):
        by_kind.setdefault(q.kind, []).append(ms)
    slowest = sorted(zip(samples, [q.text for q in repeated], strict=True), reverse=True)
    seen: dict[str, float] = {}
    for ms, text in slowest:
        seen.setdefault(text, round(ms, 1))
    return {
        "rounds": rounds,
        "load_average": os.getloadavg(),
        **summary(samples),
        "by_kind": {
            k: {"p50_ms": v["p50_ms"], "p95_ms": v["p95_ms"]}
            for k, v in ((k, summary(s)) for k, s in by_kind.items())
        },
        "slowest": list(seen.items())[:8],
    }


if __name__ == "__main__":
    print(
        json.dumps(
            main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3), ensure_ascii=False, indent=1
        )
    )
