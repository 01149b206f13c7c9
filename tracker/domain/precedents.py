"""Precedents while drafting a reply (issue 16): how past answers to similar suggestions are ranked,
and the text a copied answer starts the new one with. Pure: no database, no search engine.

Ranking. The search backend says how like this suggestion each past suggestion is; a past answer
inherits the likeness of the best suggestion it answered, taken relative to the best candidate of
all (so it reads 0..1 whatever the engine's scale). That likeness dominates: it is multiplied by
a bonus of at most +30 % and at least -20 % for what the answer achieved, the proposer's rating
(满意 +20 %, 基本满意 +10 %, none 0, 不满意 -20 %) and its class (A +10 %, B +5 %, C 0). So among
answers to equally similar suggestions the one the proposer was satisfied with, that solved the
problem, comes first, while a well-rated answer to a loosely related suggestion never overtakes
one to a near copy. Ties go to the newer letter, then to the lower point id (stable). An answer
less than a quarter as alike as the best one found is left out: it answers another matter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

RATING_BONUS = {"satisfied": 0.2, "basically_satisfied": 0.1, "dissatisfied": -0.2}
OUTCOME_BONUS = {"A": 0.1, "B": 0.05, "C": 0.0}
MIN_LIKENESS = 0.25  # of the best candidate's similarity

_INDENT = " \t\u3000"
_TITLE_END = "。．.：:；;"


@dataclass(frozen=True)
class Candidate:
    """A past reply point in force found through a suggestion it answered."""

    point_id: int
    similarity: float  # the search score of the past suggestion (engine scale)
    rating: str | None = None  # the proposer's rating of its letter
    outcome: str | None = None  # the point's class, else its letter's
    issued: date | None = None  # the letter's date
    weight: float = 0.0  # set by ``rank``


def weight(relative: float, rating: str | None, outcome: str | None) -> float:
    """A candidate's place: its relative likeness times the bonus for what the answer achieved."""
    return relative * (1 + RATING_BONUS.get(rating or "", 0.0) + OUTCOME_BONUS.get(outcome or "", 0.0))


def rank(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """The best ``limit`` candidates, best first, each point once (found by its most similar
    suggestion), with ``weight`` set."""
    best: dict[int, Candidate] = {}
    for found in candidates:
        kept = best.get(found.point_id)
        if kept is None or found.similarity > kept.similarity:
            best[found.point_id] = found
    if not best:
        return []
    top = max(c.similarity for c in best.values()) or 1.0
    weighted = [
        replace(c, weight=weight(c.similarity / top, c.rating, c.outcome))
        for c in best.values()
        if c.similarity >= MIN_LIKENESS * top
    ]
    weighted.sort(key=lambda c: (-c.weight, -(c.issued.toordinal() if c.issued else 0), c.point_id))
    return weighted[: max(0, limit)]


def starting_text(point_text: str, heading: str) -> str:
    """What a copied answer starts the new one with: the point's text without its own heading
    (关于“…”。: the new letter heads the answer with its own suggestion's title)."""
    body = point_text.strip(_INDENT + "\n")
    if heading and body.startswith(heading):
        body = body[len(heading) :]
        if body[:1] and body[0] in _TITLE_END:
            body = body[1:]
    return body.strip(_INDENT + "\n")


def with_copied(current: str, copied: str) -> str:
    """The answer once ``copied`` is added: it fills an empty answer and follows a typed one, so
    nothing already typed is lost."""
    current = current.rstrip()
    return f"{current}\n\n{copied}" if current else copied
