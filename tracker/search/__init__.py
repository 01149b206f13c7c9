"""Full-text search engines: the contract the app uses, and the registry that picks a backend.

documents.py     what is searchable: plain units (no engine, no database here)
analysis.py      Chinese and English analysis over rjieba (no engine here)
query.py         案号 patterns and broader rewrites of a query
highlight.py     fragments of a text with the matches marked
language.py      the query language both backends read (fields, scopes, rewrites; Whoosh's parser only)
marking.py       what to mark for a query and where, in a stored text (both backends)
whoosh/          the Whoosh backend (the embedded default): the only code that opens a Whoosh index
postgres/        the PostgreSQL backend: the search_unit table in the archive's own database

The contract has two sides: ``QueryBackend`` (what the pages and services ask) and
``IndexingBackend`` (what keeps the index true to the database); ``SearchBackend`` is both, and
every entry of ``BACKENDS`` builds one. The engines know nothing of the application: turning rows
into units and keeping an index in step with commits is done above them, in the services
(search_documents, search_sync), which is also where a backend is created for the app. Nothing
here needs a request: the search service drives a backend directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from flask import Flask, current_app

from tracker.domain.visibility import Viewer
from tracker.search.documents import GroupFacts, SearchDocument, UnitType

# SEARCH_BACKEND value -> "module:class"; the class is built with the app config.
BACKENDS = {
    "whoosh": "tracker.search.whoosh:WhooshBackend",
    # documents in a table of the archive's PostgreSQL database, written with the data (postgres/)
    "postgres": "tracker.search.postgres.backend:PostgresBackend",
}

_EXTENSION_KEY = "tracker.search"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"  # newest proposal first


class Facet(StrEnum):
    SESSION = "session"  # meeting id
    YEAR = "year"
    CATEGORY = "category"
    AGENCY = "agency"  # agency name (a proposal may have several)
    OUTCOME = "outcome"  # A/B/C of its replies (several possible)
    STATUS = "status"
    TYPE = "type"  # unit type


# Facets counted in units; the others count groups (proposals and reference documents).
UNIT_FACETS = frozenset({Facet.TYPE})

# Loads the current documents of some groups: called by a backend inside its write lock.
Loader = Callable[[Collection[str]], Iterable[SearchDocument]]


@dataclass(frozen=True)
class Fragment:
    """A piece of text cut for display: plain strings, each marked as a match or not.

    No markup here: the web layer escapes every piece and wraps only the matches in <mark>.
    """

    pieces: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _marked in self.pieces)

    @property
    def marked(self) -> bool:
        return any(marked for _text, marked in self.pieces)


@dataclass(frozen=True)
class UnitHit:
    key: str
    type: UnitType
    title: Fragment
    fragments: tuple[Fragment, ...]
    anchor: str
    position: int
    score: float
    reply_id: int | None = None
    agency: str = ""
    history: bool = False  # of an earlier letter, replaced by a re-handling's (superseded)


@dataclass(frozen=True)
class GroupHit:
    """A proposal or reference document with the units of it that matched, best first."""

    facts: GroupFacts
    title: Fragment
    score: float
    units: tuple[UnitHit, ...]  # the best ``units_per_group`` of them, highlighted
    unit_count: int = 0  # how many of its units matched in all

    @property
    def key(self) -> str:
        return self.facts.group

    @property
    def more_units(self) -> int:
        return max(0, self.unit_count - len(self.units))


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchRequest:
    text: str
    viewer: Viewer
    # a Facet, "number" (案号) or "group" -> accepted values: values of one are ORed, filters ANDed
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = 10  # groups per page
    units_per_group: int = 3  # matching units returned (and highlighted) per group
    # also the units of earlier letters (replaced by a re-handling's): by default only what is in force
    history: bool = False


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    groups: tuple[GroupHit, ...]
    total: int  # matching groups
    total_units: int
    facets: Mapping[str, tuple[FacetCount, ...]]
    page: int  # the page actually shown (a page past the end gives the last one)
    # matching units of earlier letters (passing the filters): shown with ``request.history``,
    # otherwise left out (the page offers to include them)
    history_units: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.request.page_size)))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Similar:
    """A group similar to a text, with its best units (for clauses: the clauses themselves)."""

    facts: GroupFacts
    score: float
    units: tuple[UnitHit, ...] = ()


@dataclass(frozen=True)
class IndexState:
    """What the index holds, for the start-up check: units and fingerprint per group."""

    counts: Mapping[str, int]
    healthy: bool  # False: missing, unreadable or of another schema; rebuild it
    # the fingerprint its units carry (documents.fingerprint); "" when they disagree or have none
    fingerprints: Mapping[str, str] = field(default_factory=dict)


class IndexBusy(RuntimeError):
    """The index stayed locked by another writer for the whole timeout; the update waits for a retry."""


class QueryBackend(Protocol):
    """The query side: what the search page, the API, the proposal page and the services ask.

    Required: ``search`` (ranked groups with their best units highlighted, exact totals),
    ``count``, ``doc_count`` and ``generation``. Optional, with the answer a backend without them
    gives: ``SearchResults.facets`` may be empty (the page then shows no counts to narrow by),
    ``spelling`` may always return None (no "did you mean"), ``more_like_this`` may return []
    (no similar proposals, no related clauses). Visibility is part of every answer: a backend
    applies the rule of tracker.domain.visibility.can_see to the viewer it is given.
    """

    def search(self, request: SearchRequest) -> SearchResults: ...

    def count(
        self, text: str, *, viewer: Viewer, filters: Mapping[str, tuple[str, ...]] | None = None
    ) -> int:
        """How many groups match (no ranking, no highlights)."""
        ...

    def spelling(self, text: str) -> str | None:
        """Optional: the query with misspelt words replaced by indexed ones, or None when nothing
        changes (or the backend does not correct)."""
        ...

    def more_like_this(
        self,
        text: str,
        *,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str] = (),
        limit: int = 5,
    ) -> list[Similar]:
        """Optional: units like ``text`` within ``types`` ([] from a backend without it)."""
        ...

    def doc_count(self) -> int: ...

    def generation(self) -> int:
        """A number that changes whenever the index does (pages rendered from it are kept by it)."""
        ...

    def close(self) -> None: ...


class IndexingBackend(Protocol):
    """The indexing side: what keeps the index true to the database (the services' search_sync).

    Required: ``index_documents``, ``delete``, ``rebuild``, ``state``, ``clear`` and ``close``.
    Optional, with what a backend without them does: ``pending``/``retry_pending`` (a backend
    that never leaves an update waiting answers False and 0), ``maintenance`` (a backend whose
    check and rebuild need no exclusion across processes yields at once). Extras some backends
    have and callers look up with getattr: ``wait_for_merge`` and ``segment_count`` (the
    benchmark reports segments).
    """

    def index_documents(self, groups: Collection[str], load: Loader) -> int:
        """Replace every document of ``groups`` by ``load(groups)``; returns documents written.

        ``load`` is called while the backend holds its write lock, so of two writers the one
        that writes last also read the database last: an older state never overwrites a newer.
        """
        ...

    def delete(self, groups: Collection[str]) -> None: ...

    def rebuild(self, documents: Callable[[], Iterable[SearchDocument]], *, procs: int = 1) -> int:
        """Replace the whole index; ``procs``: how many processes the backend may use for it."""
        ...

    def pending(self) -> bool:
        """Optional: whether updates are waiting for a retry (the write lock was busy too long)."""
        ...

    def retry_pending(self, load: Loader) -> int:
        """Optional: apply the updates waiting; returns documents written."""
        ...

    def state(self) -> IndexState:
        """What the index holds (units and fingerprint per group), for the start-up check."""
        ...

    def maintenance(self) -> AbstractContextManager[None]:
        """Optional: held while checking or rebuilding the index, one process at a time."""
        ...

    def clear(self) -> None: ...

    def close(self) -> None: ...


class SearchBackend(QueryBackend, IndexingBackend, Protocol):
    """Both sides: what an entry of ``BACKENDS`` builds and the app keeps (``get_backend``)."""


def create_backend(
    config: Mapping[str, Any], *, clock: Callable[[], datetime] | None = None
) -> SearchBackend:
    """The backend ``SEARCH_BACKEND`` names, built from ``config``; ``clock`` is what a scheduled
    publication is judged against (the app passes its visibility clock; default: the system's)."""
    name = config.get("SEARCH_BACKEND", "whoosh")
    try:
        module_name, class_name = BACKENDS[name].split(":")
    except KeyError:
        raise ValueError(f"unknown SEARCH_BACKEND {name!r}; known: {', '.join(BACKENDS)}") from None
    backend_class = getattr(importlib.import_module(module_name), class_name)
    return backend_class.from_config(config, clock=clock)


def register(app: Flask, backend: SearchBackend) -> None:
    """Keep ``backend`` as the app's (the services' search_sync.init_app creates it)."""
    app.extensions[_EXTENSION_KEY] = backend


def get_backend(app: Flask | None = None) -> SearchBackend:
    return (app or current_app).extensions[_EXTENSION_KEY]
