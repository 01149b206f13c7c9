"""The search_unit table: one row per search unit (documents.SearchDocument), and its tsvector.

Kept out of SQLModel.metadata: it exists only on PostgreSQL (migration 0014), and only the postgres
backend reads or writes it. The text is segmented in Python by tracker.search.analysis (the same
rjieba analysis, dictionary and synonyms as the Whoosh index) and stored as a ready tsvector
('simple' words, explicit positions), so PostgreSQL never re-segments Chinese.

One vector holds every text field: ``text`` (title, body, proposer, replying office, one passage
each) with the positions of the title weighted A, of the proposer B and of the office C. A scope
(标题:…) is then a weight restriction on one vector and one GIN index serves every query.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from tracker.search import analysis
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.language import stem_latin

TABLE = "search_unit"
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position; later words share it
_POSITIONS = tuple(str(p) for p in range(MAX_POSITION + 1))  # spelled once, not per word

metadata = sa.MetaData()

search_unit = sa.Table(
    TABLE,
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("grp", sa.Text, nullable=False, index=True),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("anchor", sa.Text, nullable=False),
    sa.Column("reply_id", sa.Integer),
    sa.Column("agency", sa.Text, nullable=False),
    sa.Column("history", sa.Boolean, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("facts", pg.JSONB, nullable=False),
    sa.Column("published", sa.Boolean, nullable=False),
    sa.Column("publish_at", sa.DateTime(timezone=True)),
    sa.Column("number", sa.Integer),
    sa.Column("meeting_id", sa.Integer),
    sa.Column("year", sa.Integer),
    sa.Column("category", sa.Text),
    sa.Column("status", sa.Text),
    sa.Column("agencies", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("outcomes", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("member_ids", pg.ARRAY(sa.Integer), nullable=False),
    sa.Column("agency_ids", pg.ARRAY(sa.Integer), nullable=False),
    sa.Column("date", sa.Date),
    sa.Column("tsv", pg.TSVECTOR, nullable=False),
    sa.Column("tsv_summary", pg.TSVECTOR),
    # the transaction that wrote the row: a rebuild leaves alone rows written after it began
    sa.Column("written_xid", sa.Text, nullable=False, server_default=sa.text("pg_current_xact_id()")),
)


# -- analysis --------------------------------------------------------------------------------------


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


@lru_cache(maxsize=1 << 17)
def _lexeme(word: str) -> str:
    """A word as the tsvector literal spells it (stemmed, quoted): a per-word table."""
    return _quote(stem_latin(word))


def tsvector(text: str, weights: Iterable[tuple[int, int, str]] = ()) -> str:
    """``text`` as a tsvector literal: indexed words (sub-words at their word's position) with
    positions from 1; ``weights``: (start, end, letter) character ranges weighted A/B/C (the first
    range holding a word's first character gives its weight)."""
    ranges = list(weights)
    # each character's weight, looked up by a word's start (the later ranges written first)
    marks = [""] * len(text) if ranges else None
    for a, b, w in reversed(ranges):
        a, b = max(a, 0), min(b, len(text))
        if marks is not None and a < b:
            marks[a:b] = [w] * (b - a)
    # lexeme -> {position: its entry, "12" or "12A"}; positions only grow along the spans, so each
    # dict is in order, and the literal is the entries joined
    found: dict[str, dict[int, str]] = {}
    lexeme, spelled = _lexeme, _POSITIONS
    for word, position, start, _end in analysis.index_spans(text):
        position = MAX_POSITION if position >= MAX_POSITION else position + 1
        weight = marks[start] if marks is not None else ""
        key = lexeme(word)
        at = found.get(key)
        if at is None:
            found[key] = {position: spelled[position] + weight}
        elif position not in at or (weight and at[position][len(spelled[position]) :] > weight):
            at[position] = spelled[position] + weight  # a new position, or a stronger weight
    return " ".join(
        [
            key + ":" + ",".join(at.values() if len(at) <= 256 else islice(at.values(), 256))
            for key, at in found.items()
        ]
    )


def text_vector(doc: SearchDocument) -> str:
    """The unit's ``text`` (as the Whoosh index builds it), title/proposer/office weighted."""
    parts = [
        (doc.title, "A"),
        (doc.body, ""),
        (doc.facts.proposer if doc.type == UnitType.PROPOSAL else "", "B"),
        (doc.agency, "C"),
    ]
    joined, weights, at = [], [], 0
    for part, weight in parts:
        if not part:
            continue
        if joined:
            at += 1  # the line break between passages
        if weight:
            weights.append((at, at + len(part), weight))
        joined.append(part)
        at += len(part)
    return tsvector("\n".join(joined), weights)


# -- rows ------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _aware(moment: datetime) -> datetime:
    # a naive moment is UTC (as the visibility rule reads it), whatever the session's time zone
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def facts_json(facts: GroupFacts) -> dict[str, Any]:
    return {f.name: _plain(getattr(facts, f.name)) for f in dataclasses.fields(GroupFacts)}


def facts_from_json(stored: dict[str, Any]) -> GroupFacts:
    values = dict(stored)
    for name in ("agencies", "outcomes", "member_ids", "agency_ids"):
        values[name] = tuple(values.get(name) or ())
    if values.get("date"):
        values["date"] = date.fromisoformat(values["date"])
    if values.get("publish_at"):
        values["publish_at"] = datetime.fromisoformat(values["publish_at"])
    known = {f.name for f in dataclasses.fields(GroupFacts)}
    return GroupFacts(**{k: v for k, v in values.items() if k in known})


def row(doc: SearchDocument) -> dict[str, Any]:
    f = doc.facts
    return {
        "key": doc.key,
        "grp": f.group,
        "type": doc.type.value,
        "position": doc.position,
        "title": doc.title,
        "body": doc.body,
        "anchor": doc.anchor,
        "reply_id": doc.reply_id,
        "agency": doc.agency,
        "history": doc.history,
        "fingerprint": doc.fingerprint,
        "facts": facts_json(f),
        "published": f.published,
        "publish_at": _aware(f.publish_at) if f.publish_at is not None and not f.published else None,
        "number": f.number,
        "meeting_id": f.meeting_id,
        "year": f.year,
        "category": f.category or None,
        "status": f.status or None,
        "agencies": list(f.agencies),
        "outcomes": list(f.outcomes),
        "member_ids": list(f.member_ids),
        "agency_ids": list(f.agency_ids),
        "date": f.date,
        "tsv": text_vector(doc),
        "tsv_summary": tsvector(doc.summary) if doc.summary else None,
    }


# -- what a search reads: narrow copies (migration 0022) --------------------------------------------

HIT = "search_hit"  # per unit: what matching, counting and choosing ranking candidates read
GROUP = "search_group"  # per group: the facts visibility and the facets read, its words (0024)
HIT_COLUMNS = "key, grp, type, history, title, tsv, published, size"
# the title lower-cased: LIKE, not ILIKE, per row; the vector's stored size: the ranking's walk (0024)
HIT_VALUES = "key, grp, type, history, lower(title), tsv, published, pg_column_size(tsv)"
GROUP_COLUMNS = (
    "grp, published, publish_at, number, meeting_id, year, category, status, agencies, outcomes, "
    "member_ids, agency_ids, date"
)


def derived_inserts(source: str, where: str = "true") -> dict[str, str]:
    """INSERT … SELECT statements filling search_hit and search_group from ``source`` (search_unit or
    a table of its shape) for the rows ``where`` selects: one row per unit, one per group (with the
    union of its in-force units' words, no positions: what a query of words ORed matches)."""
    return {
        HIT: f"INSERT INTO {{table}} ({HIT_COLUMNS}) SELECT {HIT_VALUES} FROM {source} WHERE {where}",
        GROUP: (
            f"INSERT INTO {{table}} ({GROUP_COLUMNS}, tsv) SELECT DISTINCT ON (s.grp) {_qualified('s')}, "
            "coalesce(array_to_tsvector(w.words), '') "
            f"FROM (SELECT * FROM {source} WHERE {where}) s LEFT JOIN ("
            "SELECT x.grp, array_agg(DISTINCT u.lexeme) AS words "
            f"FROM (SELECT grp, tsv FROM {source} WHERE ({where}) AND NOT history) x, unnest(x.tsv) u "
            "GROUP BY x.grp) w ON w.grp = s.grp ORDER BY s.grp"
        ),
    }


def _qualified(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in GROUP_COLUMNS.split(","))


# -- the vocabulary spelling hints choose from (migration 0025) --------------------------------------

WORDS = "search_word"  # every indexed word once, with its units when last counted


def words_counted(source: str) -> str:
    """SELECT (word, ndoc) of every word of ``source``'s vectors: each vector read, so only at a
    rebuild (15 s at 1.13 M units)."""
    return f"SELECT word, ndoc FROM ts_stat('SELECT tsv FROM {source}')"


def words_insert(source: str, where: str) -> str:
    """INSERT the words of the ``where`` rows of ``source`` that search_word lacks (uncounted). An
    existing row is never touched, so writers do not queue on common words; the new ones are taken
    in one order, so two writers adding the same new words wait for each other, never deadlock.
    The known words are left out by a lookup first: a conflict check for each of a proposal's ~750
    words cost 17 ms a write at 100,000 proposals, the lookup 2 ms."""
    return (
        f"INSERT INTO {WORDS} (word) SELECT DISTINCT u.lexeme FROM {source} s, unnest(s.tsv) u "
        f"WHERE ({where}) AND NOT EXISTS (SELECT 1 FROM {WORDS} w WHERE w.word = u.lexeme) "
        "ORDER BY u.lexeme ON CONFLICT (word) DO NOTHING"
    )
