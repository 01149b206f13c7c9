"""Similar units (more like this): proposals like a text (the review screen, the submission form,
the proposal page) and policy clauses like a suggestion (the reply editor). Optional in the backend
contract; answers are kept per index generation."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Collection
from typing import Any

from whoosh import query
from whoosh.searching import Searcher

from tracker.domain.visibility import Viewer
from tracker.search import Similar, key_terms
from tracker.search.documents import UnitType
from tracker.search.whoosh.highlighting import Marks, unit_hit
from tracker.search.whoosh.querying import Querying, visibility_query
from tracker.search.whoosh.schema import facts_from_stored

SIMILAR_CACHE = 512  # more-like-this answers kept per process (for the current index generation)


class SimilarUnits(Querying):
    """More-like-this for the Whoosh backend."""

    _similar: OrderedDict[tuple[Any, ...], tuple[Similar, ...]]

    def more_like_this(
        self,
        text: str,
        *,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str] = (),
        limit: int = 5,
    ) -> list[Similar]:
        """Units like ``text``: its key terms (tracker.search.key_terms) ORed, weighted, within ``types``.

        Proposals are compared by their ``summary`` (title and suggestions); other units by text.
        Proposal results are one per proposal; clause results one per clause.
        """
        fieldname = "summary" if set(types) == {UnitType.PROPOSAL} else "text"
        with self._searching() as searcher:
            # Pages ask the same again and again (every view of a proposal): answers are kept per
            # index generation, so any write to the index makes them be computed afresh.
            key = (
                searcher.ixreader.generation(),
                hashlib.sha1(text.encode("utf-8")).hexdigest(),
                viewer,
                frozenset(types),
                frozenset(exclude_groups),
                limit,
            )
            if key in self._similar:
                self._similar.move_to_end(key)
                return list(self._similar[key])
            found = self._more_like_this(searcher, fieldname, text, viewer, types, exclude_groups, limit)
            self._similar[key] = tuple(found)
            while len(self._similar) > SIMILAR_CACHE:
                self._similar.popitem(last=False)
            return found

    def similar_terms(self, text: str, *, types: Collection[UnitType]) -> list[tuple[str, float]]:
        """The weighted words ``more_like_this`` would look for."""
        fieldname = "summary" if set(types) == {UnitType.PROPOSAL} else "text"
        with self._searching() as searcher:
            return self._key_terms(searcher, fieldname, text)

    def _key_terms(self, searcher: Searcher, fieldname: str, text: str) -> list[tuple[str, float]]:
        # The engine-neutral rule (tracker.search.key_terms), with Whoosh's document frequencies.
        # Both counts include units deleted since the last merge, so their ratio stays right.
        if fieldname == "summary":  # only proposal units have one
            total = searcher.doc_frequency("type", UnitType.PROPOSAL.value)
        else:
            total = searcher.doc_count_all()
        return key_terms.choose(
            text, lambda words: {w: searcher.doc_frequency(fieldname, w) for w in words}, total
        )

    def _more_like_this(
        self,
        searcher: Searcher,
        fieldname: str,
        text: str,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str],
        limit: int,
    ) -> list[Similar]:
        terms = self._key_terms(searcher, fieldname, text)
        if not terms:
            return []
        q = query.Or([query.Term(fieldname, term, boost=weight) for term, weight in terms])
        kinds = query.Or([query.Term("type", t.value) for t in types])
        allowed = [kinds, *([seen] if (seen := visibility_query(viewer, self.clock())) else [])]
        if {UnitType.REPLY, UnitType.REPLY_POINT} & set(types):
            allowed.append(query.Term("history", "n"))  # an earlier letter is history, not a like text
        results = searcher.search(
            q,
            filter=allowed[0] if len(allowed) == 1 else query.And(allowed),
            mask=query.Or([query.Term("group", g) for g in exclude_groups]) if exclude_groups else None,
            limit=limit,
        )
        marks = Marks()
        marks.words["text"].update(term for term, _weight in terms)
        found = []
        for hit in results:
            fields = hit.fields()
            score = hit.score or 0.0
            found.append(
                Similar(
                    facts=facts_from_stored(fields),
                    score=score,
                    units=(unit_hit(fields, score, marks),),
                )
            )
        return found
