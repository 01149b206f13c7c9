"""Search test helpers: run the search service on the test app's index and name what it found.

A found unit is named by where it is: ``No.2#s3`` (suggestion 3 of proposal No. 2), ``No.2#r3``
(reply point 3), ``No.2`` (the proposal's own text), ``No.2/reply`` (the reply letter's preamble and
closing), ``zhejiang#c5-16`` (a clause of a reference document), ``paper`` (a whole document).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest
from flask import Flask

from tracker import create_app
from tracker.db import get_engine
from tracker.search import GroupHit, SearchBackend, UnitHit, get_backend
from tracker.search.documents import GroupFacts, UnitType
from tracker.services import search as search_service
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import ANONYMOUS, Viewer

SHORT_SLUGS = {
    "zhejiang-small-micro-enterprises-opinions": "zhejiang",
    "beijing-sme-plan-2011-2015": "beijing",
    "local-government-support-abstract": "paper",
    "news-8000-small-micro-enterprises": "news",
}


def unit_name(facts: GroupFacts, unit: UnitHit) -> str:
    if facts.proposal_id is not None:
        base = f"No.{facts.number}" if facts.number is not None else f"p{facts.proposal_id}"
        if unit.type == UnitType.REPLY:
            return f"{base}/reply"
    else:
        base = SHORT_SLUGS.get(facts.slug or "", facts.slug or "")
    return f"{base}#{unit.anchor}" if unit.anchor else base


def names(groups: Sequence[GroupHit]) -> list[str]:
    """Every unit found, in result order."""
    return [unit_name(g.facts, u) for g in groups for u in g.units]


@pytest.fixture
def backend(app: Flask) -> SearchBackend:
    return get_backend(app)


Find = Callable[..., search_service.SearchOutcome]


@pytest.fixture
def find(backend: SearchBackend) -> Find:
    """Search as the page does, all results on one page."""

    def run(
        query: str,
        viewer: Viewer = ANONYMOUS,
        filters: Mapping[str, Sequence[str]] | None = None,
        **options: Any,
    ) -> search_service.SearchOutcome:
        options.setdefault("page_size", 100)
        options.setdefault("units_per_group", 100)
        return search_service.search(query, backend=backend, viewer=viewer, filters=filters, **options)

    return run


@pytest.fixture
def found(find: Find) -> Callable[..., list[str]]:
    """The names of the units a query finds (no 案号 jump expected)."""

    def run(query: str, viewer: Viewer = ANONYMOUS, **options: Any) -> list[str]:
        outcome = find(query, viewer, **options)
        assert outcome.jump is None, f"{query!r} jumped to a proposal"
        return names(outcome.results.groups) if outcome.results else []

    return run


@pytest.fixture
def unit_names() -> Callable[[Sequence[GroupHit]], list[str]]:
    return names


@pytest.fixture
def restart() -> Iterator[Callable[[Flask], Flask]]:
    """Start a new app on the same database and index (as a new worker would), with the start-up
    check on; the old app's index handle is closed first."""
    started: list[Flask] = []

    def run(app: Flask) -> Flask:
        get_backend(app).close()
        keys = ("TESTING", "SECRET_KEY", "DATABASE_URL", "SEARCH_INDEX_DIR", "SEARCH_BACKEND")
        new = create_app({**{k: app.config[k] for k in keys}, "SEARCH_CHECK_ON_START": True})
        started.append(new)
        return new

    yield run
    for app in started:
        get_keeper(app).wait_ready(30)
        get_backend(app).close()
        get_engine(app).dispose()


# Tests about the Whoosh index itself (its folder, lock, segments, evaluator), skipped when the app
# searches with the PostgreSQL backend (TRACKER_TEST_SEARCH=postgres); they still run with Whoosh.
WHOOSH_ONLY = (
    "test_consistency.py",
    "test_whoosh_arrays.py",
    "test_whoosh_merge.py",
    "test_sync.py::test_a_busy_index_defers_the_update_until_the_lock_is_free",
    "test_phrases.py::test_phrases_match_within_one_passage_in_both_evaluators",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TRACKER_TEST_SEARCH", "whoosh") != "postgres":
        return
    skip = pytest.mark.skip(reason="about the Whoosh index; the app searches with PostgreSQL here")
    for item in items:
        where = f"{item.path.name}::{item.originalname}"
        if any(where == name or item.path.name == name for name in WHOOSH_ONLY) and "/search/" in str(
            item.path
        ):
            item.add_marker(skip)
