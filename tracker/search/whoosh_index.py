"""The Whoosh backend: with whoosh_arrays (its query evaluator), the only code that imports whoosh.

Schema: one document per unit (see documents.py) with a unique ``key``, the ``group`` it belongs to,
the analysed text fields, the facet fields and the visibility facts. The analyzer is
``ChineseTokenizer`` (which also stems English words); Whoosh pickles it into the index, so the class
must keep its import path (tracker.search.whoosh_index).

Writes. Whoosh allows one writer at a time per index, guarded by a lock file. A writer waits for
the lock up to ``lock_timeout`` seconds. Before waiting, the groups to update are written to a
small ticket file under ``pending/``; whoever holds the lock next indexes every ticket it finds
(reading the database after taking the lock, so the newest committed state is what lands) and
then deletes them. A ticket left behind by a timeout or a crash is picked up by the next write,
the retry that sync.py schedules, or the start-up check: no committed update is lost.

Reads. One searcher per backend (one backend per app, so one per worker process), kept open and
reopened only when the index has a newer generation. Searches on it are serialised with a lock:
Whoosh readers are not documented as thread-safe. The query matches every unit it can (so facet
counts are exact): whoosh_arrays evaluates it over whole posting lists with numpy and keeps decoded
postings per segment; facet filters and counts are then computed from column values, per group.
Segments are written as separate files (see ``_writer``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError
from whoosh.lang.porter import stem
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, NO_MERGE, SegmentWriter

from tracker.search import (
    UNIT_FACETS,
    Facet,
    FacetCount,
    Fragment,
    GroupHit,
    IndexBusy,
    IndexState,
    Loader,
    SearchRequest,
    SearchResults,
    Similar,
    Sort,
    UnitHit,
    analysis,
    highlight,
    whoosh_arrays,
    whoosh_merge,
)
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.services import visibility
from tracker.services.visibility import Role, Viewer

log = logging.getLogger(__name__)

INDEX_NAME = "units"
# Bump when the schema or the analysis changes in a way old indexes cannot serve; the start-up
# check then rebuilds. 3: synonyms indexed under their group's word (synonyms.txt needs a reindex).
# 4: a gap of positions between passages (phrases stop at line breaks); each group's fingerprint;
# units of earlier letters marked as history. 5: the moment of a scheduled publication (publish_at).
SCHEMA_VERSION = 5
VERSION_FILE = "schema-version"
PENDING_DIR = "pending"
WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"  # the name Whoosh's writer locks
CREATE_LOCK = f"{INDEX_NAME}_CREATELOCK"
MAINTENANCE_LOCK = f"{INDEX_NAME}_CHECKLOCK"

TEXT_FIELDS = ("title", "text", "proposer", "agency_name")
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
# facet -> the sortable field (column) holding its value(s)
FACET_FIELDS = {
    Facet.SESSION: "session",
    Facet.YEAR: "year",
    Facet.CATEGORY: "category",
    Facet.AGENCY: "agency",
    Facet.OUTCOME: "outcome",
    Facet.STATUS: "status",
    Facet.TYPE: "type",
}
LIST_SEPARATOR = "\x1f"  # between the values of a multi-valued facet field
MULTI_VALUED = frozenset({Facet.AGENCY, Facet.OUTCOME})
HISTORY = query.Term("history", "y")  # units of earlier letters
FACETS = frozenset(f.value for f in Facet)

SIMILAR_TERMS = 25  # key terms a more-like-this query is built from
SIMILAR_CACHE = 512  # more-like-this answers kept per process (for the current index generation)
HIGHLIGHT_CHARS = 1500  # of a long text, how much is analysed to place its fragments
OPEN_ATTEMPTS = 5  # tries to open a searcher no commit overtook
ALLOWED_CACHE = 64  # filters (per viewer) whose allowed documents are kept with the searcher


# -- analysis --------------------------------------------------------------------------------------


class ChineseTokenizer(Tokenizer):
    """Words from tracker.search.analysis: search-mode cut when indexing, precise cut otherwise.

    English words are stemmed here rather than by a StemFilter: one pass over the tokens, not two.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        words = analysis.index_tokens(value) if mode == "index" else analysis.query_tokens(value)
        for word in words:
            token.text = stem_latin(word.text)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word.text
            if positions:
                token.pos = start_pos + word.position
            if chars:
                token.startchar, token.endchar = start_char + word.start, start_char + word.end
            yield token


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return stem(word)


def stem_latin(word: str) -> str:
    """Porter stemming for English words; Chinese words and numbers pass unchanged."""
    return _stem(word) if word.isascii() and word.isalpha() else word


def chinese_analyzer() -> ChineseTokenizer:
    return ChineseTokenizer()


_HIGHLIGHT_ANALYZER = chinese_analyzer()


@lru_cache(maxsize=2048)
def _analysed(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """A text's indexed words with their positions and offsets, for highlighting.

    Kept for the texts shown last: the same suggestions and points come up in the results of many
    searches, and analysing them was most of the time a result page took.
    """
    return tuple(
        (t.text, t.pos, t.startchar, t.endchar)
        for t in _HIGHLIGHT_ANALYZER(text, positions=True, chars=True, mode="index")
    )


def make_schema() -> Schema:
    analyzer = chinese_analyzer()

    def text(**kwargs: Any) -> TEXT:
        return TEXT(analyzer=analyzer, multitoken_query="phrase", **kwargs)

    return Schema(
        key=ID(unique=True, stored=True),
        group=ID(stored=True, sortable=True),
        type=ID(stored=True, sortable=True),
        # The default query searches title (boosted) and text; the other text fields are scopes.
        title=text(stored=True),
        text=text(),  # title, body and names together
        body=STORED(),  # shown in fragments
        proposer=text(stored=True),
        agency_name=text(stored=True),
        # proposal units only: title and suggestions, what more-like-this compares proposals by
        summary=TEXT(analyzer=analyzer, phrase=False),
        # the group's fingerprint (documents.fingerprint), read as a column by the start-up check
        fingerprint=ID(sortable=True),
        # "y": a unit of an earlier letter (superseded), left out unless a search asks for them
        history=ID(stored=True),
        number=ID(stored=True),
        session=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        # several values joined by LIST_SEPARATOR; read from their columns for facets
        agency=ID(stored=True, sortable=True),
        outcome=ID(stored=True, sortable=True),
        published=ID(stored=True),
        # a scheduled publication's moment, in whole seconds since the epoch (rounded up, so the
        # comparison with now never shows it early); absent once public
        publish_at=NUMERIC(stored=True, bits=64),
        member_ids=KEYWORD(stored=True, commas=True),
        agency_ids=KEYWORD(stored=True, commas=True),
        date=NUMERIC(stored=True, sortable=True),
        position=NUMERIC(stored=True),
        anchor=STORED(),
        reply_id=STORED(),
        group_title=STORED(),
        proposal_id=STORED(),
        meeting_body=STORED(),
        meeting_name=STORED(),
        document_id=STORED(),
        slug=STORED(),
        language=STORED(),
        doc_kind=STORED(),
    )


def _keywords(values: Iterable[object]) -> str:
    # KEYWORD(commas=True) splits on commas: a comma inside a value becomes a full-width one.
    return ",".join(str(v).replace(",", "，") for v in values)


def document_fields(doc: SearchDocument) -> dict[str, Any]:
    """The Whoosh fields of one unit (absent values are left out, not stored as "")."""
    f = doc.facts
    fields: dict[str, Any] = {
        "key": doc.key,
        "group": f.group,
        "type": doc.type.value,
        "title": doc.title,
        "text": "\n".join(
            t
            for t in (doc.title, doc.body, f.proposer if doc.type == UnitType.PROPOSAL else "", doc.agency)
            if t
        ),
        "body": doc.body,
        "published": "y" if f.published else "n",
        **({"publish_at": _epoch_ceil(f.publish_at)} if f.publish_at is not None and not f.published else {}),
        "history": "y" if doc.history else "n",
        "date": int(f.date.strftime("%Y%m%d")) if f.date else 0,
        "position": doc.position,
        "anchor": doc.anchor,
        "group_title": f.title,
        "language": f.language,
        "doc_kind": f.doc_kind,
    }
    optional = {
        "proposer": f.proposer if doc.type == UnitType.PROPOSAL else "",
        "agency_name": doc.agency,
        "summary": doc.summary,
        "number": "" if f.number is None else str(f.number),
        "session": "" if f.meeting_id is None else str(f.meeting_id),
        "year": "" if f.year is None else str(f.year),
        "category": f.category or "",
        "status": f.status or "",
        "agency": LIST_SEPARATOR.join(f.agencies),
        "outcome": LIST_SEPARATOR.join(f.outcomes),
        "member_ids": _keywords(f.member_ids),
        "agency_ids": _keywords(f.agency_ids),
        "meeting_body": f.meeting_body or "",
        "meeting_name": f.meeting_name or "",
        "slug": f.slug or "",
        "fingerprint": doc.fingerprint,
    }
    fields.update({k: v for k, v in optional.items() if v})
    for name, value in (
        ("reply_id", doc.reply_id),
        ("proposal_id", f.proposal_id),
        ("document_id", f.document_id),
    ):
        if value is not None:
            fields[name] = value
    return fields


def _split(value: str | bytes | None, separator: str = ",") -> tuple[str, ...]:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return tuple(v for v in (value or "").split(separator) if v)


def facts_from_stored(stored: Mapping[str, Any]) -> GroupFacts:
    stamp = stored.get("date") or 0
    return GroupFacts(
        group=stored["group"],
        title=stored.get("group_title", ""),
        published=stored.get("published") == "y",
        publish_at=datetime.fromtimestamp(stored["publish_at"], UTC) if stored.get("publish_at") else None,
        proposal_id=stored.get("proposal_id"),
        number=int(stored["number"]) if stored.get("number") else None,
        meeting_id=int(stored["session"]) if stored.get("session") else None,
        meeting_body=stored.get("meeting_body") or None,
        meeting_name=stored.get("meeting_name") or None,
        year=int(stored["year"]) if stored.get("year") else None,
        category=stored.get("category") or None,
        status=stored.get("status") or None,
        agencies=_split(stored.get("agency"), LIST_SEPARATOR),
        outcomes=_split(stored.get("outcome"), LIST_SEPARATOR),
        member_ids=tuple(int(v) for v in _split(stored.get("member_ids"))),
        agency_ids=tuple(int(v) for v in _split(stored.get("agency_ids"))),
        date=date(stamp // 10000, stamp // 100 % 100, stamp % 100) if stamp else None,
        proposer=stored.get("proposer", ""),
        document_id=stored.get("document_id"),
        slug=stored.get("slug") or None,
        language=stored.get("language", "zh"),
        doc_kind=stored.get("doc_kind", ""),
    )


_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")  # a generation's table of contents

# -- queries ---------------------------------------------------------------------------------------

_WORD_BREAK = re.compile(r"[\W_]")  # what ends a run of letters (Han or other) for the analyzer

# Quotation marks people type in Chinese text; the parser knows only the ASCII one.
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」『』〝〞"})


def normalize_query(text: str) -> str:
    """NFKC (full-width ：－（） become ASCII) and one kind of quotation mark; case is kept for OR/NOT."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).strip()


def _epoch_ceil(moment: datetime) -> int:
    stamp = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return math.ceil(stamp)


def visibility_query(viewer: Viewer, now: datetime | None = None) -> query.Query | None:
    """The rule of tracker.services.visibility.can_see, over the facts stored with every unit: a
    scheduled publication is public once its stored moment is not after now (the clock of this
    request, so every server agrees and none waits for the index to be rewritten)."""
    if viewer.sees_all:
        return None
    moment = now or visibility.now()
    clauses: list[query.Query] = [
        query.Term("published", "y"),
        query.NumericRange("publish_at", None, math.floor(moment.timestamp())),
    ]
    if viewer.role == Role.MEMBER and viewer.member_id is not None:
        clauses.append(query.Term("member_ids", str(viewer.member_id)))
    if viewer.role == Role.AGENCY and viewer.agency_id is not None:
        clauses.append(query.Term("agency_ids", str(viewer.agency_id)))
    return query.Or(clauses)


def _words_of(q: query.Query) -> list[str] | None:
    if isinstance(q, query.Term) and isinstance(q.text, str):
        return [q.text]
    if isinstance(q, query.Phrase):
        return list(q.words)
    return None


class _Highlight:
    """What to mark in each text field: single words, and phrases (marked only where whole)."""

    def __init__(self) -> None:
        self.words: dict[str, set[str]] = defaultdict(set)
        self.phrases: dict[str, set[tuple[str, ...]]] = defaultdict(set)

    def collect(self, q: query.Query) -> _Highlight:
        if isinstance(q, query.Not):
            return self
        if isinstance(q, query.AndNot):
            return self.collect(q.a)
        words = _words_of(q)
        if words is not None and q.fieldname in TEXT_FIELDS:
            if len(words) == 1:
                self.words[q.fieldname].add(words[0])
            else:
                self.phrases[q.fieldname].add(tuple(words))
            return self
        for child in q.children():
            self.collect(child)
        return self

    def fields(self, *names: str) -> tuple[set[str], set[tuple[str, ...]]]:
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for name in names:
            words |= self.words.get(name, set())
            phrases |= self.phrases.get(name, set())
        return words, phrases


# -- matches, facets and filters ------------------------------------------------------------------


class _View:
    """What one searcher needs for searching, built on first use and dropped with the searcher:
    column values, the arrays of whoosh_arrays, and the documents each visibility filter allows."""

    def __init__(self, searcher: Searcher, segments: whoosh_arrays.SegmentCache) -> None:
        self.searcher = searcher
        self.frame = whoosh_arrays.Frame(searcher, segments)
        self._groups: whoosh_arrays.Groups | None = None
        self._allowed: OrderedDict[query.Query, np.ndarray] = OrderedDict()

    @property
    def groups(self) -> whoosh_arrays.Groups:
        if self._groups is None:
            facets = {
                name.value: (FACET_FIELDS[name], name in MULTI_VALUED, name in UNIT_FACETS) for name in Facet
            }
            self._groups = whoosh_arrays.Groups(self.frame, facets, LIST_SEPARATOR)
        return self._groups

    def allowed(self, q: query.Query | None) -> np.ndarray | None:
        """The documents a filter query allows, as a mask over document numbers (kept: Whoosh
        would otherwise run the filter over the whole index for every search)."""
        if q is None:
            return None
        mask = self._allowed.get(q)
        if mask is None:
            mask = np.zeros(self.frame.size, dtype=bool)
            mask[whoosh_arrays.Evaluator(self.frame, scored=False).run(q).docs] = True
            self._allowed[q] = mask
            while len(self._allowed) > ALLOWED_CACHE:
                self._allowed.popitem(last=False)
        else:
            self._allowed.move_to_end(q)
        return mask


class _Matches:
    """The units a query matched (arrays), and the groups and facet counts they make.

    Facet filters are applied here rather than in the index query, so that a facet in use can be
    counted without its own filter (its other values stay choosable) from the same matches.
    """

    def __init__(
        self,
        view: _View,
        hits: whoosh_arrays.Hits,
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
        mask = np.zeros(self.groups.count, dtype=bool)
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


# -- the backend -----------------------------------------------------------------------------------


class WhooshBackend:
    """A Whoosh index in one directory (``SEARCH_INDEX_DIR``)."""

    def __init__(
        self, path: str | os.PathLike[str], *, lock_timeout: float = 10.0, merge_in_background: bool = True
    ) -> None:
        self.path = Path(path)
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
        self._view: _View | None = None
        self._segments = whoosh_arrays.SegmentCache()  # kept across searchers

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WhooshBackend:
        return cls(
            config["SEARCH_INDEX_DIR"],
            lock_timeout=float(config.get("SEARCH_LOCK_TIMEOUT", 10.0)),
            merge_in_background=bool(config.get("SEARCH_MERGE_IN_BACKGROUND", True)),
        )

    # -- opening -----------------------------------------------------------------------------------

    def _storage(self) -> FileStorage:
        self.path.mkdir(parents=True, exist_ok=True)
        return FileStorage(str(self.path))

    def _has_toc(self) -> bool:
        """Whether the directory holds an index (a table of contents file), without reading it."""
        try:
            return any(n.startswith(f"_{INDEX_NAME}_") and n.endswith(".toc") for n in os.listdir(self.path))
        except OSError:
            return False

    def _version_ok(self) -> bool:
        try:
            return (self.path / VERSION_FILE).read_text().strip() == str(SCHEMA_VERSION)
        except OSError:
            return False

    def _index(self) -> FileIndex:
        """The open index; created (empty) when the directory has none."""
        with self._lock:
            storage = self._storage()
            if self._ix is not None and self._has_toc():
                return self._ix
            self._drop_searcher()
            if not self._has_toc() or not self._version_ok():
                self._create(storage)
            self._ix = storage.open_index(INDEX_NAME)
            return self._ix

    def _create(self, storage: FileStorage) -> None:
        """Create an empty index, one process at a time (the create lock)."""
        lock = storage.lock(CREATE_LOCK)
        if not _acquire(lock, self.lock_timeout):
            raise IndexBusy(f"{self.path}: another process is creating the index")
        try:
            if self._has_toc() and self._version_ok():
                return
            storage.create_index(self.schema, indexname=INDEX_NAME)
            (self.path / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        finally:
            lock.release()

    def _drop_searcher(self) -> None:
        self._view = None
        if self._searcher is not None:
            with suppress(Exception):
                self._searcher.close()
            self._searcher = None

    @contextmanager
    def _searching(self) -> Iterator[Searcher]:
        """The process's searcher, refreshed only when the index has a newer generation."""
        with self._lock:
            ix = self._index()
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not Searcher.refresh(): it reuses the readers of segments it already had, and a
                # reused reader misses documents deleted from its segment since (an update made
                # without a merge), so the old version of an edited unit would still be found.
                self._drop_searcher()
            if self._searcher is None:
                self._open_searcher(ix)
            assert self._searcher is not None
            yield self._searcher

    def _open_searcher(self, ix: FileIndex) -> None:
        """Open a searcher and read what it needs from lazily opened files (whoosh_arrays.Frame
        pins them); keep it only if no commit came in between, since a merge committed by another
        process deletes the files of the segments it replaced. Segments in both generations were
        not deleted, so what was read for them stays good."""
        for attempt in range(OPEN_ATTEMPTS):
            searcher = ix.searcher()
            try:
                view = _View(searcher, self._segments)
            except OSError:  # a file of a segment merged away meanwhile
                searcher.close()
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                continue
            if searcher.up_to_date() or attempt == OPEN_ATTEMPTS - 1:
                self._searcher, self._view = searcher, view
                return
            searcher.close()

    def close(self) -> None:
        self.wait_for_merge(timeout=60)
        with self._lock:
            self._drop_searcher()
            if self._ix is not None:
                self._ix.close()
                self._ix = None

    # -- writing -----------------------------------------------------------------------------------

    def _writer(self, **kwargs: Any) -> SegmentWriter:
        # Segments as separate files, not one compound file: a reader opening a compound file
        # copies each part into memory (Whoosh wraps the mapped part in a BytesIO), which made
        # every reopen after an update and every delete during one cost a copy of the archive.
        try:
            return self._index().writer(timeout=self.lock_timeout, delay=0.05, compound=False, **kwargs)
        except LockError:
            raise IndexBusy(f"{self.path}: the index stayed locked for {self.lock_timeout:g} s") from None

    def _pending_dir(self) -> Path:
        path = self.path / PENDING_DIR
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _journal(self, groups: Collection[str]) -> Path:
        """Write a ticket for these groups (atomically: readers never see half a ticket)."""
        folder = self._pending_dir()
        name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = folder / f".{name}.tmp"
        tmp.write_text(json.dumps(sorted(groups)), encoding="utf-8")
        final = folder / f"{name}.json"
        tmp.replace(final)
        return final

    def _tickets(self) -> list[tuple[Path, list[str]]]:
        tickets = []
        for path in sorted(self._pending_dir().glob("*.json")):
            try:
                groups = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # another writer took it
            except (OSError, ValueError):
                log.error("search: unreadable ticket %s removed; run `tracker reindex`", path)
                path.unlink(missing_ok=True)
                continue
            tickets.append((path, [str(g) for g in groups]))
        return tickets

    def pending(self) -> bool:
        return any(self._pending_dir().glob("*.json"))

    def index_documents(self, groups: Collection[str], load: Loader) -> int:
        if not groups:
            return 0
        self._journal(groups)
        return self.retry_pending(load)

    def delete(self, groups: Collection[str]) -> None:
        self.index_documents(groups, lambda _groups: ())

    def retry_pending(self, load: Loader) -> int:
        """Index every ticket waiting in pending/ (raises IndexBusy when the lock stays taken)."""
        writer = self._writer()
        try:
            tickets = self._tickets()
            groups = sorted({g for _path, gs in tickets for g in gs})
            if not groups:
                writer.cancel()
                return 0
            documents = list(load(groups))  # read now, under the lock: the newest committed state
            for group in groups:
                writer.delete_by_term("group", group)
            for doc in documents:
                writer.add_document(**document_fields(doc))
            # Whoosh merges small segments at every commit by default, which for a small archive
            # means rewriting all of it per update: commit the new segment alone, and once
            # segments have piled up merge them by the tiered policy, here when the merge is small
            # (the new documents join the merged segment), else in a process of its own (unless
            # configured not to) so the update does not wait for it
            chosen, later = self._merge_plan(whoosh_merge.sizes_of(writer))
            writer.commit(mergetype=whoosh_merge.merging(chosen) if chosen else NO_MERGE)
        except BaseException:
            with suppress(Exception):
                writer.cancel()
            raise
        for path, _groups in tickets:
            path.unlink(missing_ok=True)
        if later:
            self._merge_soon()
        return len(documents)

    def _merge_plan(self, sizes: list[int]) -> tuple[list[int], bool]:
        """What an update merges itself (segment indices), and whether a merging process is due."""
        if len(sizes) + 1 < whoosh_merge.MERGE_AT_SEGMENTS:
            return [], False
        chosen = whoosh_merge.segments_to_merge(sizes)
        if not self.merge_in_background or sum(sizes[i] for i in chosen) <= whoosh_merge.INLINE_MERGE_DOCS:
            return chosen, False
        return whoosh_merge.segments_to_merge(sizes, limit=whoosh_merge.INLINE_MERGE_DOCS), True

    def _merge_soon(self) -> None:
        """Start a merging process, unless this backend's last one is still at work."""
        if self._merger is not None and self._merger.poll() is None:
            return
        self._merger = subprocess.Popen(
            [sys.executable, "-m", "tracker.search.whoosh_merge", str(self.path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_for_merge(self, timeout: float | None = None) -> None:
        """Wait for a merge this backend started (tests, the benchmark, shutting down)."""
        if self._merger is not None:
            self._merger.wait(timeout)
            self._merger = None

    def rebuild(self, documents: Callable[[], Iterable[SearchDocument]], *, procs: int = 1) -> int:
        """Replace the whole index with ``documents()`` (readers keep the old one until it commits).

        With ``procs`` > 1, Whoosh's multiprocessing writer analyses and writes in that many
        processes (one segment each, not merged: a rebuild at 10,000 proposals took half the
        time on two cores). Whoosh drops a worker's segment silently if the worker fails, so
        the documents are counted afterwards and a shortfall is rebuilt in this process.
        """
        if not self.state().healthy:
            self._reset()
        if procs > 1:
            count = self._write_all(documents, procs=procs, multisegment=True)
            if self.doc_count() == count:
                return count
            log.error("search: a parallel rebuild lost documents; rebuilding in one process")
        return self._write_all(documents)

    def _write_all(self, documents: Callable[[], Iterable[SearchDocument]], **kwargs: Any) -> int:
        writer = self._writer(limitmb=128, **kwargs)
        try:
            tickets = self._tickets()  # what they ask for is in the database read below
            count = 0
            for doc in documents():
                writer.add_document(**document_fields(doc))
                count += 1
            writer.commit(mergetype=CLEAR)
        except BaseException:
            with suppress(Exception):
                writer.cancel()
            raise
        for path, _groups in tickets:
            path.unlink(missing_ok=True)
        return count

    def _reset(self) -> None:
        """Throw away an unreadable index or one of another schema version, keeping pending tickets.

        Done holding Whoosh's own write lock, so no writer of another process is mid-commit.
        """
        with self._lock:
            self._drop_searcher()
            self._ix = None
            storage = self._storage()
            lock = storage.lock(WRITE_LOCK)
            if not _acquire(lock, self.lock_timeout):
                raise IndexBusy(f"{self.path}: the index stayed locked for {self.lock_timeout:g} s")
            try:
                for entry in self.path.iterdir():
                    if entry.name == PENDING_DIR or "LOCK" in entry.name:
                        continue
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
                self._create(storage)
            finally:
                lock.release()

    @contextmanager
    def maintenance(self) -> Iterator[None]:
        """Held while the index is checked or rebuilt: one process at a time does it, and the next
        one finds the work done (workers starting together do not each rebuild the archive)."""
        lock = self._storage().lock(MAINTENANCE_LOCK)
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def clear(self) -> None:
        writer = self._writer()
        writer.commit(mergetype=CLEAR)

    def doc_count(self) -> int:
        with self._lock:
            return self._index().doc_count()

    def segment_count(self) -> int:
        """How many segments the live index is in (the benchmark reports it beside search times)."""
        with self._searching() as searcher:
            return len(list(searcher.leaf_searchers()))

    def generation(self) -> int:
        """The generation of the index's newest table of contents, from one directory listing
        (-1 with no index; never creates one)."""
        try:
            names = os.listdir(self.path)
        except OSError:
            return -1
        found = [int(m.group(1)) for n in names if (m := _TOC.match(n))]
        return max(found, default=-1)

    def state(self) -> IndexState:
        if not self._has_toc():
            return IndexState(counts={}, healthy=False)
        if not self._version_ok():
            return IndexState(counts={}, healthy=False)
        # Whoosh leaves a file open when it fails to read a damaged table of contents; the file is
        # closed when the exception is dropped, at the end of this block, and that is expected here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                with self._searching() as searcher:
                    return self._state(self._view_of(searcher).frame)
            except Exception as exc:  # any failure to read means the index cannot be trusted: rebuild it
                # the message only: a kept traceback would keep Whoosh's file open
                log.warning("search: the index in %s cannot be read: %s", self.path, str(exc))
            with self._lock:
                self._drop_searcher()
                self._ix = None
            return IndexState(counts={}, healthy=False)

    @staticmethod
    def _state(frame: whoosh_arrays.Frame) -> IndexState:
        """Units and fingerprint per group, from two columns read as arrays (no per-document work:
        the check reads the whole archive's state in well under a second)."""
        groups, keys = frame.ordinals("group")
        stamps, values = frame.ordinals("fingerprint")
        live = frame.live & (groups >= 0)
        of, stamp = groups[live], stamps[live]
        counts = np.bincount(of, minlength=len(keys))
        low = np.full(len(keys), np.iinfo(np.int32).max, dtype=np.int64)
        high = np.full(len(keys), -1, dtype=np.int64)
        np.minimum.at(low, of, stamp)
        np.maximum.at(high, of, stamp)
        held = np.flatnonzero(counts)
        return IndexState(
            counts={keys[g]: int(counts[g]) for g in held.tolist()},
            healthy=True,
            # one fingerprint on every unit of a group, or the group is stale ("")
            fingerprints={
                keys[g]: values[low[g]] if low[g] == high[g] and low[g] >= 0 else "" for g in held.tolist()
            },
        )

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
        words = _words_of(q)
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

    def _view_of(self, searcher: Searcher) -> _View:
        assert self._view is not None and self._view.searcher is searcher
        return self._view

    def _matches(
        self, searcher: Searcher, request: SearchRequest, q: query.Query, *, scored: bool = True
    ) -> _Matches:
        filters = {k: tuple(v) for k, v in request.filters.items() if v}
        narrow = self._narrowing(filters)
        if isinstance(q, query.Every) and narrow is not None:
            # nothing typed (a 案号 lookup): the number's own postings are the query, with Every's
            # score, instead of walking every document against the filter
            q, narrow = query.ConstantScoreQuery(narrow, q.boost), None
        view = self._view_of(searcher)
        hits = whoosh_arrays.Evaluator(view.frame, scored=scored).run(q)
        # visibility (the rule of the pages, in the query itself) and the 案号/group filters
        parts = [p for p in (visibility_query(request.viewer), narrow) if p is not None]
        if parts and len(hits):
            allowed = view.allowed(parts[0] if len(parts) == 1 else query.And(parts))
            hits = hits.keep(allowed[hits.docs])
        return _Matches(view, hits, filters, history=request.history)

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

            marks = _Highlight().collect(q)
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
                        title=self._mark_whole(facts.title, *marks.fields(*TEXT_FIELDS)),
                        score=float(best[g]),
                        units=tuple(
                            self._unit_hit(fields, score, marks)
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

    def more_like_this(
        self,
        text: str,
        *,
        viewer: Viewer,
        types: Collection[UnitType],
        exclude_groups: Collection[str] = (),
        limit: int = 5,
    ) -> list[Similar]:
        """Units like ``text``: key terms (Bo1 over the index) ORed, weighted, within ``types``.

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
        terms = [
            (term, weight)
            for term, weight in searcher.key_terms_from_text(fieldname, text, numterms=SIMILAR_TERMS * 2)
            # single Han characters are mostly particles (的, 与, 和): they only add noise
            if not (len(term) == 1 and analysis.is_han(term))
        ][:SIMILAR_TERMS]
        if not terms:
            return []
        q = query.Or([query.Term(fieldname, term, boost=weight) for term, weight in terms])
        kinds = query.Or([query.Term("type", t.value) for t in types])
        allowed = [kinds, *([seen] if (seen := visibility_query(viewer)) else [])]
        if {UnitType.REPLY, UnitType.REPLY_POINT} & set(types):
            allowed.append(query.Term("history", "n"))  # an earlier letter is history, not a like text
        results = searcher.search(
            q,
            filter=allowed[0] if len(allowed) == 1 else query.And(allowed),
            mask=query.Or([query.Term("group", g) for g in exclude_groups]) if exclude_groups else None,
            limit=limit,
        )
        marks = _Highlight()
        marks.words["text"].update(term for term, _weight in terms)
        found = []
        for hit in results:
            fields = hit.fields()
            score = hit.score or 0.0
            found.append(
                Similar(
                    facts=facts_from_stored(fields),
                    score=score,
                    units=(self._unit_hit(fields, score, marks),),
                )
            )
        return found

    # -- highlighting ------------------------------------------------------------------------------

    def _spans(
        self, text: str, words: set[str], phrases: set[tuple[str, ...]]
    ) -> tuple[list[tuple[int, int]], list[int]]:
        """Character spans of ``text`` whose analysed words are a query word or a whole phrase, and
        the offsets where its words start."""
        if not text:
            return [], []
        spans: list[tuple[int, int]] = []
        starts: list[int] = []
        at: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
        last = -1
        for word, pos, startchar, endchar in _analysed(text):
            if pos != last:  # a word (its sub-words follow at the same position)
                starts.append(startchar)
                last = pos
            if word in words:
                spans.append((startchar, endchar))
            if phrases:
                at[pos].append((word, startchar, endchar))
        for phrase in phrases:
            for pos, tokens in at.items():
                for word, start, _end in tokens:
                    if word != phrase[0]:
                        continue
                    end = self._phrase_end(at, pos, phrase)
                    if end is not None:
                        spans.append((start, end))
        return highlight.merge(spans), starts

    @staticmethod
    def _phrase_end(
        at: Mapping[int, list[tuple[str, int, int]]], pos: int, phrase: tuple[str, ...]
    ) -> int | None:
        end = None
        for offset, word in enumerate(phrase[1:], 1):
            match = [e for w, _s, e in at.get(pos + offset, []) if w == word]
            if not match:
                return None
            end = max(match)
        return end

    def _mark_whole(self, text: str, words: set[str], phrases: set[tuple[str, ...]]) -> Fragment:
        spans, _starts = self._spans(text, words, phrases) if words or phrases else ([], [])
        return highlight.whole(text, spans)

    def _fragments(self, text: str, words: set[str], phrases: set[tuple[str, ...]]) -> tuple[Fragment, ...]:
        if not text:
            return ()
        if not words and not phrases:
            # nothing to mark: the fragment is the text's start, and only the words there are
            # needed to end it between words (cut where a run of letters ends, so the words
            # before are cut as in the whole text)
            end = _WORD_BREAK.search(text, highlight.FRAGMENT_CHARS + highlight.SNAP_CHARS)
            _spans, starts = self._spans(text[: end.start()] if end else text, words, phrases)
            return highlight.fragments(text, [], starts)
        if len(text) <= HIGHLIGHT_CHARS:
            return highlight.fragments(text, *self._spans(text, words, phrases))
        # A long text (a proposal's background, a letter) is analysed only in a window: its start,
        # or else from a little before the first place a query word appears. Fragments show two
        # short windows, and analysing thousands of characters per result was most of a search.
        start = 0
        spans, starts = self._spans(text[:HIGHLIGHT_CHARS], words, phrases)
        if not spans:
            folded = analysis.normalize(text)
            found = [i for w in words | {"".join(p) for p in phrases} if (i := folded.find(w)) >= 0]
            if found:
                start = max(0, min(found) - highlight.FRAGMENT_CHARS)
                spans, starts = self._spans(text[start : start + HIGHLIGHT_CHARS], words, phrases)
                spans = [(a + start, b + start) for a, b in spans]
                starts = [i + start for i in starts]
        return highlight.fragments(text, spans, starts)

    def _unit_hit(self, stored: Mapping[str, Any], score: float, marks: _Highlight) -> UnitHit:
        title = stored.get("title", "")
        body = stored.get("body", "")
        words, phrases = marks.fields("text")
        return UnitHit(
            key=stored["key"],
            type=UnitType(stored["type"]),
            title=self._mark_whole(title, *marks.fields("title", "text")),
            fragments=self._fragments(body, words, phrases),
            anchor=stored.get("anchor", ""),
            position=stored.get("position", 0),
            score=score,
            reply_id=stored.get("reply_id"),
            agency=stored.get("agency_name", ""),
            history=stored.get("history") == "y",
        )


def _acquire(lock: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if lock.acquire(blocking=False):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
