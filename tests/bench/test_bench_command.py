"""`tracker bench` end to end at a tiny size: every figure is in the JSON, and it is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.bench.report import REQUIRED, missing, targets, value
from tracker.cli import main


def test_missing_names_absent_figures() -> None:
    assert missing({}) == list(REQUIRED)
    partial = {"machine": {"cores": 2, "memory_gib": 24}}
    assert "machine.cores" not in missing(partial) and "search.p95_ms" in missing(partial)


@pytest.mark.slow
def test_bench_quick_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        main,
        ["bench", "--quick", "--proposals", "30", "--load-seconds", "2", "--writes", "6", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert missing(report) == []
    assert report["corpus"]["proposals"] == 30
    assert value(report, "submit.searchable_on_return") is True
    # the same searches after the writes asked for, beside the fresh index's figures
    after = report["search_after_writes"]
    assert after["writes"] == report["submit"]["writes"] == 6
    assert after["n"] == report["search"]["n"] and after["segments"] >= 1
    assert after["over_fresh"]["p95_ms"] == round(after["p95_ms"] / report["search"]["p95_ms"], 3)
    assert value(report, "server.errors") == 0 and value(report, "server.requests_per_s") > 0
    assert report["baselines"]["queries"] >= 30 and report["search"]["queries"] >= 50
    assert set(report["targets_at_10000"]) == set(targets(report))
    assert json.loads(result.stdout) == report
