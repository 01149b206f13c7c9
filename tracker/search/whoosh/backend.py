"""The Whoosh backend: both sides of the contract (tracker.search.QueryBackend, IndexingBackend)
over one index directory, assembled from the modules that own each part."""

from __future__ import annotations

import os
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex
from whoosh.searching import Searcher

from tracker.search import Similar
from tracker.search.whoosh import arrays
from tracker.search.whoosh.facets import View
from tracker.search.whoosh.schema import make_schema
from tracker.search.whoosh.similar import SimilarUnits
from tracker.search.whoosh.writing import Writing


def _system_clock() -> datetime:
    return datetime.now(UTC)


class WhooshBackend(Writing, SimilarUnits):
    """A Whoosh index in one directory (``SEARCH_INDEX_DIR``)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 10.0,
        merge_in_background: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.path = Path(path)
        # what a scheduled publication is judged against (the app passes its visibility clock)
        self.clock = clock or _system_clock
        self.lock_timeout = lock_timeout
        self.merge_in_background = merge_in_background
        self._merger: subprocess.Popen[bytes] | None = None
        self.schema = make_schema()
        self._lock = threading.RLock()  # guards the index object and the searcher
        self._ix: FileIndex | None = None
        self._searcher: Searcher | None = None
        self._parser = self._make_parser()
        self._similar: OrderedDict[tuple[Any, ...], tuple[Similar, ...]] = OrderedDict()
        # kept with the searcher (dropped with it): columns, arrays, allowed documents
        self._view: View | None = None
        self._segments = arrays.SegmentCache()  # kept across searchers

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, clock: Callable[[], datetime] | None = None
    ) -> WhooshBackend:
        return cls(
            config["SEARCH_INDEX_DIR"],
            lock_timeout=float(config.get("SEARCH_LOCK_TIMEOUT", 10.0)),
            merge_in_background=bool(config.get("SEARCH_MERGE_IN_BACKGROUND", True)),
            clock=clock,
        )
