"""The index's directory: opening (or creating) the index, the process's searcher, the maintenance
lock, and what the index holds (units and fingerprint per group, generation, segments).

Reads. One searcher per backend (one backend per app, so one per worker process), kept open and
reopened only when the index has a newer generation. Searches on it are serialised with a lock:
Whoosh readers are not documented as thread-safe.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from tracker.search import IndexBusy, IndexState
from tracker.search.whoosh import arrays
from tracker.search.whoosh.facets import View
from tracker.search.whoosh.schema import INDEX_NAME, SCHEMA_VERSION, VERSION_FILE

log = logging.getLogger(__name__)

WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"  # the name Whoosh's writer locks
CREATE_LOCK = f"{INDEX_NAME}_CREATELOCK"
MAINTENANCE_LOCK = f"{INDEX_NAME}_CHECKLOCK"
OPEN_ATTEMPTS = 5  # tries to open a searcher no commit overtook
CLOSE_MERGE_WAIT = 60.0  # seconds closing waits for a merge this backend started
_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")  # a generation's table of contents


class IndexStore:
    """An index in one directory (``path``), opened lazily, with the process's searcher."""

    path: Path
    lock_timeout: float
    schema: Schema
    _lock: threading.RLock
    _ix: FileIndex | None
    _searcher: Searcher | None
    _view: View | None
    _segments: arrays.SegmentCache

    def wait_for_merge(self, timeout: float | None = None) -> None:
        """Nothing to wait for here (the writing side starts merges)."""

    # -- opening -----------------------------------------------------------------------------------

    def _storage(self) -> FileStorage:
        self.path.mkdir(parents=True, exist_ok=True)
        return FileStorage(str(self.path))

    def _has_toc(self) -> bool:
        """Whether the directory holds an index (a table of contents file), without reading it."""
        try:
            return any(n.startswith(f"_{INDEX_NAME}_") and n.endswith(".toc") for n in os.listdir(self.path))
        except OSError:
            return False

    def _version_ok(self) -> bool:
        try:
            return (self.path / VERSION_FILE).read_text().strip() == str(SCHEMA_VERSION)
        except OSError:
            return False

    def _index(self) -> FileIndex:
        """The open index; created (empty) when the directory has none."""
        with self._lock:
            storage = self._storage()
            if self._ix is not None and self._has_toc():
                return self._ix
            self._drop_searcher()
            if not self._has_toc() or not self._version_ok():
                self._create(storage)
            self._ix = storage.open_index(INDEX_NAME)
            return self._ix

    def _create(self, storage: FileStorage) -> None:
        """Create an empty index, one process at a time (the create lock)."""
        lock = storage.lock(CREATE_LOCK)
        if not acquire_lock(lock, self.lock_timeout):
            raise IndexBusy(f"{self.path}: another process is creating the index")
        try:
            if self._has_toc() and self._version_ok():
                return
            storage.create_index(self.schema, indexname=INDEX_NAME)
            (self.path / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        finally:
            lock.release()

    def _drop_searcher(self) -> None:
        self._view = None
        if self._searcher is not None:
            with suppress(Exception):
                self._searcher.close()
            self._searcher = None

    @contextmanager
    def _searching(self) -> Iterator[Searcher]:
        """The process's searcher, refreshed only when the index has a newer generation."""
        with self._lock:
            ix = self._index()
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses the readers of segments it already had, and a
                # reused reader misses documents deleted from its segment since (an update made
                # without a merge), so the old version of an edited unit would still be found.
                self._drop_searcher()
            if self._searcher is None:
                self._open_searcher(ix)
            assert self._searcher is not None
            yield self._searcher

    def _open_searcher(self, ix: FileIndex) -> None:
        """Open a searcher and read what it needs from lazily opened files (arrays.Frame
        pins them); keep it only if no commit came in between, since a merge committed by another
        process deletes the files of the segments it replaced. Segments in both generations were
        not deleted, so what was read for them stays good."""
        for attempt in range(OPEN_ATTEMPTS):
            searcher = None
            try:
                # Whoosh retries by itself a reader whose segment's files were deleted as it opened
                # them, dropping the readers it had opened: their files close unclosed, harmlessly
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    searcher = ix.searcher()
                view = View(searcher, self._segments)
            # a file of a segment merged away meanwhile: an OSError, or a TypeError where Whoosh
            # takes a missing column file for an absent column (None) and then indexes it
            except (OSError, TypeError) as exc:
                if searcher is not None:
                    searcher.close()
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                # the readers Whoosh had opened before failing (its list of them never returned)
                # are held by the traceback: let them go now and close their files, quietly
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)
                    exc.__traceback__ = exc.__context__ = None
                    gc.collect()
                continue
            if searcher.up_to_date() or attempt == OPEN_ATTEMPTS - 1:
                self._searcher, self._view = searcher, view
                return
            searcher.close()

    def close(self) -> None:
        # A longer merge (the first after a rebuild of a large archive) is left to finish on its
        # own: it is its own process, swapping its segment in under the write lock, or leaving
        # the index as it was if it dies; closing must not fail because of it.
        with suppress(subprocess.TimeoutExpired):
            self.wait_for_merge(timeout=CLOSE_MERGE_WAIT)
        with self._lock:
            self._drop_searcher()
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    @contextmanager
    def maintenance(self) -> Iterator[None]:
        """Held while the index is checked or rebuilt: one process at a time does it, and the next
        one finds the work done (workers starting together do not each rebuild the archive)."""
        lock = self._storage().lock(MAINTENANCE_LOCK)
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def doc_count(self) -> int:
        with self._lock:
            return self._index().doc_count()

    def segment_count(self) -> int:
        """How many segments the live index is in (the benchmark reports it beside search times)."""
        with self._searching() as searcher:
            return len(list(searcher.leaf_searchers()))

    def generation(self) -> int:
        """The generation of the index's newest table of contents, from one directory listing
        (-1 with no index; never creates one)."""
        try:
            names = os.listdir(self.path)
        except OSError:
            return -1
        found = [int(m.group(1)) for n in names if (m := _TOC.match(n))]
        return max(found, default=-1)

    def state(self) -> IndexState:
        if not self._has_toc():
            return IndexState(counts={}, healthy=False)
        if not self._version_ok():
            return IndexState(counts={}, healthy=False)
        # Whoosh leaves a file open when it fails to read a damaged table of contents; the file is
        # closed when the exception is dropped, at the end of this block, and that is expected here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                with self._searching() as searcher:
                    return self._state(self._view_of(searcher).frame)
            except Exception as exc:  # any failure to read means the index cannot be trusted: rebuild it
                # the message only: a kept traceback would keep Whoosh's file open
                log.warning("search: the index in %s cannot be read: %s", self.path, str(exc))
            with self._lock:
                self._drop_searcher()
                self._ix = None
            return IndexState(counts={}, healthy=False)

    @staticmethod
    def _state(frame: arrays.Frame) -> IndexState:
        """Units and fingerprint per group, from two columns read as arrays (no per-document work:
        the check reads the whole archive's state in well under a second)."""
        groups, keys = frame.ordinals("group")
        stamps, values = frame.ordinals("fingerprint")
        live = frame.live & (groups >= 0)
        of, stamp = groups[live], stamps[live]
        counts = np.bincount(of, minlength=len(keys))
        low = np.full(len(keys), np.iinfo(np.int32).max, dtype=np.int64)
        high = np.full(len(keys), -1, dtype=np.int64)
        np.minimum.at(low, of, stamp)
        np.maximum.at(high, of, stamp)
        held = np.flatnonzero(counts)
        return IndexState(
            counts={keys[g]: int(counts[g]) for g in held.tolist()},
            healthy=True,
            # one fingerprint on every unit of a group, or the group is stale ("")
            fingerprints={
                keys[g]: values[low[g]] if low[g] == high[g] and low[g] >= 0 else "" for g in held.tolist()
            },
        )


def acquire_lock(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if lock.acquire(blocking=False):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
