"""`tracker bench-import`: generate an archive of files and import it, as an office would with
`tracker import` (issue 13: 10,000 documents at 20 documents/s or more, indexing included).

The files are written first (not timed); the figure is documents imported per second from the
first file read to the last document searchable: reading, classifying, parsing, storing with
provenance, one transaction per document, and the search index.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click

from tracker import create_app, migrate
from tracker.bench.archive_files import MIX, write_archive
from tracker.bench.measure import machine, peak_memory_mb
from tracker.db import get_engine
from tracker.importing import gather, run_import
from tracker.services.imports import DEFAULT_THRESHOLD, read_manifest
from tracker.services.search_sync import default_procs, get_keeper

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"


def bench_import(
    *, documents: int, seed_value: int, procs: int, mix: tuple[str, ...], progress
) -> dict[str, Any]:
    result: dict[str, Any] = {"machine": machine(), "params": {"documents": documents, "seed": seed_value}}
    with tempfile.TemporaryDirectory(prefix="tracker-bench-import-") as tmp:
        folder = Path(tmp)
        progress(f"writing {documents} documents ({', '.join(mix)})")
        t = time.perf_counter()
        truth = write_archive(
            folder / "archive", documents=documents, seed=seed_value, seeds_dir=SEEDS_DIR, mix=mix
        )
        formats = Counter(Path(p.file).suffix for p in truth.proposals) + Counter(
            Path(r.file).suffix for r in truth.replies
        )
        result["files"] = {
            "documents": truth.documents,
            "proposals": len(truth.proposals),
            "replies": len(truth.replies),
            "formats": dict(sorted(formats.items())),
            "write_seconds": round(time.perf_counter() - t, 1),
        }
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                "SEARCH_INDEX_DIR": str(folder / "index"),
                "SECRET_KEY": "bench-only-secret-key",
                "SEARCH_CHECK_ON_START": False,
            }
        )
        migrate.upgrade(app, "head")
        progress(f"importing ({procs} processes reading)")
        load_before = os.getloadavg()
        t = time.perf_counter()
        with app.app_context():
            sources, refused = gather([folder / "archive"])
            summary, _ = run_import(
                get_engine(app),
                sources,
                refused=refused,
                manifest=read_manifest(truth.manifest.read_bytes()) if truth.manifest else [],
                threshold=float(app.config.get("IMPORT_REVIEW_THRESHOLD", DEFAULT_THRESHOLD)),
                procs=procs,
                keeper=get_keeper(app),
                background=True,
            )
        seconds = time.perf_counter() - t
        imported = summary.created_total
        result["import"] = {
            "seconds": round(seconds, 1),
            "documents_imported": imported,
            "documents_per_s": round(imported / seconds, 1),
            "paired": summary.paired,
            "needs_review": len(summary.review),
            "refused": len(summary.refused),
            "failed": len(summary.failed),
            "procs": procs,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "peak_memory_mb": peak_memory_mb(),
        }
        result["target"] = {"documents_per_s": 20, "met": imported / seconds >= 20}
    return result


@click.command("bench-import")
@click.option("--documents", type=click.IntRange(10, 100_000), default=10_000, show_default=True)
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Same seed, same files.")
@click.option(
    "--procs", type=click.IntRange(1, 16), default=default_procs, show_default="the cores, at most 4"
)
@click.option(
    "--mix",
    default=",".join(MIX),
    show_default=True,
    help="File formats in turn: txt (UTF-8), gbk, utf16, docx, html.",
)
def bench_import_command(documents: int, seed_value: int, procs: int, mix: str) -> None:
    """Generate DOCUMENTS proposals and replies as files and time `tracker import` on them; print JSON."""
    formats = tuple(f.strip() for f in mix.split(",") if f.strip())
    unknown = set(formats) - set(MIX)
    if not formats or unknown:
        raise click.ClickException(
            f"--mix takes {', '.join(MIX)}; not {', '.join(sorted(unknown)) or 'nothing'}"
        )
    result = bench_import(
        documents=documents,
        seed_value=seed_value,
        procs=procs,
        mix=formats,
        progress=lambda msg: click.echo(f"bench-import: {msg}", err=True),
    )
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
