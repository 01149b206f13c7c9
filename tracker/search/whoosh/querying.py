"""Querying: the user's text parsed as Whoosh runs it (fields, aliases, phrases, synonyms), the
visibility filter, and a search evaluated over whole posting lists (arrays) into groups, facet
counts and the page of highlighted results."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

import numpy as np
from whoosh import query
from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from tracker.domain.visibility import Role, Viewer
from tracker.search import Facet, FacetCount, GroupHit, SearchRequest, SearchResults, Sort, analysis
from tracker.search.language import TEXT_FIELDS, expand, make_parser, normalize_query
from tracker.search.marking import Marks, mark_whole
from tracker.search.whoosh import arrays
from tracker.search.whoosh.facets import Matches, View
from tracker.search.whoosh.highlighting import unit_hit
from tracker.search.whoosh.schema import facts_from_stored
from tracker.search.whoosh.store import IndexStore

# Filters applied in the index query (besides visibility); facet filters are applied to the
# matches' column values, so that each facet can also be counted without its own filter.
QUERY_FILTERS = {"number": "number", "group": "group"}


def visibility_query(viewer: Viewer, now: datetime) -> query.Query | None:
    """The rule of tracker.domain.visibility.can_see, over the facts stored with every unit: a
    scheduled publication is public once its stored moment is not after ``now`` (the backend's clock
    read for this request, so every server agrees and none waits for the index to be rewritten)."""
    if viewer.sees_all:
        return None
    clauses: list[query.Query] = [
        query.Term("published", "y"),
        query.NumericRange("publish_at", None, math.floor(now.timestamp())),
    ]
    if viewer.role == Role.MEMBER and viewer.member_id is not None:
        clauses.append(query.Term("member_ids", str(viewer.member_id)))
    if viewer.role == Role.AGENCY and viewer.agency_id is not None:
        clauses.append(query.Term("agency_ids", str(viewer.agency_id)))
    return query.Or(clauses)


class Querying(IndexStore):
    """The query side of the Whoosh backend (more-like-this is in similar.py)."""

    clock: Callable[[], datetime]
    _parser: MultifieldParser

    # -- queries -----------------------------------------------------------------------------------

    def _make_parser(self) -> MultifieldParser:
        # The parser sees only the text fields: "published:y" or "member_ids:3" are plain words.
        return make_parser(Schema(**{name: self.schema[name] for name in TEXT_FIELDS}))

    def parse(self, text: str) -> query.Query:
        """The user's query as Whoosh runs it: an empty one matches everything (filters then choose)."""
        text = normalize_query(text)
        if not text:
            return query.Every()
        return expand(self._parser.parse(text))

    @staticmethod
    def _narrowing(filters: Mapping[str, Collection[str]]) -> query.Query | None:
        """The 案号/group filters, as a query."""
        parts = [
            query.Or([query.Term(fieldname, str(v)) for v in values])
            for name, fieldname in QUERY_FILTERS.items()
            if (values := filters.get(name))
        ]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else query.And(parts)

    def _view_of(self, searcher: Searcher) -> View:
        assert self._view is not None and self._view.searcher is searcher
        return self._view

    def _matches(
        self, searcher: Searcher, request: SearchRequest, q: query.Query, *, scored: bool = True
    ) -> Matches:
        filters = {k: tuple(v) for k, v in request.filters.items() if v}
        narrow = self._narrowing(filters)
        if isinstance(q, query.Every) and narrow is not None:
            # nothing typed (a 案号 lookup): the number's own postings are the query, with Every's
            # score, instead of walking every document against the filter
            q, narrow = query.ConstantScoreQuery(narrow, q.boost), None
        view = self._view_of(searcher)
        hits = arrays.Evaluator(view.frame, scored=scored).run(q)
        # visibility (the rule of the pages, in the query itself) and the 案号/group filters
        parts = [p for p in (visibility_query(request.viewer, self.clock()), narrow) if p is not None]
        if parts and len(hits):
            allowed = view.allowed(parts[0] if len(parts) == 1 else query.And(parts))
            hits = hits.keep(allowed[hits.docs])
        return Matches(view, hits, filters, history=request.history)

    def search(self, request: SearchRequest) -> SearchResults:
        q = self.parse(request.text)
        with self._searching() as searcher:
            matches = self._matches(searcher, request, q)
            facets = matches.facets()
            kept = matches.kept()
            docs, scores, owners = matches.hits.docs[kept], matches.hits.scores[kept], matches.group_of[kept]
            groups = matches.groups
            best = np.full(groups.count, -np.inf)
            np.maximum.at(best, owners, scores)
            units_of = np.bincount(owners, minlength=groups.count)
            # the groups found, in ordinal order (which follows the keys' order: the tie-break)
            present = np.flatnonzero(units_of)
            if request.sort == Sort.DATE:
                order = present[np.lexsort((present, -best[present], -groups.date[present]))]
            else:
                order = present[np.lexsort((present, -best[present]))]
            size = max(1, request.page_size)
            pages = max(1, -(-len(order) // size))
            page = min(max(1, request.page), pages)
            shown = order[(page - 1) * size : page * size]

            marks = Marks().collect(q)
            picked = np.isin(owners, shown)
            picked_docs, picked_scores, picked_owners = docs[picked], scores[picked], owners[picked]
            picked_earlier = matches.earlier[kept][picked]
            hits = []
            for g in shown.tolist():
                mine = picked_owners == g
                unit_docs, unit_scores = picked_docs[mine], picked_scores[mine]
                # best first; of equal scores (a point the new letter repeats) the one in force
                ranked = np.lexsort((unit_docs, picked_earlier[mine], -unit_scores))[
                    : max(1, request.units_per_group)
                ]
                chosen = [(int(unit_docs[i]), float(unit_scores[i])) for i in ranked]
                stored = [searcher.stored_fields(d) for d, _score in chosen]
                facts = facts_from_stored(stored[0])
                hits.append(
                    GroupHit(
                        facts=facts,
                        title=mark_whole(facts.title, *marks.fields(*TEXT_FIELDS)),
                        score=float(best[g]),
                        units=tuple(
                            unit_hit(fields, score, marks)
                            for (_d, score), fields in zip(chosen, stored, strict=True)
                        ),
                        unit_count=int(units_of[g]),
                    )
                )
        return SearchResults(
            request=request,
            groups=tuple(hits),
            total=len(order),
            total_units=len(docs),
            facets={
                name: tuple(
                    FacetCount(value, n, value in matches.filters.get(name, ()))
                    for value, n in sorted(facets[name].items(), key=lambda vn: (-vn[1], vn[0]))
                )
                for name in Facet
            },
            page=page,
            history_units=matches.history_units(),
        )

    def count(
        self, text: str, *, viewer: Viewer, filters: Mapping[str, tuple[str, ...]] | None = None
    ) -> int:
        """How many groups match (unscored: cheap enough to try several queries)."""
        request = SearchRequest(text=text, viewer=viewer, filters=filters or {})
        with self._searching() as searcher:
            matches = self._matches(searcher, request, self.parse(text), scored=False)
            return int(np.count_nonzero(matches.group_mask()))

    def spelling(self, text: str) -> str | None:
        """Replace words no text field holds by the closest indexed word (edit distance 1 for
        Chinese, 2 otherwise); None when no word needs it or none has a correction."""
        normalized = normalize_query(text)
        q = self._parser.parse(normalized)
        changed = normalized
        with self._searching() as searcher:
            reader = searcher.reader()
            corrector = searcher.corrector("text")
            unknown = {
                t.decode() if isinstance(t, bytes) else t
                for fieldname, t in q.all_terms()
                if fieldname in TEXT_FIELDS
            }
            for word in sorted(unknown, key=len, reverse=True):
                if any((fieldname, word) in reader for fieldname in TEXT_FIELDS):
                    continue
                maxdist = 1 if analysis.is_han(word) else 2
                suggestions = corrector.suggest(word, limit=1, maxdist=maxdist)
                if suggestions and suggestions[0] != word:
                    changed = re.sub(re.escape(word), suggestions[0], changed, count=1, flags=re.IGNORECASE)
        return changed if changed != normalized else None
