"""`tracker reindex`, and the seed commands filling the search index through the commit hook."""

from __future__ import annotations

import re
import shutil

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.cli import bootstrap, main
from tracker.search import get_backend
from tracker.services.visibility import ANONYMOUS

SUMMARY = re.compile(
    r"^Reindexed (\d+) proposals and (\d+) reference documents: (\d+) search documents in \d+\.\d\d s\.$"
)


@pytest.mark.parametrize("procs", ["1", "2"])
def test_reindex_reports_counts_and_time(runner: FlaskCliRunner, app: Flask, procs: str) -> None:
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    result = runner.invoke(main, ["reindex", "--procs", procs])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    found = SUMMARY.match(lines[0])
    assert found is not None, lines[0]
    proposals, documents, units = map(int, found.groups())
    assert (proposals, documents) == (1, 4)
    assert units == get_backend(app).doc_count() > 100
    assert get_backend(app).count("培训", viewer=ANONYMOUS) == 3
    assert get_backend(app).count('"服务与管理"', viewer=ANONYMOUS) == 1


def test_a_parallel_reindex_that_loses_documents_is_done_again_in_one_process(
    runner: FlaskCliRunner, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = get_backend(app)
    expected = backend.doc_count()
    real = type(backend).doc_count
    calls = []

    def short_once(self) -> int:  # the parallel writer's count comes back one short
        calls.append(1)
        return real(self) - (1 if len(calls) == 1 else 0)

    monkeypatch.setattr(type(backend), "doc_count", short_once)
    result = runner.invoke(main, ["reindex", "--procs", "2"])
    assert result.exit_code == 0, result.output
    found = SUMMARY.match(result.output.strip())
    assert found is not None and int(found.group(3)) == expected  # counted once, not twice
    monkeypatch.undo()
    assert backend.doc_count() == expected
    assert len(calls) == 1


def test_seed_fills_the_index(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert get_backend(fresh_app).count("培训", viewer=ANONYMOUS) == 0
    assert runner.invoke(main, ["seed"]).exit_code == 0
    assert get_backend(fresh_app).count("培训", viewer=ANONYMOUS) == 3


def test_bootstrap_leaves_a_searchable_archive(fresh_app: Flask) -> None:
    assert bootstrap(fresh_app) is not None
    backend = get_backend(fresh_app)
    assert backend.count('"服务与管理"', viewer=ANONYMOUS) == 1
    assert backend.count("financing", viewer=ANONYMOUS) == 2
