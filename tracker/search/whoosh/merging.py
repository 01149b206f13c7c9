"""The merge policy of the Whoosh index (tiered), and the process that runs the larger merges.

An update commits its documents as a new small segment and returns (the index is up to date when
the request ends). Once segments pile up, the update merges the small ones itself, and a larger
merge is left to ``python -m tracker.search.whoosh.merging DIR`` while the update goes on. That
process takes the index's write lock like any writer and reads nothing from the database, so it
can run beside the app's processes; readers keep their searcher until the merged segment is
committed. A merge that cannot get the lock gives up: the next update asks again.

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

import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader

INDEX_NAME = "units"  # as schema.INDEX_NAME (not imported: this process reads no schema module)
LOCK_TIMEOUT = 30.0
MERGE_AT_SEGMENTS = 8  # an update commits a new segment; merge once there are this many
KEEP_SEGMENTS = 5  # what a merge leaves (the merged segment included)
TIER_RATIO = 0.5  # a larger segment joins a merge while at most 1 / TIER_RATIO times its total
# An update merges up to this many documents itself (the units of some fifteen proposals: tens of
# milliseconds, where a process started for it cost more and back-to-back updates piled up
# meanwhile); a larger merge goes to the process. 1,000 made the slowest updates twice as slow.
INLINE_MERGE_DOCS = 200


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
    """Merge the index's small segments (``segments_to_merge``); False when the lock stayed taken.

    Updates committed while a merge ran may have piled up again: then merge again (a few rounds at
    most), so the index is not left with them until the next update asks."""
    ix = FileStorage(path).open_index(INDEX_NAME)
    try:
        for done in range(rounds):
            try:
                writer = ix.writer(timeout=timeout, delay=0.1, compound=False)
            except LockError:
                return done > 0
            try:
                chosen = segments_to_merge(sizes_of(writer))
                if not chosen or (done and len(writer.segments) < MERGE_AT_SEGMENTS):
                    writer.cancel()
                    break
                writer.commit(mergetype=merging(chosen))
            except BaseException:
                writer.cancel()
                raise
    finally:
        ix.close()
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tracker.search.whoosh.merging INDEX_DIR", file=sys.stderr)
        return 2
    return 0 if merge(argv[0]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
