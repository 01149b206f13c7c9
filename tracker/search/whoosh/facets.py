"""Matches, facets and filters: what one searcher keeps as arrays (columns, allowed documents per
filter), and the units a query matched turned into groups and facet counts."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from tracker.search import UNIT_FACETS, Facet
from tracker.search.whoosh import arrays
from tracker.search.whoosh.schema import LIST_SEPARATOR

FACET_FIELDS = {
    Facet.SESSION: "session",
    Facet.YEAR: "year",
    Facet.CATEGORY: "category",
    Facet.AGENCY: "agency",
    Facet.OUTCOME: "outcome",
    Facet.STATUS: "status",
    Facet.TYPE: "type",
}
MULTI_VALUED = frozenset({Facet.AGENCY, Facet.OUTCOME})
HISTORY = query.Term("history", "y")  # units of earlier letters
FACETS = frozenset(f.value for f in Facet)
ALLOWED_CACHE = 64  # filters (per viewer) whose allowed documents are kept with the searcher


class View:
    """What one searcher needs for searching, built on first use and dropped with the searcher:
    column values, the arrays of arrays.py, and the documents each visibility filter allows."""

    def __init__(self, searcher: Searcher, segments: arrays.SegmentCache) -> None:
        self.searcher = searcher
        self.frame = arrays.Frame(searcher, segments)
        self._groups: arrays.Groups | None = None
        self._allowed: OrderedDict[query.Query, np.ndarray] = OrderedDict()

    @property
    def groups(self) -> arrays.Groups:
        if self._groups is None:
            facets = {
                name.value: (FACET_FIELDS[name], name in MULTI_VALUED, name in UNIT_FACETS) for name in Facet
            }
            self._groups = arrays.Groups(self.frame, facets, LIST_SEPARATOR)
        return self._groups

    def allowed(self, q: query.Query | None) -> np.ndarray | None:
        """The documents a filter query allows, as a mask over document numbers (kept: Whoosh
        would otherwise run the filter over the whole index for every search)."""
        if q is None:
            return None
        mask = self._allowed.get(q)
        if mask is None:
            mask = np.zeros(self.frame.size, dtype=bool)
            mask[arrays.Evaluator(self.frame, scored=False).run(q).docs] = True
            self._allowed[q] = mask
            while len(self._allowed) > ALLOWED_CACHE:
                self._allowed.popitem(last=False)
        else:
            self._allowed.move_to_end(q)
        return mask


class Matches:
    """The units a query matched (arrays), and the groups and facet counts they make.

    Facet filters are applied here rather than in the index query, so that a facet in use can be
    counted without its own filter (its other values stay choosable) from the same matches.
    """

    def __init__(
        self,
        view: View,
        hits: arrays.Hits,
        filters: Mapping[str, tuple[str, ...]],
        *,
        history: bool = False,
    ) -> None:
        self.groups = view.groups
        self.hits = hits
        self.group_of = self.groups.of_doc[hits.docs]
        self.filters = {k: v for k, v in filters.items() if k in FACETS}
        # which matches are units of earlier letters; they count only when asked for
        earlier = view.allowed(HISTORY)
        self.earlier = earlier[hits.docs] if earlier is not None else np.zeros(len(hits), dtype=bool)
        self.history = history
        self._kept: dict[str | None, np.ndarray] = {}
        self._groups: dict[str | None, np.ndarray] = {}

    def _filtered(self, found: np.ndarray, skip: str | None) -> np.ndarray:
        for name, wanted in self.filters.items():
            if name == skip:
                continue
            if name in UNIT_FACETS:
                found &= self.groups.unit_mask(name, wanted, self.hits.docs)
            else:
                found &= self.groups.group_mask(name, wanted)[self.group_of]
        return found

    def kept(self, skip: str | None = None) -> np.ndarray:
        """Which matches pass the facet filters (all but ``skip``), as a mask over the matches."""
        found = self._kept.get(skip)
        if found is None:
            start = np.ones(len(self.hits), dtype=bool) if self.history else ~self.earlier
            found = self._kept[skip] = self._filtered(start, skip)
        return found

    def history_units(self) -> int:
        """Matches in earlier letters that pass the facet filters (shown or not)."""
        if not self.earlier.any():
            return 0
        return int(np.count_nonzero(self._filtered(self.earlier.copy(), None)))

    def group_mask(self, skip: str | None = None) -> np.ndarray:
        """Which groups hold a match passing the facet filters (all but ``skip``); every facet
        without a filter of its own asks for the same one, so it is built once."""
        mask = self._groups.get(skip)
        if mask is None:
            mask = self._groups[skip] = np.zeros(self.groups.count, dtype=bool)
            mask[self.group_of[self.kept(skip)]] = True
        return mask

    def facets(self) -> dict[str, dict[str, int]]:
        """Counts per facet value: units for the unit facets, groups (proposals, documents) otherwise."""
        counts: dict[str, dict[str, int]] = {}
        for name in Facet:
            skip = name.value if self.filters.get(name) else None
            if name in UNIT_FACETS:
                counts[name] = self.groups.unit_counts(name, self.hits.docs[self.kept(skip)])
            else:
                counts[name] = self.groups.group_counts(name, self.group_mask(skip))
        return counts
