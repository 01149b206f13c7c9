"""`tracker bench-import`: generates the files, imports them, reports documents per second (a
command, not a timed test: the figure is checked for presence, not for speed)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tracker.cli import main


def test_bench_import_reports_its_figures() -> None:
    result = CliRunner().invoke(main, ["bench-import", "--documents", "12", "--procs", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files"]["documents"] == 12
    assert report["import"]["documents_imported"] == 12 and report["import"]["documents_per_s"] > 0
    assert report["import"]["failed"] == 0 and report["import"]["refused"] == 0
    assert len(report["import"]["load_average_before"]) == 3
    assert set(report["files"]["formats"]) <= {".txt", ".docx", ".html"}


def test_bench_import_refuses_an_unknown_format() -> None:
    result = CliRunner().invoke(main, ["bench-import", "--documents", "12", "--mix", "txt,xls"])
    assert result.exit_code == 1 and "xls" in result.output
