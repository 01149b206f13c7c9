"""`tracker reindex`, and the seed commands filling the search index through the commit hook."""

from __future__ import annotations

import re
import shutil

from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.cli import bootstrap, main
from tracker.search import get_backend
from tracker.services.visibility import ANONYMOUS

SUMMARY = re.compile(
    r"^Reindexed (\d+) proposals and (\d+) reference documents: (\d+) search documents in \d+\.\d\d s\.$"
)


def test_reindex_reports_counts_and_time(runner: FlaskCliRunner, app: Flask) -> None:
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    found = SUMMARY.match(lines[0])
    assert found is not None, lines[0]
    proposals, documents, units = map(int, found.groups())
    assert (proposals, documents) == (1, 4)
    assert units == get_backend(app).doc_count() > 100
    assert get_backend(app).count("培训", viewer=ANONYMOUS) == 3


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
