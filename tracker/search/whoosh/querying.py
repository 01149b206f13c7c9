"""Querying: the user's text parsed as Whoosh runs it (fields, aliases, phrases, synonyms), the
visibility filter, and a search evaluated over whole posting lists (arrays) into groups, facet
counts and the page of highlighted results."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

import numpy as np
from whoosh import query
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin
from whoosh.searching import Searcher

from tracker.domain.visibility import Role, Viewer
from tracker.search import Facet, FacetCount, GroupHit, SearchRequest, SearchResults, Sort, analysis
from tracker.search.whoosh import arrays
from tracker.search.whoosh.facets import Matches, View
from tracker.search.whoosh.highlighting import Marks, mark_whole, unit_hit, words_of
from tracker.search.whoosh.schema import TEXT_FIELDS, facts_from_stored, stem_latin
from tracker.search.whoosh.store import IndexStore

DEFAULT_FIELDS = ("title", "text")
# Field scopes users may type, in both languages. Unknown scopes are searched as plain words.
FIELD_ALIASES = {
    "title": ["标题", "题目"],
    "text": ["正文", "内容", "全文", "body"],
    "proposer": ["提案人", "委员"],
    "agency_name": ["agency", "承办单位", "办理单位", "单位"],
}
FIELD_BOOSTS = {"title": 2.0}
# Filters applied in the index query (besides visibility); facet filters are applied to the
# matches' column values, so that each facet can also be counted without its own filter.
QUERY_FILTERS = {"number": "number", "group": "group"}

# Quotation marks people type in Chinese text; the parser knows only the ASCII one.
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」『』〝〞"})


def normalize_query(text: str) -> str:
    """NFKC (full-width ：－（） become ASCII) and one kind of quotation mark; case is kept for OR/NOT."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).strip()


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
        text_schema = Schema(**{name: self.schema[name] for name in TEXT_FIELDS})
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema=text_schema, fieldboosts=FIELD_BOOSTS)
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(PlusMinusPlugin())
        return parser

    def _expand(self, q: query.Query) -> query.Query:
        """Chinese words and phrases also match their finer cut and their synonyms.

        商务平台 also as the phrase 商务 + 平台 (see analysis.finer). Any form of a synonym group
        (小微企业, 小型微型企业) becomes the group's one indexed term (see analysis._synonym_tokens).
        """
        words = words_of(q)
        if words is None:
            return q.apply(self._expand) if not q.is_leaf() else q
        if q.fieldname not in TEXT_FIELDS or not all(analysis.is_han(w) for w in words):
            return q
        group = analysis.canonical("".join(words))
        if group is not None:
            # the index holds the group word wherever any form of the group occurs (however it
            # was cut): one term, no phrase
            return query.Term(q.fieldname, stem_latin(group), boost=q.boost)
        fine = [part for word in words for part in analysis.finer(word)]
        if fine != words:
            return query.Or([q, query.Phrase(q.fieldname, fine, boost=q.boost)])
        return q

    def parse(self, text: str) -> query.Query:
        """The user's query as Whoosh runs it: an empty one matches everything (filters then choose)."""
        text = normalize_query(text)
        if not text:
            return query.Every()
        return self._expand(self._parser.parse(text))

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
            present = np.unique(owners)  # group ordinals follow the keys' order: the tie-break
            if request.sort == Sort.DATE:
                order = present[np.lexsort((present, -best[present], -groups.date[present]))]
            else:
                order = present[np.lexsort((present, -best[present]))]
            size = max(1, request.page_size)
            pages = max(1, -(-len(order) // size))
            page = min(max(1, request.page), pages)
            shown = order[(page - 1) * size : page * size]
            units_of = np.bincount(owners, minlength=groups.count)

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
