"""Marking what matched in the Whoosh backend's stored fields: a unit hit from a stored unit; where
and what to mark is tracker.search.marking, shared with the PostgreSQL backend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.search import UnitHit
from tracker.search.documents import UnitType
from tracker.search.language import words_of
from tracker.search.marking import HIGHLIGHT_CHARS, Marks, analysed, fragments, mark_whole, match_spans

__all__ = [
    "HIGHLIGHT_CHARS",
    "Marks",
    "analysed",
    "fragments",
    "mark_whole",
    "match_spans",
    "unit_hit",
    "words_of",
]


def unit_hit(stored: Mapping[str, Any], score: float, marks: Marks) -> UnitHit:
    title = stored.get("title", "")
    body = stored.get("body", "")
    words, phrases = marks.fields("text")
    return UnitHit(
        key=stored["key"],
        type=UnitType(stored["type"]),
        title=mark_whole(title, *marks.fields("title", "text")),
        fragments=fragments(body, words, phrases),
        anchor=stored.get("anchor", ""),
        position=stored.get("position", 0),
        score=score,
        reply_id=stored.get("reply_id"),
        agency=stored.get("agency_name", ""),
        history=stored.get("history") == "y",
    )
