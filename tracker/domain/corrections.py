"""Holding answers (阶段性答复) and corrections (更正) of issued letters: what a correction must
state, how the versions of a letter are named, and how two versions differ. Pure rules;
tracker.services.corrections stores the rows.

A correction never edits a letter in place: the corrected text is a new version and the one it
replaces is kept whole, so anyone can read (and download) what was sent on each date.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .drafting import LIMITS, clean_text
from .messages import N_, Problem, RuleError

# A letter is at most a pasted letter's size; a reason is a note.
LETTER_LIMIT = LIMITS.paste
REASON_LIMIT = LIMITS.note
HOLDING_LIMIT = 20_000  # a holding answer is a short letter: what is being done and when the answer comes


class Change(StrEnum):
    """One stretch of a text diff."""

    SAME = "same"
    REMOVED = "removed"
    ADDED = "added"


@dataclass(frozen=True)
class Piece:
    change: Change
    text: str


def _too_long(field: str, text: str, limit: int) -> Problem | None:
    if len(text) > limit:
        return Problem(
            field,
            N_("Too long: %(count)d characters; at most %(limit)d."),
            {"count": len(text), "limit": limit},
        )
    return None


def check_correction(text: str | None, reason: str | None, current: str) -> tuple[str, str]:
    """The corrected letter and the reason, cleaned; RuleError with every problem otherwise.

    A correction must say why (the public history shows the reason beside the date) and must change
    the text: saving the same letter again would add a version that differs in nothing."""
    letter, why = clean_text(text), clean_text(reason).strip()
    problems: list[Problem] = []
    if not letter.strip():
        problems.append(Problem("text", N_("Enter the corrected letter.")))
    elif letter == clean_text(current):
        problems.append(
            Problem("text", N_("The letter is the same as the version in force; nothing to correct."))
        )
    if not why.strip():
        problems.append(Problem("reason", N_("Give the reason for the correction.")))
    for found in (_too_long("text", letter, LETTER_LIMIT), _too_long("reason", why, REASON_LIMIT)):
        if found is not None:
            problems.append(found)
    if problems:
        raise RuleError(problems)
    return letter, why


def check_holding(text: str | None) -> str:
    """The holding answer's letter, cleaned; RuleError when empty or too long."""
    letter = clean_text(text)
    if not letter.strip():
        raise RuleError(Problem("text", N_("Enter the holding answer.")))
    problem = _too_long("text", letter, HOLDING_LIMIT)
    if problem is not None:
        raise RuleError(problem)
    return letter


def text_diff(old: str, new: str) -> list[Piece]:
    """How ``new`` differs from ``old``, character by character (Chinese has no spaces to split on),
    as stretches kept, removed and added; neighbouring stretches of one kind are joined. Both are
    compared as stored after cleaning (tracker.domain.drafting.clean_text): blanks at line ends and
    line-break styles are no change a reader sees."""
    old, new = clean_text(old), clean_text(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    pieces: list[Piece] = []

    def add(change: Change, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1].change == change:
            pieces[-1] = Piece(change, pieces[-1].text + text)
        else:
            pieces.append(Piece(change, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add(Change.SAME, old[i1:i2])
            continue
        add(Change.REMOVED, old[i1:i2])
        add(Change.ADDED, new[j1:j2])
    return pieces


def match_points(old_numbers: Sequence[int | None], new_numbers: Sequence[int | None]) -> dict[int, int]:
    """Which point of the version corrected each point of the corrected letter stands for, so its
    links to suggestions and its class carry over: matched by number (一、二、…), else by place
    when both versions have as many points. Returns index of a new point -> index of an old one;
    a point matched to nothing is left out (the linker proposes links for it)."""
    by_number: dict[int, int] = {}
    for index, n in enumerate(old_numbers):
        if n is not None:
            by_number.setdefault(n, index)
    same_count = len(old_numbers) == len(new_numbers)
    matched: dict[int, int] = {}
    for index, n in enumerate(new_numbers):
        old = by_number.get(n) if n is not None else None
        if old is None and same_count:
            old = index
        if old is not None:
            matched[index] = old
    return matched
