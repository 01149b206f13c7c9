"""Writing the index: updates by tickets under one write lock, the merge policy's part an update
does, the merging process, and the full rebuild.

Whoosh allows one writer at a time per index, guarded by a lock file. A writer waits for the lock
up to ``lock_timeout`` seconds. Before waiting, the groups to update are written to a small ticket
file under ``pending/``; whoever holds the lock next indexes every ticket it finds (reading the
database after taking the lock, so the newest committed state is what lands) and then deletes
them. A ticket left behind by a timeout or a crash is picked up by the next write, the retry that
the index keeper schedules, or the start-up check: no committed update is lost. Segments are
written as separate files (see ``_writer``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from whoosh.index import LockError
from whoosh.writing import CLEAR, NO_MERGE, SegmentWriter

from tracker.search import IndexBusy, Loader
from tracker.search.documents import SearchDocument
from tracker.search.whoosh import bulk, merging, timing
from tracker.search.whoosh.schema import document_fields
from tracker.search.whoosh.store import WRITE_LOCK, IndexStore, acquire_lock

log = logging.getLogger(__name__)

PENDING_DIR = "pending"


class Writing(IndexStore):
    """The indexing side of the Whoosh backend."""

    merge_in_background: bool
    _merger: subprocess.Popen[bytes] | None

    # -- writing -----------------------------------------------------------------------------------

    def _writer(self, **kwargs: Any) -> SegmentWriter:
        # Segments as separate files, not one compound file: a reader opening a compound file
        # copies each part into memory (Whoosh wraps the mapped part in a BytesIO), which made
        # every reopen after an update and every delete during one cost a copy of the archive.
        started = time.monotonic()
        try:
            writer = self._index().writer(timeout=self.lock_timeout, delay=0.02, compound=False, **kwargs)
            writer.tracker_locked = (time.monotonic() - started, time.monotonic())  # for timing
            return writer
        except LockError:
            raise IndexBusy(f"{self.path}: the index stayed locked for {self.lock_timeout:g} s") from None

    def _pending_dir(self) -> Path:
        path = self.path / PENDING_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _journal(self, groups: Collection[str]) -> Path:
        """Write a ticket for these groups (atomically: readers never see half a ticket)."""
        folder = self._pending_dir()
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = folder / f".{name}.tmp"
        tmp.write_text(json.dumps(sorted(groups)), encoding="utf-8")
        final = folder / f"{name}.json"
        tmp.replace(final)
        return final

    def _tickets(self) -> list[tuple[Path, list[str]]]:
        tickets = []
        for path in sorted(self._pending_dir().glob("*.json")):
            try:
                groups = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # another writer took it
            except (OSError, ValueError):
                log.error("search: unreadable ticket %s removed; run `tracker reindex`", path)
                path.unlink(missing_ok=True)
                continue
            tickets.append((path, [str(g) for g in groups]))
        return tickets

    def pending(self) -> bool:
        return any(self._pending_dir().glob("*.json"))

    def index_documents(self, groups: Collection[str], load: Loader) -> int:
        if not groups:
            return 0
        self._journal(groups)
        return self.retry_pending(load)

    def delete(self, groups: Collection[str]) -> None:
        self.index_documents(groups, lambda _groups: ())

    def retry_pending(self, load: Loader) -> int:
        """Index every ticket waiting in pending/ (raises IndexBusy when the lock stays taken)."""
        writer = self._writer()
        try:
            tickets = self._tickets()
            groups = sorted({g for _path, gs in tickets for g in gs})
            if not groups:
                writer.cancel()
                return 0
            documents = list(load(groups))  # read now, under the lock: the newest committed state
            for group in groups:
                writer.delete_by_term("group", group)
            for doc in documents:
                writer.add_document(**document_fields(doc))
            # Whoosh merges small segments at every commit by default, which for a small archive
            # means rewriting all of it per update: commit the new segment alone, and once
            # segments have piled up merge them by the tiered policy, here when the merge is small
            # (the new documents join the merged segment), else in a process of its own (unless
            # configured not to) so the update does not wait for it
            # (leaving alone the segments a merging process is merging now: it swaps them out)
            busy = merging.busy_segments(str(self.path))
            free = [i for i, s in enumerate(writer.segments) if s.segid not in busy]
            sizes = merging.sizes_of(writer)
            chosen, later = self._merge_plan([sizes[i] for i in free], len(documents), len(sizes) - len(free))
            chosen = [free[i] for i in chosen]
            writer.commit(mergetype=merging.merging(chosen) if chosen else NO_MERGE)
            waited, locked_at = writer.tracker_locked
            timing.record("update", waited, time.monotonic() - locked_at)
        except BaseException:
            with suppress(Exception):
                writer.cancel()
            raise
        for path, _groups in tickets:
            path.unlink(missing_ok=True)
        if later:
            self._merge_soon()
        return len(documents)

    def _merge_plan(self, sizes: list[int], incoming: int, busy: int = 0) -> tuple[list[int], bool]:
        """What an update of ``incoming`` documents merges itself (indices into ``sizes``, the
        segments it found), and whether a merging process is due. The new documents are counted as
        one more segment: whatever is merged, they join the merged segment.

        ``busy`` segments (not in ``sizes``) are being merged by a merging process, which swaps
        them out for one when done: until then they count as they are, and the update merges the
        small free ones (up to INLINE_MERGE_DOCS: the segments written since the merge began) so
        that the index stays under MERGE_AT_SEGMENTS where it can."""
        if len(sizes) + 1 + busy < merging.MERGE_AT_SEGMENTS:
            return [], False
        every, new = [*sizes, incoming], len(sizes)
        if busy:
            keep = max(1, merging.MERGE_AT_SEGMENTS - 1 - busy)
            small = merging.segments_to_merge(every, keep=keep, limit=merging.INLINE_MERGE_DOCS)
            return [i for i in small if i != new], False
        chosen = [i for i in merging.segments_to_merge(every) if i != new]
        if not self.merge_in_background or sum(sizes[i] for i in chosen) <= merging.INLINE_MERGE_DOCS:
            return chosen, False
        # the part small enough to do now, so segments do not pile up while the process starts or
        # works; when none is (the small ones already merged up to the limit), the smallest segment
        # joins the new one, so an update never leaves MERGE_AT_SEGMENTS segments
        small = [i for i in merging.segments_to_merge(every, limit=merging.INLINE_MERGE_DOCS) if i != new]
        return small or [min(range(new), key=sizes.__getitem__)], True

    def _merge_soon(self) -> None:
        """Start a merging process, unless this backend's last one is still at work."""
        if self._merger is not None and self._merger.poll() is None:
            return
        self._merger = subprocess.Popen(
            [sys.executable, "-m", "tracker.search.whoosh.merging", str(self.path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_for_merge(self, timeout: float | None = None) -> None:
        """Wait for a merge this backend started (tests, the benchmark, shutting down)."""
        if self._merger is not None:
            self._merger.wait(timeout)
            self._merger = None

    def rebuild(self, documents: Callable[[], Iterable[SearchDocument]], *, procs: int = 1) -> int:
        """Replace the whole index with ``documents()`` (readers keep the old one until it commits).

        Written by ``bulk.BulkWriter`` (the same files as Whoosh's writer, without its sorting pool
        and per-posting length lookups), in ``procs`` worker processes when more than one, each
        writing its own segments; nothing is merged (see ``bulk``). The documents are counted
        afterwards: if a worker failed or the count is short, the rebuild is done again in this
        process.
        """
        if not self.state().healthy:
            self._reset()
        if procs > 1:
            try:
                count = self._write_bulk(documents, procs=procs)
                if self.doc_count() == count:
                    return count
            except IndexBusy:
                raise
            except Exception:
                log.exception("search: a parallel rebuild failed")
            log.error("search: a parallel rebuild lost documents; rebuilding in one process")
        return self._write_bulk(documents, procs=1)

    def _write_bulk(self, documents: Callable[[], Iterable[SearchDocument]], *, procs: int) -> int:
        try:
            writer = bulk.BulkWriter(self._index(), timeout=self.lock_timeout, delay=0.05, compound=False)
        except LockError:
            raise IndexBusy(f"{self.path}: the index stayed locked for {self.lock_timeout:g} s") from None
        try:
            tickets = self._tickets()  # what they ask for is in the database read below
            fields = (document_fields(doc) for doc in documents())
            if procs > 1:
                count = bulk.write_parallel(writer, fields, procs=procs)
            else:
                count = 0
                for one in fields:
                    writer.add_document(**one)
                    count += 1
                writer.commit(mergetype=CLEAR)
        except BaseException:
            with suppress(Exception):
                writer.cancel()
            raise
        for path, _groups in tickets:
            path.unlink(missing_ok=True)
        return count

    def _write_all(self, documents: Callable[[], Iterable[SearchDocument]], **kwargs: Any) -> int:
        """Whoosh's own writer over every document (the benchmark's reference for the bulk writer)."""
        writer = self._writer(limitmb=128, **kwargs)
        try:
            tickets = self._tickets()
            count = 0
            for doc in documents():
                writer.add_document(**document_fields(doc))
                count += 1
            writer.commit(mergetype=CLEAR)
        except BaseException:
            with suppress(Exception):
                writer.cancel()
            raise
        for path, _groups in tickets:
            path.unlink(missing_ok=True)
        return count

    def _reset(self) -> None:
        """Throw away an unreadable index or one of another schema version, keeping pending tickets.

        Done holding Whoosh's own write lock, so no writer of another process is mid-commit.
        """
        with self._lock:
            self._drop_searcher()
            self._ix = None
            storage = self._storage()
            lock = storage.lock(WRITE_LOCK)
            if not acquire_lock(lock, self.lock_timeout):
                raise IndexBusy(f"{self.path}: the index stayed locked for {self.lock_timeout:g} s")
            try:
                for entry in self.path.iterdir():
                    if entry.name == PENDING_DIR or "LOCK" in entry.name:
                        continue
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
                self._create(storage)
            finally:
                lock.release()

    def clear(self) -> None:
        writer = self._writer()
        writer.commit(mergetype=CLEAR)
