"""The Whoosh backend, the embedded default: the only code that imports whoosh.

schema.py        the fields, the analyzer (rjieba through tracker.search.analysis), units <-> fields
store.py         the index directory: opening, the process's searcher, state, generation, segments
writing.py       updates by tickets under the write lock, the rebuild, starting merges
merging.py       the tiered merge policy and the merging process (python -m tracker.search.whoosh.merging)
timing.py        the writers' lock wait and hold times, when asked for (TRACKER_LOCK_TIMES)
querying.py      parsing, the visibility filter, search and count over whole posting lists
arrays.py        the numpy evaluator of those posting lists (BM25F as arrays, phrases, groups)
facets.py        matches turned into groups and facet counts, filters per searcher
highlighting.py  what to mark and where: fragments of the stored texts
similar.py       more like this (similar proposals, related clauses)
backend.py       WhooshBackend: the query and indexing sides (tracker.search) over one directory
"""

from __future__ import annotations

from tracker.search.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
