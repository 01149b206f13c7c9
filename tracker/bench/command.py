"""The `tracker bench` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from tracker.bench.report import missing
from tracker.bench.run import run


@click.command("bench")
@click.option(
    "--proposals",
    type=click.IntRange(10, 1_000_000),
    default=10_000,
    show_default=True,
    help="Size of the generated archive.",
)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=1,
    show_default=True,
    help="Corpus seed (same seed, same corpus).",
)
@click.option("--quick", is_flag=True, help="A small run for CI: 1,000 proposals, fewer rounds, a 10 s load.")
@click.option(
    "--load-seconds",
    type=click.IntRange(1, 600),
    default=None,
    help="Length of the load test [default: 30, or 10 with --quick].",
)
@click.option(
    "--writes",
    type=click.IntRange(0, 100_000),
    default=None,
    help="Writes (a proposal, then its reply) before searching again [default: 1000, or 80 with --quick].",
)
@click.option(
    "--backend",
    type=click.Choice(["whoosh", "postgres", "both"]),
    default="whoosh",
    show_default=True,
    help="The search backend measured; both: each on the same corpus, side by side in one report "
    "(postgres starts a throwaway PostgreSQL server: Debian's postgresql-15).",
)
@click.option(
    "--clone",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Multiply the loaded archive this many times in SQL before indexing (10,000 x 10: "
    "100,000 proposals in minutes); past 20,000 the LIKE peer is left out.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the JSON [default: instance/bench/bench-<time>.json].",
)
def bench_command(
    proposals: int,
    seed_value: int,
    quick: bool,
    load_seconds: int | None,
    writes: int | None,
    backend: str,
    clone: int,
    out: Path | None,
) -> None:
    """Measure the archive at scale beside SQL LIKE, SQLite FTS5 and Tantivy; print one JSON document."""
    if quick:
        proposals = min(proposals, 1000)
    load_seconds = load_seconds or (10 if quick else 30)
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = Path(__file__).resolve().parents[2] / "instance" / "bench" / f"bench-{stamp}.json"
    result = run(
        proposals=proposals,
        seed_value=seed_value,
        quick=quick,
        load_seconds=load_seconds,
        writes=writes,
        out=out,
        backend=backend,
        clone=clone,
        progress=lambda msg: click.echo(f"bench: {msg}", err=True),
    )
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    click.echo(f"bench: written to {out}", err=True)
    absent = missing(result)
    if absent:
        raise click.ClickException(f"the report lacks figures: {', '.join(absent)}")
