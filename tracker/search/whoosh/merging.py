"""The merge policy of the Whoosh index (tiered), and the process that runs the larger merges.

An update commits its documents as a new small segment and returns (the index is up to date when
the request ends). Once segments pile up, the update merges the small ones itself, and a larger
merge is left to ``python -m tracker.search.whoosh.merging DIR`` while the update goes on. That
process reads nothing from the database, so it can run beside the app's processes; readers keep
their searcher until the merged segment is committed. It holds the index's write lock only to
choose the segments and to swap the merged one in, not while merging (``_merge_once``): an update
that came while it held the lock for a whole merge had waited up to the lock timeout (10 s) for
it. One merging process at a time (the merge lock); a merge that cannot get the locks gives up:
the next update asks again.

The policy (``segments_to_merge``) keeps the live index at a handful of segments. Whoosh's own
MERGE_SMALL merges only a run of segments whose total stays under a Fibonacci bound, one run per
commit, so a stream of updates left dozens of segments (66–78 after the benchmark's 80 writes) and
every search paid for each of them. Here, once an update leaves ``MERGE_AT_SEGMENTS``, the
smallest segments are merged into one so that ``KEEP_SEGMENTS`` remain, and the merge takes in the
next larger segment while that one is at most ``1 / TIER_RATIO`` times what is merged already.
Sizes then grow geometrically from the newest segment to the oldest (each tier at least twice the
ones below), so a merge mostly rewrites the small recent segments and seldom a large one.
Simulated with these sizes (updates of 6–14 units on an index rebuilt in two segments), 1,000
updates never leave more than seven segments and rewrite 7–11 units per unit written (4 over the
first 200), most of it in the small merges an update does itself.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from tracker.search.whoosh import timing

INDEX_NAME = "units"  # as schema.INDEX_NAME (not imported: this process reads no schema module)
WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"  # the lock Whoosh's writers take
MERGE_LOCK = f"{INDEX_NAME}_MERGELOCK"  # held by the merging process for its whole run
MERGING_DIR = "merging"  # where a merge writes its segment before the swap
PLAN_FILE = "plan.json"  # the segments being merged (their ids)
LOCK_TIMEOUT = 30.0
MERGE_AT_SEGMENTS = 8  # an update commits a new segment; merge once there are this many
KEEP_SEGMENTS = 5  # what a merge leaves (the merged segment included)
TIER_RATIO = 0.5  # a larger segment joins a merge while at most 1 / TIER_RATIO times its total
# An update merges up to this many documents itself (the units of some fifteen proposals: tens of
# milliseconds, where a process started for it cost more and back-to-back updates piled up
# meanwhile); a larger merge goes to the process. 1,000 made the slowest updates twice as slow.
INLINE_MERGE_DOCS = 200
MERGE_NICENESS = 10  # the merging process's priority below the app's (os.nice)


def segments_to_merge(
    sizes: Sequence[int], *, keep: int = KEEP_SEGMENTS, ratio: float = TIER_RATIO, limit: int | None = None
) -> list[int]:
    """Which segments (indices into ``sizes``, documents each) to merge into one: none while at most
    ``keep`` remain, else the smallest so that ``keep`` do, and each next larger one that is at
    most ``1 / ratio`` times the total taken so far.

    With ``limit``, only the smallest segments totalling at most ``limit`` documents are considered,
    and the larger ones count against ``keep``: the part of a merge an update does itself.
    """
    order = sorted(range(len(sizes)), key=lambda i: (sizes[i], i))
    if limit is not None:
        room = limit
        for n, i in enumerate(order):
            room -= sizes[i]
            if room < 0:
                keep, order = max(1, keep - (len(order) - n)), order[:n]
                break
    take = len(order) - keep + 1
    if take < 2:
        return []
    total = sum(sizes[i] for i in order[:take])
    while take < len(order) and sizes[order[take]] * ratio <= total:
        total += sizes[order[take]]
        take += 1
    return sorted(order[:take])


def merging(chosen: Collection[int]) -> Callable[[Any, list[Any]], list[Any]]:
    """A Whoosh ``mergetype`` adding the ``chosen`` segments (indices into the writer's list) to the
    writer's new segment; the others stay as they are."""

    def mergetype(writer: Any, segments: list[Any]) -> list[Any]:
        for i in sorted(chosen):
            reader = SegmentReader(writer.storage, writer.schema, segments[i])
            writer.add_reader(reader)
            reader.close()
        return [s for i, s in enumerate(segments) if i not in chosen]

    return mergetype


def sizes_of(writer: Any) -> list[int]:
    """Documents (deleted ones included: a merge reads them) of each segment ``writer`` sees."""
    return [s.doc_count_all() for s in writer.segments]


def merge(path: str, *, timeout: float = LOCK_TIMEOUT, rounds: int = 3) -> bool:
    """Merge the index's small segments (``segments_to_merge``) without holding the write lock while
    merging; False when another merge is under way or the lock stayed taken.

    Updates committed while a merge ran may have piled up again: then merge again (a few rounds at
    most), so the index is not left with them until the next update asks."""
    storage = FileStorage(path)
    busy = storage.lock(MERGE_LOCK)
    if not busy.acquire(blocking=False):
        return False  # one merging process at a time: the running one merges again if needed
    staging = Path(path) / MERGING_DIR
    try:
        shutil.rmtree(staging, ignore_errors=True)  # a dead merge's files (the merge lock is ours)
        ix = storage.open_index(INDEX_NAME)
        try:
            for done in range(rounds):
                outcome = _merge_once(ix, timeout=timeout, again=done > 0)
                if outcome is None:
                    return done > 0
                if not outcome:
                    break
        finally:
            ix.close()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        busy.release()
    return True


def _merge_once(ix: Any, *, timeout: float, again: bool) -> bool | None:
    """One merge: True when merged, False when nothing was due or the index changed under it,
    None when the write lock stayed taken.

    The write lock is held only twice and briefly: to choose the segments (and say so in the plan
    file, which keeps updates from merging them meanwhile) and to swap the merged segment in. The
    merging itself reads the chosen segments as they were when chosen and writes a new segment in
    ``MERGING_DIR`` (where no commit's cleanup deletes it); documents deleted from those segments
    since (an update replacing a unit, a deletion) are deleted from the merged segment at the swap,
    so none comes back. A merge that dies leaves the index as it was; its files are removed by the
    next merge."""
    storage = ix.storage
    staging = Path(storage.folder) / MERGING_DIR
    lock = storage.lock(WRITE_LOCK)
    started = time.monotonic()
    if not _acquire(lock, timeout):
        return None
    waited = time.monotonic() - started
    try:
        toc = ix._read_toc()
        sizes = [s.doc_count_all() for s in toc.segments]
        chosen = segments_to_merge(sizes)
        if not chosen or (again and len(toc.segments) < MERGE_AT_SEGMENTS):
            return False
        sources = [toc.segments[i] for i in chosen]
        staging.mkdir(exist_ok=True)
        plan = staging / PLAN_FILE
        plan.with_suffix(".tmp").write_text(json.dumps([s.segid for s in sources]))
        plan.with_suffix(".tmp").replace(plan)
    finally:
        lock.release()
    timing.record("merge-plan", waited, time.monotonic() - started - waited)
    # the merge itself, no lock held: readers and updates go on
    merged, renumbered = _write_merged(ix, toc, sources, staging)
    started = time.monotonic()
    if not _acquire(lock, timeout):
        return None
    waited = time.monotonic() - started
    try:
        now = ix._read_toc()
        current = {s.segid: s for s in now.segments}
        if any(s.segid not in current for s in sources):
            return False  # rebuilt or cleared meanwhile: the merged copy is stale
        for source in sources:
            old = source.deleted_docs() if source.has_deletions() else ()
            for docnum in set(current[source.segid].deleted_docs()) - set(old):
                merged.delete_document(renumbered[source.segid][docnum])
        for entry in staging.iterdir():
            if entry.name.startswith(merged.segment_id()):
                os.replace(entry, Path(storage.folder) / entry.name)
        taken = {s.segid for s in sources}
        segments = [s for s in now.segments if s.segid not in taken] + [merged]
        TOC(now.schema, segments, now.generation + 1).write(storage, INDEX_NAME)
        clean_files(storage, INDEX_NAME, now.generation + 1, segments)
    finally:
        lock.release()
        with suppress(OSError):
            (staging / PLAN_FILE).unlink()
    timing.record("merge-swap", waited, time.monotonic() - started - waited)
    return True


class _Staging:
    """What Whoosh's segment writer reads of an index, pointed at the staging folder: the new
    segment's files are written there, from segments read in the index's own folder."""

    def __init__(self, storage: FileStorage, toc: Any) -> None:
        self.storage, self.indexname, self._toc = storage, INDEX_NAME, toc

    def _read_toc(self) -> Any:
        return self._toc


def _write_merged(
    ix: Any, toc: Any, sources: list[Any], staging: Path
) -> tuple[Any, dict[str, dict[int, int]]]:
    """The live documents of ``sources`` written as one new segment in ``staging``, and where each
    source document went (Whoosh numbers the merged segment's documents in order, skipping the
    deleted ones)."""
    writer = SegmentWriter(_Staging(FileStorage(str(staging)), toc), _lk=False, compound=False)
    renumbered: dict[str, dict[int, int]] = {}
    try:
        for source in sources:
            moved = renumbered[source.segid] = {}
            for docnum in range(source.doc_count_all()):
                if not source.is_deleted(docnum):
                    moved[docnum] = writer.docnum + len(moved)
            reader = SegmentReader(ix.storage, toc.schema, source)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        merged = writer._finalize_segment()
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        raise
    writer._finish()
    return merged, renumbered


def busy_segments(path: str) -> set[str]:
    """The segments a merging process is merging now (their ids), which an update leaves alone;
    none when no merging process holds the merge lock (a dead one's plan means nothing)."""
    storage = FileStorage(path)
    try:
        segids = json.loads((Path(path) / MERGING_DIR / PLAN_FILE).read_text())
    except (OSError, ValueError):
        return set()
    probe = storage.lock(MERGE_LOCK)
    if probe.acquire(blocking=False):
        probe.release()
        return set()
    return {str(s) for s in segids}


def _acquire(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tracker.search.whoosh.merging INDEX_DIR", file=sys.stderr)
        return 2
    return 0 if merge(argv[0]) else 1


if __name__ == "__main__":
    # Background work: below the app's processes. It holds no lock while merging, so running slower
    # delays no submit, while at the same priority it took the CPU from the submits on a busy machine.
    with suppress(OSError):
        os.nice(MERGE_NICENESS)
    raise SystemExit(main(sys.argv[1:]))
