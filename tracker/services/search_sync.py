"""Keep the index true to the database: after-commit updates, the start-up check, reindex.

Application code above the engines: it reads rows (tracker.services.search_documents) and hands
units to a backend's indexing side (tracker.search.IndexingBackend); no engine imports it.

After commit, never before. Every flush notes, in ``session.info`` (the session's own dict), which
groups its rows belong to: a Proposal, any row with a ``proposal_id`` (suggestions, replies,
signers, and tables added later such as assignments), a reply point through its reply, a
reference document or clause; renamed meetings, members and agencies touch the proposals that
show their names. When the outermost transaction commits, those groups are re-read from the
database and replaced in the index; a rollback drops the notes, so nothing rolled back is indexed.
Bulk ``UPDATE``/``DELETE`` statements bypass the flush: run ``tracker reindex`` after one.

At start (on the first request of each process, in a background thread so no page waits for it)
the index is compared with the database, group by group: the number of units and a fingerprint of
everything indexed about the group (tracker.search.documents.fingerprint: texts, publication, status, session,
letters, who may see it), stored on each unit and computed afresh from the database in bulk.
A missing, unreadable or outdated index
is rebuilt, a few stale groups are re-indexed, and updates left pending by a busy lock are applied.
Search requests wait for this check for at most ``SEARCH_READY_WAIT`` seconds; other pages never do.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from tracker import search
from tracker.db import get_engine
from tracker.models import (
    Agency,
    Meeting,
    Member,
    Proposal,
    ProposalSigner,
    ReferenceClause,
    ReferenceDocument,
    Reply,
    ReplyPoint,
)
from tracker.search import IndexingBackend, documents
from tracker.services import search_documents, visibility

log = logging.getLogger(__name__)

_INFO_KEY = "tracker.search.changed"
_KEEPER_KEY = "tracker.search.keeper"
_KEEPERS: weakref.WeakKeyDictionary[Engine, IndexKeeper] = weakref.WeakKeyDictionary()
_installed = False
_install_lock = threading.Lock()

# A few stale groups are re-indexed one by one; past this share of the archive, rebuild instead.
REBUILD_SHARE = 0.5
RETRY_DELAYS = (0.5, 2.0, 10.0, 30.0, 60.0)  # seconds between retries of a busy index


# -- collecting changes on flush -------------------------------------------------------------------

Mark = tuple[str, int]  # ("p", proposal id) | ("d", document id) | ("reply"|"meeting"|"member"|"agency", id)


def _ids(obj: Any, attribute: str) -> Iterator[int]:
    """The attribute's value now and, for a changed row, its value before (a row may move)."""
    value = getattr(obj, attribute, None)
    if isinstance(value, int):
        yield value
    state = inspect(obj, raiseerr=False)
    if state is not None and attribute in state.attrs:
        for old in state.attrs[attribute].history.deleted or ():
            if isinstance(old, int):
                yield old


def marks_of(obj: Any) -> Iterator[Mark]:
    """Which groups (or rows leading to groups) a changed row touches."""
    if isinstance(obj, Proposal):
        yield from (("p", i) for i in _ids(obj, "id"))
    elif isinstance(obj, ReferenceDocument):
        yield from (("d", i) for i in _ids(obj, "id"))
    elif isinstance(obj, ReferenceClause):
        yield from (("d", i) for i in _ids(obj, "document_id"))
    elif isinstance(obj, ReplyPoint):
        yield from (("reply", i) for i in _ids(obj, "reply_id"))
    elif isinstance(obj, Meeting | Member | Agency):
        yield from ((type(obj).__name__.lower(), i) for i in _ids(obj, "id"))
    elif hasattr(obj, "proposal_id"):
        yield from (("p", i) for i in _ids(obj, "proposal_id"))


def _after_flush(session: OrmSession, _context: Any) -> None:
    marks: set[Mark] = session.info.setdefault(_INFO_KEY, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        marks.update(marks_of(obj))


def take_marks(session: OrmSession) -> set[Mark]:
    """The changes a session noted since its last commit, taken so that its commit does not index
    them: a caller that batches index updates (the archive import) flushes, takes, commits, and
    applies a batch with ``IndexKeeper.apply`` after its commits."""
    return session.info.pop(_INFO_KEY, None) or set()


def _before_commit(session: OrmSession) -> None:
    """A backend that keeps its documents in the database (postgres) writes them here, in the
    transaction about to commit, so they commit or roll back with the rows they describe."""
    if session.in_nested_transaction():
        return
    keeper = _KEEPERS.get(session.bind) if isinstance(session.bind, Engine) else None
    write = getattr(keeper.backend, "write_in_transaction", None) if keeper is not None else None
    if write is None:
        return
    session.flush()  # what commit would flush anyway, so its rows are noted first
    marks = session.info.pop(_INFO_KEY, None)
    if marks:
        connection = session.connection()

        def load(groups: Collection[str]) -> list[documents.SearchDocument]:
            # a session of its own on the same connection: it reads the transaction's rows afresh,
            # never an object the caller's session kept from before the backend's lock
            with Session(bind=connection) as reading:
                return search_documents.load_groups(session=reading, groups=groups)

        write(connection, keeper.resolve(marks, connection=connection), load)


def _after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction may still roll back
        return
    marks = session.info.pop(_INFO_KEY, None)
    if not marks:
        return
    keeper = _KEEPERS.get(session.bind) if isinstance(session.bind, Engine) else None
    if keeper is not None:
        keeper.apply(marks)


def _after_soft_rollback(session: OrmSession, previous_transaction: Any) -> None:
    # A savepoint's rollback keeps the notes: the outer transaction may commit other rows of the
    # same groups, and re-reading a group that did not change is harmless.
    if not previous_transaction.nested:
        session.info.pop(_INFO_KEY, None)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        event.listen(OrmSession, "after_flush", _after_flush)
        # first of the before_commit hooks: before tracker.generation's bump, which must come last
        event.listen(OrmSession, "before_commit", _before_commit, insert=True)
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_soft_rollback)
        _installed = True


# -- applying them ---------------------------------------------------------------------------------


def default_procs() -> int:
    """Processes a full reindex uses unless told otherwise: the cores, at most 4."""
    return min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class Rebuilt:
    proposals: int
    documents: int
    units: int
    seconds: float

    def summary(self) -> str:
        return (
            f"Reindexed {self.proposals} proposals and {self.documents} reference documents: "
            f"{self.units} search documents in {self.seconds:.2f} s."
        )


class IndexKeeper:
    """Keeps one backend in step with one database engine."""

    def __init__(self, backend: IndexingBackend, engine: Engine, *, ready_wait: float = 5.0) -> None:
        self.backend = backend
        self.engine = engine
        self.ready_wait = ready_wait
        self.ready = threading.Event()  # set once the start-up check has run (or was skipped)
        self.last_check: str | None = None
        self._check_started = False
        self._checking = False
        self._retrying = False
        self._lock = threading.Lock()

    # loading, always in a fresh session: what is committed now

    def load(self, groups: Collection[str]) -> list[documents.SearchDocument]:
        with Session(self.engine) as session:
            return search_documents.load_groups(session=session, groups=groups)

    def _all(self) -> Iterator[documents.SearchDocument]:
        with Session(self.engine) as session:
            yield from search_documents.iter_all(session=session)

    def resolve(self, marks: Iterable[Mark], *, connection: Any = None) -> set[str]:
        """The groups the noted rows belong to (read on ``connection`` when given: in its
        transaction, before it commits)."""
        groups: set[str] = set()
        by_kind: dict[str, set[int]] = {}
        for kind, ident in marks:
            if kind == "p":
                groups.add(documents.proposal_group(ident))
            elif kind == "d":
                groups.add(documents.document_group(ident))
            else:
                by_kind.setdefault(kind, set()).add(ident)
        if not by_kind:
            return groups
        queries = {
            "reply": lambda ids: select(Reply.proposal_id).where(col(Reply.id).in_(ids)),
            "meeting": lambda ids: select(Proposal.id).where(col(Proposal.meeting_id).in_(ids)),
            "member": lambda ids: (
                select(Proposal.id)
                .where(col(Proposal.proposer_id).in_(ids))
                .union(select(ProposalSigner.proposal_id).where(col(ProposalSigner.member_id).in_(ids)))
            ),
            "agency": lambda ids: select(Reply.proposal_id).where(col(Reply.agency_id).in_(ids)),
        }
        with Session(connection or self.engine) as session:
            for kind, ids in by_kind.items():
                for (pid,) in session.execute(queries[kind](ids)).all():
                    groups.add(documents.proposal_group(pid))
        return groups

    def apply(self, marks: Iterable[Mark]) -> None:
        """Index what a commit changed. Never raises: the commit has happened whatever the index does."""
        try:
            groups = self.resolve(marks)
            if groups:
                self.backend.index_documents(groups, self.load)
        except Exception:
            log.warning("search: index update deferred", exc_info=True)
            self.schedule_retry()

    def schedule_retry(self) -> None:
        """Retry pending updates in the background until none is left."""
        with self._lock:
            if self._retrying:
                return
            self._retrying = True
        threading.Thread(target=self._retry, name="search-index-retry", daemon=True).start()

    def _retry(self) -> None:
        try:
            for delay in RETRY_DELAYS:
                time.sleep(delay)
                try:
                    if self.backend.pending():
                        self.backend.retry_pending(self.load)
                    return
                except Exception:
                    log.warning("search: retry of pending index updates failed", exc_info=True)
            log.error("search: index updates still pending; they are applied at the next start or write")
        finally:
            with self._lock:
                self._retrying = False

    # the start-up check and the rebuild

    def rebuild(self, *, procs: int = 1) -> Rebuilt:
        """Rebuild the whole index from the database (``tracker reindex``), in ``procs`` processes
        where the backend can."""
        with self.backend.maintenance():
            return self._rebuild(procs=procs)

    def _rebuild(self, *, procs: int = 1) -> Rebuilt:
        started = time.perf_counter()
        kinds = {"p": 0, "d": 0}
        units = 0

        def counted() -> Iterator[documents.SearchDocument]:
            nonlocal units
            kinds.update(p=0, d=0)  # a backend may read the documents twice (see its rebuild)
            units = 0
            for doc in self._all():
                units += 1
                if doc.key == doc.group:
                    kinds[doc.group[0]] += 1
                yield doc

        self.backend.rebuild(counted, procs=procs)
        return Rebuilt(kinds["p"], kinds["d"], units, time.perf_counter() - started)

    def check(self) -> str:
        """Compare the index with the database and repair it; returns what was done, in a phrase."""
        if not _has_tables(self.engine):
            return "no database tables yet"
        with self.backend.maintenance():
            return self._check()

    def _check(self) -> str:
        state = self.backend.state()
        if not state.healthy:
            return f"rebuilt a missing or unreadable index: {self._rebuild().summary()}"
        with Session(self.engine) as session:
            expected = search_documents.expected_state(session=session)
        # a group is stale when the index holds another number of units for it or another
        # fingerprint: any change it missed (a withheld proposal keeps its units, but not its facts)
        held = {g: (n, state.fingerprints.get(g, "")) for g, n in state.counts.items()}
        stale = {g for g in expected.keys() | held.keys() if expected.get(g) != held.get(g)}
        if stale and len(stale) > max(20, REBUILD_SHARE * len(expected)):
            return f"rebuilt a stale index ({len(stale)} groups differed): {self._rebuild().summary()}"
        done = []
        if self.backend.pending():
            done.append(f"applied pending updates ({self.backend.retry_pending(self.load)} documents)")
        if stale:
            self.backend.index_documents(stale, self.load)
            done.append(f"re-indexed {len(stale)} stale groups")
        return "; ".join(done) or "up to date"

    def _run_check(self) -> None:
        try:
            self.last_check = self.check()
            log.info("search: index check: %s", self.last_check)
        except Exception:
            self.last_check = "failed"
            log.exception("search: index check failed; run `tracker reindex`")
        finally:
            with self._lock:
                self._checking = False
            self.ready.set()

    def _start(self) -> None:
        with self._lock:
            if self._checking:
                return
            self._checking = True
        threading.Thread(target=self._run_check, name="search-index-check", daemon=True).start()

    def start_check(self) -> None:
        """Run the start-up check once per process, in a background thread."""
        with self._lock:
            if self._check_started:
                return
            self._check_started = True
        self._start()

    def repair(self) -> None:
        """Check the index again (in the background) after a search failed on it."""
        self._start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self.ready.wait(self.ready_wait if timeout is None else timeout)


def _has_tables(engine: Engine) -> bool:
    return inspect(engine).has_table(Proposal.__tablename__)


def init_app(app: Flask) -> None:
    """Create the configured backend (judging publication by the visibility clock), keep its index in
    step with commits, and check it on the first request of each process."""
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(Path(app.instance_path) / "search-index")
    backend = search.create_backend(app.config, clock=visibility.now)
    search.register(app, backend)
    _install()
    keeper = IndexKeeper(backend, get_engine(app), ready_wait=float(app.config.get("SEARCH_READY_WAIT", 5.0)))
    if (attach := getattr(backend, "attach", None)) is not None:
        attach(keeper.engine)  # a backend in the database shares the app's connection pool
    _KEEPERS[keeper.engine] = keeper
    app.extensions[_KEEPER_KEY] = keeper
    if app.config.get("SEARCH_CHECK_ON_START", True):
        app.before_request(keeper.start_check)
    else:
        keeper.ready.set()


def get_keeper(app: Flask) -> IndexKeeper:
    return app.extensions[_KEEPER_KEY]
