"""What a member types into the proposal form: cleaning, limits, the preview of a pasted text, and
composing the stored document from the fields.

A proposal written in the form is stored like an imported one: ``original_text`` is the whole
document (background, lead-in, numbered suggestions, closing) and every suggestion records where
its text sits in it. ``compose`` builds that text from the fields, so the offsets are exact by
construction rather than found again by the splitter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .messages import N_, Problem, RuleError
from .splitting import split_proposal
from .structure import title_of
from .units import Unit

DEFAULT_LEADIN = "为此建议："  # the usual words before the numbered suggestions of a proposal


@dataclass(frozen=True)
class Limits:
    """Largest accepted sizes, in characters (and counts for lists)."""

    title: int = 200
    background: int = 20_000
    closing: int = 5_000
    suggestion: int = 5_000
    suggestions: int = 30
    paste: int = 100_000
    cosigners: int = 20
    note: int = 2_000


LIMITS = Limits()

# C0 and C1 control characters except tab and newline, plus BOMs and interlinear annotation marks.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufeff\ufff9-\ufffb]")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})
# A marker typed at the start of a suggestion row ("3．", "（二）", "一、"): the form numbers rows itself.
_LEADING_MARKER = re.compile(
    r"^[ \t\u3000]*(?:[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]"
    r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})[.．、](?!\d))[ \t\u3000]*"
)
_NAME_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def clean_text(text: str | None, *, one_line: bool = False) -> str:
    """``text`` without control characters, with one kind of line break and no trailing blanks.

    Tabs and newlines stay in multi-line text; a one-line field gets its whitespace collapsed.
    """
    text = (text or "").replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = _CONTROLS.sub("", text)
    if one_line:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def parse_names(text: str | None) -> list[str]:
    """Names separated by commas, 、, semicolons or spaces; each once, in the order given."""
    names: list[str] = []
    for name in _NAME_SEPARATORS.split(clean_text(text, one_line=True)):
        if name and name not in names:
            names.append(name)
    return names


def strip_marker(text: str) -> str:
    return _LEADING_MARKER.sub("", text, count=1)


@dataclass
class Draft:
    """The fields of the proposal form, cleaned."""

    title: str = ""
    category: str = ""
    background: str = ""
    suggestions: list[str] = field(default_factory=list)
    closing: str = ""
    leadin: str | None = None
    cosigners: list[str] = field(default_factory=list)


def clean_draft(
    *,
    title: str | None,
    category: str | None,
    background: str | None,
    suggestions: Sequence[str | None],
    closing: str | None = "",
    leadin: str | None = None,
    cosigners: str | Sequence[str] | None = (),
) -> Draft:
    """The form's values as a Draft: control characters gone, empty suggestion rows dropped."""
    rows = [strip_marker(clean_text(s)).strip() for s in suggestions]
    names = parse_names(cosigners) if isinstance(cosigners, str | None) else parse_names("、".join(cosigners))
    return Draft(
        title=clean_text(title, one_line=True),
        category=clean_text(category, one_line=True),
        background=clean_text(background),
        suggestions=[r for r in rows if r],
        closing=clean_text(closing),
        leadin=clean_text(leadin, one_line=True) or None,
        cosigners=names,
    )


def _too_long(field_name: str, value: str, limit: int) -> Problem | None:
    if len(value) <= limit:
        return None
    return Problem(
        field_name,
        N_("Too long: %(count)d characters; at most %(limit)d."),
        {"count": len(value), "limit": limit},
    )


def problems(
    draft: Draft, *, submitting: bool, categories: Sequence[str], limits: Limits = LIMITS
) -> list[Problem]:
    """Everything wrong with ``draft``; a draft being saved needs only a title."""
    found: list[Problem] = []
    if not draft.title:
        found.append(Problem("title", N_("Give the proposal a title.")))
    for name, value, limit in (
        ("title", draft.title, limits.title),
        ("background", draft.background, limits.background),
        ("closing", draft.closing, limits.closing),
    ):
        problem = _too_long(name, value, limit)
        if problem:
            found.append(problem)
    if draft.category and draft.category not in categories:
        found.append(Problem("category", N_("Choose one of the listed categories.")))
    elif submitting and not draft.category:
        found.append(Problem("category", N_("Choose a category.")))
    if submitting and not draft.background:
        found.append(Problem("background", N_("Write the background of the proposal.")))
    if len(draft.suggestions) > limits.suggestions:
        found.append(
            Problem(
                "suggestions",
                N_("At most %(limit)d suggestions; this proposal has %(count)d."),
                {"limit": limits.suggestions, "count": len(draft.suggestions)},
            )
        )
    for n, text in enumerate(draft.suggestions, 1):
        if len(text) > limits.suggestion:
            found.append(
                Problem(
                    "suggestions",
                    N_("Suggestion %(n)d is too long: %(count)d characters; at most %(limit)d."),
                    {"n": n, "count": len(text), "limit": limits.suggestion},
                )
            )
    if submitting and not draft.suggestions:
        found.append(Problem("suggestions", N_("Add at least one suggestion.")))
    if len(draft.cosigners) > limits.cosigners:
        found.append(
            Problem(
                "cosigners",
                N_("At most %(limit)d co-signers; %(count)d were named."),
                {"limit": limits.cosigners, "count": len(draft.cosigners)},
            )
        )
    return found


# -- the pasted text ---------------------------------------------------------------------------------


@dataclass
class Preview:
    """A pasted proposal as the form shows it: background, suggestion rows, closing."""

    background: str
    leadin: str | None
    suggestions: list[str]
    closing: str
    numbered: bool  # False when no numbered list was found: the text is one suggestion


def preview(paste: str, *, limits: Limits = LIMITS) -> Preview:
    """Split a pasted proposal with the domain splitter; RuleError when it is empty or too long."""
    text = clean_text(paste)
    if not text.strip():
        raise RuleError(Problem("paste", N_("Paste the full text of the proposal first.")))
    if len(text) > limits.paste:
        raise RuleError(
            Problem(
                "paste",
                N_(
                    "The pasted text is too long to split: %(count)d characters; at most %(limit)d. "
                    "Nothing was changed."
                ),
                {"count": len(text), "limit": limits.paste},
            )
        )
    split = split_proposal(text)
    return Preview(
        background=split.background,
        leadin=split.leadin,
        suggestions=[u.text.strip() for u in split.suggestions if u.text.strip()],
        closing=split.closing,
        numbered=any(u.numbered for u in split.suggestions),
    )


# -- the stored document -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Composed:
    text: str
    leadin: str
    suggestions: list[Unit]  # offsets of each text in ``text``; numbered, no sub-points


def compose(draft: Draft) -> Composed:
    """The document text of ``draft`` and where each suggestion sits in it."""
    leadin = draft.leadin or DEFAULT_LEADIN
    parts: list[str] = []
    length = 0

    def put(piece: str) -> int:
        nonlocal length
        at = length
        parts.append(piece)
        length += len(piece)
        return at

    if draft.background:
        put(draft.background + "\n\n")
    units: list[Unit] = []
    if draft.suggestions:
        put(leadin + "\n")
        for n, body in enumerate(draft.suggestions, 1):
            marker = f"{n}."
            put(marker)
            start = put(body)
            put("\n")
            units.append(Unit(n, marker, "", body, start, start + len(body)))
    if draft.closing:
        put("\n" + draft.closing + "\n")
    text = "".join(parts)
    for unit in units:
        unit.title = title_of(text, unit.start, unit.end)
    return Composed(text=text, leadin=leadin, suggestions=units)
