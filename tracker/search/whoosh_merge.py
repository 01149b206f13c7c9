"""Merge the small segments of a Whoosh index, in a process of its own.

An update commits its documents as a new small segment and returns (the index is up to date when
the request ends); once segments pile up, the backend starts ``python -m tracker.search.whoosh_merge
DIR`` and goes on. Merging takes the index's write lock like any writer and reads nothing from the
database, so it can run beside the app's processes; readers keep their searcher until the merged
segment is committed. A merge that cannot get the lock gives up: the next update asks again.
"""

from __future__ import annotations

import sys

from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

INDEX_NAME = "units"  # as whoosh_index.INDEX_NAME (not imported: this process stays small)
LOCK_TIMEOUT = 30.0


def merge(path: str, *, timeout: float = LOCK_TIMEOUT) -> bool:
    """Merge the index's small segments (Whoosh's default policy); False when the lock stayed taken."""
    ix = FileStorage(path).open_index(INDEX_NAME)
    try:
        writer = ix.writer(timeout=timeout, delay=0.1, compound=False)
    except LockError:
        return False
    try:
        writer.commit(merge=True)
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tracker.search.whoosh_merge INDEX_DIR", file=sys.stderr)
        return 2
    return 0 if merge(argv[0]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
