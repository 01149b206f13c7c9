"""Duplicates: how much a stored proposal resembles a draft, for ranking similar proposals.

The search engine finds candidates (more-like-this over title and suggestions); this ranks them
again by what makes two proposals the same proposal: their suggestions match one by one
(whatever their order and wording) and their titles say the same thing. Character bigrams are
used because a reworded Chinese sentence keeps most of its two-character words even when the
word boundaries, the order of its clauses or a synonym here and there change.

Pure: no Flask, SQLModel or search engine here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.domain.archive import title_similarity

# Weights of the parts of the score (they sum to 1): the suggestions are what a proposal asks for,
# the title is what it is called.
SUGGESTION_WEIGHT = 0.7
TITLE_WEIGHT = 0.3

_NOT_TEXT = re.compile(r"[^\w]|_", re.UNICODE)


def _grams(text: str) -> frozenset[str]:
    t = _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text or "").lower())
    if len(t) < 2:
        return frozenset({t}) if t else frozenset()
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two bigram sets (0..1)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _best_matches(ours: Sequence[frozenset[str]], theirs: Sequence[frozenset[str]]) -> float:
    """Mean, over ``ours``, of the best overlap with any of ``theirs`` (order does not matter)."""
    if not ours or not theirs:
        return 0.0
    return sum(max(_overlap(a, b) for b in theirs) for a in ours) / len(ours)


@dataclass(frozen=True)
class Resemblance:
    score: float  # 0..1, what the list is ranked by
    suggestions: float  # how well the suggestions match one by one (both ways)
    title: float  # title similarity (on the titles' cores: no 关于 … 的提案)


def resemblance(
    title: str, suggestions: Sequence[str], other_title: str, other_suggestions: Sequence[str]
) -> Resemblance:
    """How much a proposal (``other_*``) resembles a draft.

    The suggestion part is matched both ways and averaged: a candidate that holds the draft's
    suggestions among many others of its own is less the same proposal than one that holds just
    those. A draft without suggestions yet is compared by its title alone.
    """
    ours = [g for g in (_grams(s) for s in suggestions) if g]
    theirs = [g for g in (_grams(s) for s in other_suggestions) if g]
    titles = title_similarity(title, other_title) if title.strip() and other_title.strip() else 0.0
    if not ours or not theirs:
        return Resemblance(score=round(titles, 4), suggestions=0.0, title=titles)
    both = (_best_matches(ours, theirs) + _best_matches(theirs, ours)) / 2
    score = SUGGESTION_WEIGHT * both + TITLE_WEIGHT * titles
    return Resemblance(score=round(score, 4), suggestions=round(both, 4), title=titles)
