"""`tracker bench` end to end at a tiny size: every figure is in the JSON, and it is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.bench.report import REQUIRED, missing, targets, value
from tracker.cli import main
from tracker.testing.postgres import BIN_DIRS


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


def test_missing_looks_into_each_backend_of_a_side_by_side_report() -> None:
    whole = {"machine": {"cores": 2, "memory_gib": 24}}
    both = {"backends": {"whoosh": whole, "postgres": {}}}
    assert "postgres: machine.cores" in missing(both) and "whoosh: machine.cores" not in missing(both)
    assert "whoosh: search.p95_ms" in missing(both)


@pytest.mark.slow
@pytest.mark.skipif(not BIN_DIRS, reason="needs Debian's postgresql-15")
def test_bench_both_backends_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        main,
        [
            "bench", "--quick", "--proposals", "30", "--load-seconds", "1", "--writes", "4",
            "--backend", "both", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert missing(report) == []
    whoosh, postgres = report["backends"]["whoosh"], report["backends"]["postgres"]
    assert whoosh["params"]["backend"] == "whoosh" and postgres["params"]["backend"] == "postgres"
    # the same corpus and work on both
    assert whoosh["corpus"] == postgres["corpus"] and whoosh["search"]["n"] == postgres["search"]["n"]
    assert postgres["submit"]["searchable_on_return"] is True and postgres["server"]["errors"] == 0
    assert postgres["search"]["segments"] is None and postgres["bulk_load"]["index_size_mb"] > 0
    # the tracker on either beside the three peers; FTS5 and Tantivy find the same proposals
    for one in (whoosh, postgres):
        assert all(a["fts5"] == a["tantivy"] for a in one["baselines"]["agreement"])
        assert one["baselines"]["ratio_tracker_over_tantivy"]["p95_ms"] > 0
    side = report["side_by_side"]
    assert side["search.p95_ms"] == {
        "whoosh": whoosh["search"]["p95_ms"],
        "postgres": postgres["search"]["p95_ms"],
    }


@pytest.mark.slow
def test_bench_clones_the_loaded_archive_and_leaves_like_out_past_the_large_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.bench import run as bench_run

    monkeypatch.setattr(bench_run, "LARGE", 50)  # 20 proposals x 3 is "large" here
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        main,
        [
            "bench", "--quick", "--proposals", "20", "--clone", "3", "--load-seconds", "1", "--writes", "4",
            "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    cloned = report["clone"]
    assert report["params"]["clone"] == 3 and cloned["proposals_before"] == 21  # the seeded No. 2 too
    assert cloned["proposals"] == 63 == report["reindex"]["proposals"] and report["corpus"]["proposals"] == 20
    # the peers still beside the tracker; LIKE and the whole-set agreement said to be left out
    baselines = report["baselines"]
    assert baselines["like"] is None and baselines["agreement"] == [] and baselines["tantivy"]["n"] > 0
    assert set(report["left_out"]) == set(bench_run.LEFT_OUT_WHEN_LARGE)
    assert missing(report) == [] and "baselines.like.p50_ms" in missing({**report, "left_out": {}})
