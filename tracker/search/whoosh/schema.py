"""What the Whoosh index holds: its fields, the analyzer, and a unit turned into fields and back.

The analyzer is ``ChineseTokenizer`` (which also stems English words); Whoosh pickles it into the
index, so the class must keep its import path (tracker.search.whoosh.schema; indexes written before
the package was split name tracker.search.whoosh_index, which re-exports it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from tracker.search import analysis
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.language import stem_latin

INDEX_NAME = "units"
# Bump when the schema or the analysis changes in a way old indexes cannot serve; the start-up
# check then rebuilds. 3: synonyms indexed under their group's word (synonyms.txt needs a reindex).
# 4: a gap of positions between passages (phrases stop at line breaks); each group's fingerprint;
# units of earlier letters marked as history. 5: the moment of a scheduled publication (publish_at).
SCHEMA_VERSION = 5
VERSION_FILE = "schema-version"

LIST_SEPARATOR = "\x1f"  # between the values of a multi-valued facet field


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
        spans = analysis.index_spans(value) if mode == "index" else analysis.query_spans(value)
        for word, position, start, end in spans:
            token.text = stem_latin(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


@lru_cache(maxsize=1 << 17)
def _term(word: str) -> bytes:
    """A word as the index's term (stemmed, UTF-8): a per-word table."""
    return stem_latin(word).encode("utf-8")


def index_values(field: FieldType, value: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
    """What ``field.index(value)`` gives, (term, frequency, weight, encoded value) per distinct
    term, without a Token object per word: for the bulk rebuild, where it is most of the CPU.

    Only a text field of this analyzer with Whoosh's Positions or Frequency format is done here
    (every text field of make_schema); any other field is left to Whoosh."""
    kind = type(field.format)
    if not (isinstance(value, str) and type(field.analyzer) is ChineseTokenizer) or kind not in (
        Positions,
        Frequency,
    ):
        return field.index(value)
    boost = field.format.field_boost
    term = _term
    if kind is Frequency:
        counts: dict[bytes, int] = {}
        for word, _position, _start, _end in analysis.index_spans(value):
            key = term(word)
            counts[key] = counts.get(key, 0) + 1
        return [(key, n, float(n) * boost, pack_uint(n)) for key, n in counts.items()]
    found: dict[bytes, list[int]] = {}
    for word, position, _start, _end in analysis.index_spans(value):
        key = term(word)
        at = found.get(key)
        if at is None:
            found[key] = [position]
        else:
            at.append(position)
    encode = field.format.encode
    return [(key, len(at), float(len(at)) * boost, encode(at)) for key, at in found.items()]


def chinese_analyzer() -> ChineseTokenizer:
    return ChineseTokenizer()


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
        **({"publish_at": epoch_ceil(f.publish_at)} if f.publish_at is not None and not f.published else {}),
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


def epoch_ceil(moment: datetime) -> int:
    stamp = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return math.ceil(stamp)
