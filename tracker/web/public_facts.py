"""Facts of the public archive that signed-in pages need as well (home totals, the states a list
can be filtered by), computed once per change of the archive rather than once per request.

Kept per process under the archive's generation and the latest publication moment come — the page
cache's key (tracker/web/page_cache.py) — which every server reads from the database: a change made
on any server, or a scheduled publication coming, moves the key, so no server answers from facts
older than the data. Only what the anonymous visitor sees is kept; each viewer's own part is
counted apart by the service (``own_clause``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g
from sqlmodel import Session

from tracker import generation
from tracker.db import get_session
from tracker.services.visibility import publication_mark

T = TypeVar("T")

_EXTENSION_KEY = "tracker.public_facts"


def archive_state() -> tuple[int, object]:
    """The archive's generation and publication mark as this request first read them: read once a
    request (a page asking for several kept facts pays two light queries, not two a fact). The
    pages using kept facts are GET pages, which write nothing before they render."""
    state: tuple[int, object] | None = g.get("archive_state")
    if state is None:
        session = get_session()
        state = g.archive_state = (generation.current(session), publication_mark(session=session))
    return state


def kept(name: str, compute: Callable[[Session], T]) -> Callable[[], T]:
    """A callable giving ``compute(session)`` as of the archive's current state, computed at most
    once per state and name in this process. Callers must not change what it returns."""

    def get() -> T:
        session = get_session()
        key = archive_state()
        store: dict[str, tuple[object, T]] = current_app.extensions.setdefault(_EXTENSION_KEY, {})
        found = store.get(name)
        if found is not None and found[0] == key:
            return found[1]
        value = compute(session)
        store[name] = (key, value)
        return value

    return get
