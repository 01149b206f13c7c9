"""Whoosh queries evaluated over whole posting lists at once, with numpy.

Whoosh scores one document at a time in Python: a word found in most of the archive (中小企业,
服务) costs a few microseconds per match, hundreds of milliseconds per search, and the exact counts
and facets the search page shows need every match. Here the postings of a term are read block by
block (the ids and weights Whoosh already stores as arrays), scored with BM25 as whole arrays, and
combined by set operations: a query becomes one sorted array of document numbers and one of
scores. Quoted phrases check positions only for the documents holding every word.

``Frame`` keeps, per searcher, what grouping and facets need as arrays: each document's group
ordinal and unit type, the field lengths, and the facet values of each group.

Only the query nodes the app's parser produces are evaluated here (terms, phrases, and/or/not,
every, constant score); any other node (a prefix, a fuzzy term) is matched by Whoosh itself and
its matches converted, so every query keeps working. Part of the Whoosh backend: nothing outside
tracker.search.whoosh imports it.
"""

from __future__ import annotations

import math
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh import columns, formats, query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

K1 = 1.2  # BM25, as Whoosh's default BM25F
B = 0.75

# postings kept decoded per searcher, counted in entries (16 bytes each: 4M is 64 MB a process)
CACHE_ENTRIES = 4_000_000

# a union of at least one posting per this many document numbers is added up densely (see union)
DENSE_UNION = 16

_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Hits:
    """Matching document numbers (sorted, unique) and their scores, as parallel arrays."""

    docs: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Hits:
        return cls(_EMPTY_IDS, _EMPTY_SCORES)

    def __len__(self) -> int:
        return len(self.docs)

    def keep(self, mask: np.ndarray) -> Hits:
        return Hits(self.docs[mask], self.scores[mask])

    def scaled(self, factor: float) -> Hits:
        return self if factor == 1.0 else Hits(self.docs, self.scores * factor)


def union(parts: Sequence[Hits]) -> Hits:
    """Documents in any part, scores added (Whoosh's Or)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Hits.empty()
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    size = int(docs.max()) + 1
    if len(docs) * DENSE_UNION >= size:
        # Common words: adding into one slot per document number is linear, where sorting the
        # concatenated lists (np.unique) was most of a one-word search's time at 10,000 proposals.
        # bincount adds each slot's scores in the same order np.unique's inverse does: same sums.
        present = np.zeros(size, dtype=bool)
        present[docs] = True
        unique = np.flatnonzero(present)
        return Hits(
            unique.astype(np.int64, copy=False), np.bincount(docs, weights=scores, minlength=size)[unique]
        )
    unique, inverse = np.unique(docs, return_inverse=True)
    return Hits(unique, np.bincount(inverse, weights=scores, minlength=len(unique)))


def intersection(parts: Sequence[Hits]) -> Hits:
    """Documents in every part, scores added (Whoosh's And)."""
    if not parts:
        return Hits.empty()
    result = parts[0]
    for part in sorted(parts[1:], key=len):
        if not len(result):
            break
        docs, left, right = np.intersect1d(result.docs, part.docs, assume_unique=True, return_indices=True)
        result = Hits(docs, result.scores[left] + part.scores[right])
    return result


def difference(hits: Hits, excluded: Hits) -> Hits:
    if not len(hits) or not len(excluded):
        return hits
    return hits.keep(~np.isin(hits.docs, excluded.docs, assume_unique=True))


def maybe(required: Hits, optional: Hits) -> Hits:
    """The required documents, with the optional part's score added where it matches too."""
    if not len(required) or not len(optional):
        return required
    _docs, left, right = np.intersect1d(required.docs, optional.docs, assume_unique=True, return_indices=True)
    scores = required.scores.copy()
    scores[left] += optional.scores[right]
    return Hits(required.docs, scores)


def bm25(idf: float, tf: np.ndarray, lengths: np.ndarray, average: float) -> np.ndarray:
    return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average))


# -- per-segment and per-searcher arrays ------------------------------------------------------------

# Whoosh's one-byte field lengths, as a lookup table
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _segment_key(reader: Any) -> str:
    segment = reader.segment()
    if segment is None:  # an empty index: nothing worth keeping
        return f"empty:{id(reader)}"
    return f"{segment.segment_id()}:{reader.doc_count_all()}"


class SegmentCache:
    """Decoded postings, column values and field lengths of segments, kept across searchers.

    A new searcher after an update shares all but its newest segment with the last one: only that
    one is read. ``keep`` forgets the segments a merge has removed. Only plain data is kept (no
    file handles): the searcher that read it may be closed since.
    """

    def __init__(self) -> None:
        # decoded posting lists and phrase matches per segment, most recently used last: reading
        # a common word's postings (unpickling every block) costs more than the rest of a search,
        # and after an update every segment but the new one still has the same postings
        self._postings: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._entries = 0
        self._raw: dict[tuple[str, str], tuple[bytes, list[int], list[int]] | None] = {}
        self._codes: dict[tuple[str, str], tuple[np.ndarray, list[str]]] = {}
        self._full: dict[tuple[str, str], Sequence[Any]] = {}  # columns of another kind (numbers)
        self._lengths: dict[tuple[str, str], np.ndarray] = {}

    def keep(self, readers: Iterable[Any]) -> None:
        live = {_segment_key(r) for r in readers}
        for store in (self._raw, self._codes, self._full, self._lengths):
            for key in [k for k in store if k[0] not in live]:
                del store[key]
        for key in [k for k in self._postings if k[0] not in live]:
            self._entries -= len(self._postings.pop(key)[0])

    def postings(
        self, reader: Any, key: tuple[Any, ...], compute: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """What ``compute`` reads from one segment's postings (document numbers within the segment
        and their weights or counts), kept until ``CACHE_ENTRIES`` entries are exceeded."""
        key = (_segment_key(reader), *key)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        found = self._postings[key] = compute()
        self._entries += len(found[0])
        while self._entries > CACHE_ENTRIES and len(self._postings) > 1:
            _key, (docs, _weights) = self._postings.popitem(last=False)
            self._entries -= len(docs)
        return found

    def _bytes(self, reader: Any, fieldname: str) -> tuple[bytes, list[int], list[int]] | None:
        """A variable-bytes column in one read: its data, offsets and lengths (None: another kind)."""
        key = (_segment_key(reader), fieldname)
        if key not in self._raw:
            found = None
            if reader.has_column(fieldname):
                column = reader.column_reader(fieldname)
                raw = column.raw_column() if hasattr(column, "raw_column") else column
                if isinstance(raw, columns.VarBytesColumn.Reader):
                    lengths, offsets = list(raw._lengths), list(raw._offsets)
                    data = raw._dbfile.get(raw._basepos, sum(lengths)) if lengths else b""
                    found = (data, offsets, lengths)
            self._raw[key] = found
        return self._raw[key]

    def codes(self, reader: Any, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """One segment's values of a sortable field as codes into its sorted distinct values
        (-1: none), so a new searcher maps codes instead of reading every value again."""
        key = (_segment_key(reader), fieldname)
        found = self._codes.get(key)
        if found is None:
            raw = self.values_at(reader, fieldname, range(reader.doc_count_all()))
            values = sorted({v for v in raw if v not in (None, "")})
            index = {v: i for i, v in enumerate(values)}
            codes = np.fromiter((index.get(v, -1) for v in raw), dtype=np.int32, count=len(raw))
            found = self._codes[key] = (codes, values)
        return found

    def values_at(self, reader: Any, fieldname: str, docnums: Iterable[int]) -> list[Any]:
        """Some documents' values of a sortable field in one segment."""
        docnums = list(docnums)
        raw = self._bytes(reader, fieldname)
        if raw is None:
            full = self._column(reader, fieldname)
            return [full[d] for d in docnums]
        # cut from one read: Whoosh's reader does a file read, a conversion and a decode each
        data, offsets, lengths = raw
        count = len(lengths)
        intern: dict[bytes, str] = {}
        found: list[Any] = []
        for d in docnums:
            if d >= count:
                found.append(None)
                continue
            v = data[offsets[d] : offsets[d] + lengths[d]]
            found.append(intern.get(v) or intern.setdefault(v, v.decode("utf-8")))
        return found

    def _column(self, reader: Any, fieldname: str) -> Sequence[Any]:
        """A column of another kind (numbers: dates), whole; integers as an array (0: none)."""
        key = (_segment_key(reader), fieldname)
        found = self._full.get(key)
        if found is None:
            size = reader.doc_count_all()
            values = list(reader.column_reader(fieldname)) if reader.has_column(fieldname) else []
            values = (values + [None] * size)[:size]
            if any(isinstance(v, int) for v in values) and all(
                v is None or isinstance(v, int) for v in values
            ):
                found = np.array([v or 0 for v in values], dtype=np.int64)
            else:
                found = values
            self._full[key] = found
        return found

    def pin(self, reader: Any, schema: Any) -> None:
        """Read now what searching this segment needs from files opened lazily: its columns, field
        lengths and stored fields (whose file is then kept open).

        Segments are separate files, and a commit of another process (a merge) deletes the files of
        the segments it replaced: a file opened before that stays readable, one opened after is
        gone. So a searcher reads them all when it opens, and is used only if the index was still
        at its generation afterwards (see WhooshBackend._searching).
        """
        for name, field in schema.items():
            if field.column_type is not None and self._bytes(reader, name) is None:
                self._column(reader, name)
            if field.scorable:
                self.lengths(reader, name)
        if reader.doc_count_all():
            reader.stored_fields(0)

    def lengths(self, reader: Any, fieldname: str) -> np.ndarray:
        key = (_segment_key(reader), fieldname)
        found = self._lengths.get(key)
        if found is None:
            found = self._lengths[key] = _read_lengths(reader, fieldname)
        return found


def _read_lengths(reader: Any, fieldname: str) -> np.ndarray:
    size = reader.doc_count_all()
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:  # another codec: ask document by document
        column = None
    if isinstance(column, columns.NumericColumn.Reader):
        count = min(size, column._count)
        raw = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
        found = np.zeros(size, dtype=np.float64)
        found[:count] = _LENGTH_OF_BYTE[raw]
        return found
    return np.array([reader.doc_field_length(d, fieldname, 0) or 0 for d in range(size)], dtype=np.float64)


class Frame:
    """Arrays over every document number of one searcher (built on first use, dropped with it)."""

    def __init__(self, searcher: Searcher, segments: SegmentCache) -> None:
        self.searcher = searcher
        self.leaves: list[tuple[Any, int]] = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.size = searcher.reader().doc_count_all()
        self.segments = segments
        segments.keep(reader for reader, _offset in self.leaves)
        for reader, _offset in self.leaves:
            segments.pin(reader, searcher.schema)
        self._lengths: dict[str, np.ndarray] = {}
        self._ordinals: dict[str, tuple[np.ndarray, list[str]]] = {}
        deleted = np.zeros(self.size, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                deleted[[offset + d for d in reader.deleted_docs_set]] = True
        self.live = ~deleted

    def values_at(self, fieldname: str, docnums: np.ndarray) -> list[Any]:
        """Some documents' values of a sortable field, in the order of ``docnums`` (sorted)."""
        found: list[Any] = []
        for reader, offset in self.leaves:
            count = reader.doc_count_all()
            local = docnums[(docnums >= offset) & (docnums < offset + count)] - offset
            found.extend(self.segments.values_at(reader, fieldname, local.tolist()))
        return found

    def ordinals(self, fieldname: str) -> tuple[np.ndarray, list[str]]:
        """Each document's value of a column as an ordinal into the sorted distinct values (-1: none)."""
        found = self._ordinals.get(fieldname)
        if found is None:
            parts = [self.segments.codes(reader, fieldname) for reader, _offset in self.leaves]
            values = sorted(set().union(*(local for _codes, local in parts)))
            index = {v: i for i, v in enumerate(values)}
            mapped = []
            for codes, local in parts:
                # local code -> global ordinal, with -1 (no value) kept: index -1 is the last slot
                table = np.array([index[v] for v in local] + [-1], dtype=np.int32)
                mapped.append(table[codes])
            found = (np.concatenate(mapped) if mapped else np.zeros(0, dtype=np.int32), values)
            self._ordinals[fieldname] = found
        return found

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of a field, in words (as Whoosh stores it: approximate above 255)."""
        found = self._lengths.get(fieldname)
        if found is None:
            parts = [self.segments.lengths(reader, fieldname) for reader, _offset in self.leaves]
            found = np.concatenate(parts) if parts else np.zeros(0)
            self._lengths[fieldname] = found
        return found


# -- evaluation -------------------------------------------------------------------------------------


def _leaf_matcher(reader: Any, fieldname: str, text: Any) -> Any | None:
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return None
    while isinstance(matcher, FilterMatcher):  # deletions: the frame's live mask does that
        matcher = matcher.child
    return matcher


def _read_postings(matcher: Any, values: bool) -> tuple[np.ndarray, np.ndarray, list[bytes] | None]:
    """All (ids, weights[, encoded values]) of one leaf's posting list."""
    ids: list[Any] = []
    weights: list[Any] = []
    found: list[bytes] | None = [] if values else None
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            if found is not None:
                matcher._read_values()
                found.extend(matcher._values)
            matcher._next_block()
        if not ids:
            return _EMPTY_IDS, _EMPTY_SCORES, found
        return np.concatenate(ids), np.concatenate(weights), found
    # a short posting list stored inline with its term: read it a posting at a time
    single_ids, single_weights = [], []
    while matcher.is_active():
        single_ids.append(matcher.id())
        single_weights.append(matcher.weight())
        if found is not None:
            found.append(matcher.value())
        matcher.next()
    return np.asarray(single_ids, dtype=np.int64), np.asarray(single_weights, dtype=np.float64), found


def _decoder(format_: Any) -> Callable[[bytes], Iterable[int]]:
    """Positions from an encoded posting value: Whoosh's own decoder, or for its Positions format
    the same steps without its per-call checks (a phrase decodes one value per candidate and word)."""
    if type(format_) is not formats.Positions:
        return format_.decode_positions

    def decode(value: bytes) -> Iterable[int]:
        body = value[_INT_SIZE:]
        return accumulate(pickle.loads(body if body.endswith(b".") else body + b"."))

    return decode


class Evaluator:
    """Turns a parsed query into ``Hits`` over a frame."""

    def __init__(self, frame: Frame, *, scored: bool = True) -> None:
        self.frame = frame
        self.searcher = frame.searcher
        self.scored = scored
        self._total = max(1, frame.searcher.doc_count_all())

    def run(self, q: query.Query) -> Hits:
        hits = self._eval(q)
        if len(hits) and not self.frame.live.all():
            hits = hits.keep(self.frame.live[hits.docs])
        return hits

    def _eval(self, q: query.Query) -> Hits:
        handler = _HANDLERS.get(type(q))
        if handler is None:
            return self._whoosh(q)
        return handler(self, q)

    # -- leaves

    def _leaf_postings(
        self, reader: Any, fieldname: str, text: Any, values: bool = False
    ) -> tuple[np.ndarray, np.ndarray, list[bytes] | None]:
        matcher = _leaf_matcher(reader, fieldname, text)
        if matcher is None:
            return _EMPTY_IDS, _EMPTY_SCORES, [] if values else None
        return _read_postings(matcher, values)

    def _weights(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """A term's documents and weights (term frequencies) over all segments."""
        ids_parts, weight_parts = [], []
        for reader, offset in self.frame.leaves:

            def read(reader: Any = reader) -> tuple[np.ndarray, np.ndarray]:
                ids, weights, _values = self._leaf_postings(reader, fieldname, text)
                return ids, weights

            ids, weights = self.frame.segments.postings(reader, ("term", fieldname, text), read)
            if len(ids):
                ids_parts.append(ids + offset)
                weight_parts.append(weights)
        if not ids_parts:
            return _EMPTY_IDS, _EMPTY_SCORES
        if len(ids_parts) == 1:
            return ids_parts[0], weight_parts[0]
        return np.concatenate(ids_parts), np.concatenate(weight_parts)

    def _idf(self, fieldname: str, text: Any) -> float:
        return math.log(self._total / (self.searcher.doc_frequency(fieldname, text) + 1)) + 1

    def _score(
        self, fieldname: str, idf: float, docs: np.ndarray, tf: np.ndarray, boost: float
    ) -> np.ndarray:
        if not self.scored:
            return np.zeros(len(docs))
        field = self.searcher.schema[fieldname]
        if not field.scorable:
            return tf * boost
        average = self.searcher.avg_field_length(fieldname) or 1.0
        return bm25(idf, tf, self.frame.lengths(fieldname)[docs], average) * boost

    def term(self, q: query.Term) -> Hits:
        docs, weights = self._weights(q.fieldname, q.text)
        if not len(docs):
            return Hits.empty()
        idf = self._idf(q.fieldname, q.text) if self.scored else 0.0
        return Hits(docs, self._score(q.fieldname, idf, docs, weights, q.boost))

    def phrase(self, q: query.Phrase) -> Hits:
        words = list(q.words)
        if q.slop != 1 or not words:
            return self._whoosh(q)
        if len(words) == 1:
            return self.term(query.Term(q.fieldname, words[0], boost=q.boost))
        docs_parts, count_parts = [], []
        for reader, offset in self.frame.leaves:

            def read(reader: Any = reader) -> tuple[np.ndarray, np.ndarray]:
                return self._leaf_phrase(reader, q.fieldname, words)

            docs, counts = self.frame.segments.postings(reader, ("phrase", q.fieldname, tuple(words)), read)
            if len(docs):
                docs_parts.append(docs + offset)
                count_parts.append(counts)
        if not docs_parts:
            return Hits.empty()
        docs, counts = np.concatenate(docs_parts), np.concatenate(count_parts)
        idf = sum(self._idf(q.fieldname, w) for w in words) if self.scored else 0.0
        return Hits(docs, self._score(q.fieldname, idf, docs, counts, q.boost))

    def _leaf_phrase(self, reader: Any, fieldname: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The documents of one segment holding the words one after another, and how many times."""
        nothing = (_EMPTY_IDS, _EMPTY_SCORES)
        postings = [self._leaf_postings(reader, fieldname, w, values=True) for w in words]
        if any(not len(ids) for ids, _w, _v in postings):
            return nothing
        candidates = postings[0][0]
        # the shortest lists first: fewer candidates to intersect
        for ids, _w, _v in sorted(postings[1:], key=lambda p: len(p[0])):
            candidates = np.intersect1d(candidates, ids, assume_unique=True)
            if not len(candidates):
                return nothing
        decode = _decoder(self.searcher.schema[fieldname].format)
        # per word: where each candidate sits in its postings
        where = [np.searchsorted(ids, candidates).tolist() for ids, _w, _v in postings]
        order = sorted(range(len(words)), key=lambda k: len(postings[k][0]))  # rarest word first
        counts = np.zeros(len(candidates))
        for c in range(len(candidates)):
            starts: set[int] | None = None
            for k in order:
                shifted = {p - k for p in decode(postings[k][2][where[k][c]])}
                starts = shifted if starts is None else starts & shifted
                if not starts:
                    break
            if starts:
                counts[c] = len(starts)
        matched = counts > 0
        return candidates[matched], counts[matched]

    def every(self, q: query.Every) -> Hits:
        docs = np.flatnonzero(self.frame.live).astype(np.int64)
        return Hits(docs, np.full(len(docs), float(q.boost)))

    # -- compounds

    def and_(self, q: query.And) -> Hits:
        positive = [s for s in q.subqueries if not isinstance(s, query.Not)]
        negative = [s.query for s in q.subqueries if isinstance(s, query.Not)]
        if not positive:
            return Hits.empty()
        hits = intersection([self._eval(s) for s in positive])
        for s in negative:
            hits = difference(hits, self._eval(s))
        return hits.scaled(q.boost)

    def or_(self, q: query.Or) -> Hits:
        if q.scale or any(isinstance(s, query.Not) for s in q.subqueries):
            return self._whoosh(q)
        return union([self._eval(s) for s in q.subqueries]).scaled(q.boost)

    def and_not(self, q: query.AndNot) -> Hits:
        return difference(self._eval(q.a), self._eval(q.b)).scaled(q.boost)

    def and_maybe(self, q: query.AndMaybe) -> Hits:
        return maybe(self._eval(q.a), self._eval(q.b)).scaled(q.boost)

    def require(self, q: query.Require) -> Hits:
        required = self._eval(q.a)
        scoring = self._eval(q.b)
        docs, left, _right = np.intersect1d(
            scoring.docs, required.docs, assume_unique=True, return_indices=True
        )
        return Hits(docs, scoring.scores[left] * q.boost)

    def constant(self, q: query.ConstantScoreQuery) -> Hits:
        inner = Evaluator(self.frame, scored=False)._eval(q.child)
        return Hits(inner.docs, np.full(len(inner), float(q.score)))

    def null(self, _q: query.Query) -> Hits:
        return Hits.empty()

    # -- anything else: Whoosh's own matchers

    def _whoosh(self, q: query.Query) -> Hits:
        context = self.searcher.context(weighting=self.searcher.weighting if self.scored else None)
        docs: list[int] = []
        scores: list[float] = []
        for subsearcher, offset in self.searcher.leaf_searchers():
            matcher = q.matcher(subsearcher, context)
            while matcher.is_active():
                docs.append(offset + matcher.id())
                scores.append(matcher.score() if self.scored else 0.0)
                matcher.next()
        if not docs:
            return Hits.empty()
        ids = np.asarray(docs, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        return Hits(ids[order], np.asarray(scores, dtype=np.float64)[order])


_HANDLERS: dict[type, Callable[[Evaluator, Any], Hits]] = {
    query.Term: Evaluator.term,
    query.Phrase: Evaluator.phrase,
    query.Every: Evaluator.every,
    query.And: Evaluator.and_,
    query.Or: Evaluator.or_,
    query.AndNot: Evaluator.and_not,
    query.AndMaybe: Evaluator.and_maybe,
    query.Require: Evaluator.require,
    query.ConstantScoreQuery: Evaluator.constant,
    type(query.NullQuery): Evaluator.null,
}


# -- grouping and facets ---------------------------------------------------------------------------


class Groups:
    """The groups (proposals, documents) of a frame: each document's group, and each group's facet values.

    ``facets`` maps a facet name to (column, multi-valued, per-unit); multi-valued columns hold
    values joined by ``separator``.
    """

    def __init__(self, frame: Frame, facets: Mapping[str, tuple[str, bool, bool]], separator: str) -> None:
        self.frame = frame
        self.of_doc, self.keys = frame.ordinals("group")
        count = len(self.keys)
        self.count = count
        # the first live document of each group: every unit of a group carries the group's facts
        # (a deleted one may hold facts that have changed since)
        present = (self.of_doc >= 0) & frame.live
        docs = np.flatnonzero(present)
        first = np.full(count, -1, dtype=np.int64)
        first[self.of_doc[docs][::-1]] = docs[::-1]
        self.first = first
        # group facts come from each group's first document: one value per group, not per unit
        holders = first >= 0
        firsts = first[holders]
        order = np.argsort(firsts, kind="stable")
        sorted_firsts = firsts[order]
        groups_of_sorted = np.flatnonzero(holders)[order]

        def per_group(fieldname: str) -> list[tuple[int, Any]]:
            values = frame.values_at(fieldname, sorted_firsts)
            return list(zip(groups_of_sorted.tolist(), values, strict=True))

        self.date = np.zeros(count, dtype=np.int64)
        for g, value in per_group("date"):
            self.date[g] = value or 0
        self.unit_values: dict[str, tuple[np.ndarray, list[str]]] = {}
        # group facets: (group ordinal, value ordinal) pairs, and the values
        self.pairs: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        for name, (fieldname, multi, per_unit) in facets.items():
            if per_unit:
                self.unit_values[name] = frame.ordinals(fieldname)
                continue
            group_ids: list[int] = []
            value_texts: list[str] = []
            for g, value in per_group(fieldname):
                if value in (None, ""):
                    continue
                for v in value.split(separator) if multi else (value,):
                    if v:
                        group_ids.append(g)
                        value_texts.append(v)
            values = sorted(set(value_texts))
            index = {v: i for i, v in enumerate(values)}
            self.pairs[name] = (
                np.asarray(group_ids, dtype=np.int64),
                np.fromiter((index[v] for v in value_texts), dtype=np.int64, count=len(value_texts)),
                values,
            )

    def group_mask(self, name: str, wanted: Iterable[str]) -> np.ndarray:
        """Groups having any of ``wanted`` as a value of a group facet."""
        group_ids, value_ids, values = self.pairs[name]
        chosen = [i for i, v in enumerate(values) if v in set(wanted)]
        mask = np.zeros(self.count, dtype=bool)
        if chosen:
            mask[group_ids[np.isin(value_ids, chosen)]] = True
        return mask

    def unit_mask(self, name: str, wanted: Iterable[str], docs: np.ndarray) -> np.ndarray:
        ordinals, values = self.unit_values[name]
        chosen = [i for i, v in enumerate(values) if v in set(wanted)]
        return np.isin(ordinals[docs], chosen)

    def group_counts(self, name: str, groups: np.ndarray) -> dict[str, int]:
        """How many of ``groups`` (a mask over groups) have each value of a group facet."""
        group_ids, value_ids, values = self.pairs[name]
        tally = np.bincount(value_ids[groups[group_ids]], minlength=len(values))
        return {values[i]: int(n) for i, n in enumerate(tally.tolist()) if n}

    def unit_counts(self, name: str, docs: np.ndarray) -> dict[str, int]:
        ordinals, values = self.unit_values[name]
        picked = ordinals[docs]
        tally = np.bincount(picked[picked >= 0], minlength=len(values))
        return {values[i]: int(n) for i, n in enumerate(tally.tolist()) if n}
