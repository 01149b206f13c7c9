"""The reply editor's rules, pure: what a draft holds and its limits, the frame it starts from, the
links a pasted letter gets, the numbered points of a letter written suggestion by suggestion, and
whether a draft may be submitted.

Suggestions are named by id (any integer the caller uses consistently); points of a pasted letter by
their index among its top-level points, from 0. The coverage rule itself is ``letters.check_coverage``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from .drafting import clean_text
from .glossary import people_date
from .letters import (
    DEFAULT_CLOSING,
    Coverage,
    Exemption,
    LetterPart,
    Waiver,
    addressee,
    check_coverage,
    default_preamble,
    point_heading,
)
from .messages import N_, Problem
from .sessions import reply_title

OUTCOMES = ("A", "B", "C")


class Mode(StrEnum):
    SECTIONS = "sections"  # one answer per suggestion, written in the editor
    PASTED = "pasted"  # a letter drafted elsewhere, parsed and linked


@dataclass(frozen=True)
class ReplyLimits:
    """Largest accepted sizes, in characters."""

    title: int = 200
    doc_number: int = 100
    salutation: int = 100
    preamble: int = 2_000
    answer: int = 20_000  # one suggestion's answer
    closing: int = 5_000
    signature: int = 200
    date: int = 50
    reason: int = 2_000
    # A long reply runs to ten pages (about 7,000 characters); anything past this is not a letter.
    pasted: int = 100_000
    opinion: int = 20_000
    comment: int = 2_000


REPLY_LIMITS = ReplyLimits()

# Frame fields written on one line; the others keep their line breaks.
_ONE_LINE = ("title", "doc_number", "salutation", "signature", "date")


@dataclass
class Frame:
    """Everything of the letter around its numbered points."""

    title: str = ""
    doc_number: str = ""
    salutation: str = ""  # without the colon
    preamble: str = ""
    closing: str = ""
    signature: str = ""
    date: str = ""


@dataclass
class Section:
    """The answer to one suggestion, in the editor."""

    suggestion: int
    body: str = ""
    outcome: str | None = None


@dataclass(frozen=True)
class ChosenLink:
    """A point of a pasted letter answering a suggestion, and how that came to be known."""

    point: int  # index among the letter's top-level points, from 0
    suggestion: int
    method: str  # title, similarity, number (proposed by the linker) or manual (chosen by hand)
    confidence: float


@dataclass
class DraftContent:
    mode: Mode = Mode.SECTIONS
    frame: Frame = field(default_factory=Frame)
    outcome: str | None = None
    sections: list[Section] = field(default_factory=list)
    pasted: str = ""
    links: list[ChosenLink] = field(default_factory=list)
    point_outcomes: dict[int, str] = field(default_factory=dict)
    exemptions: list[Exemption] = field(default_factory=list)

    def section_for(self, suggestion: int) -> Section | None:
        return next((s for s in self.sections if s.suggestion == suggestion), None)

    def exemption_for(self, suggestion: int) -> Exemption | None:
        return next((e for e in self.exemptions if e.suggestion == suggestion), None)

    def chosen_for(self, point: int) -> list[int]:
        return [link.suggestion for link in self.links if link.point == point]


# -- the standard frame -------------------------------------------------------------------------------


def date_text(day: date) -> str:
    """How a letter dates itself: 2025年3月10日 (the glossary's date for people)."""
    return people_date(day)


def session_name(body: str | None, name: str | None) -> str:
    """The session as a letter names it: the full name when stored (政协宁波市镇海区第十届委员会第三次会议),
    else what the data states, joined as a letter writes it (政协 + 第十届第三次会议, or just 政协)."""
    name = (name or "").strip()
    body = (body or "").strip()
    if name and (not body or body in name or "委员会" in name or "代表大会" in name):
        return name
    return f"{body}{name}"


def default_title(
    number: int | None, proposal_title: str, session_name: str = "", number_prefix: str | None = None
) -> str:
    """关于政协…第N号提案的答复 (the session's full name when it has one), or by the title when the
    proposal has no number."""
    if number is not None:
        return reply_title(number, session_name, number_prefix)
    return f"关于“{proposal_title.strip()}”提案的答复"


def default_frame(
    *,
    number: int | None,
    proposal_title: str,
    proposer: str | None,
    proposer_kind: str,
    agency: str,
    today: date,
    session_name: str = "",
    number_prefix: str | None = None,
) -> Frame:
    """The standard form: "XX委员：您提出的关于…的提案收悉，经我们研究，现答复如下：" … signature, date."""
    return Frame(
        title=default_title(number, proposal_title, session_name, number_prefix),
        salutation=addressee(proposer, proposer_kind) if proposer else "",
        preamble=default_preamble(proposal_title),
        closing=DEFAULT_CLOSING,
        signature=agency,
        date=date_text(today),
    )


# -- cleaning and limits ------------------------------------------------------------------------------


def _outcome(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value if value in OUTCOMES else None


def clean_content(content: DraftContent) -> DraftContent:
    """The content with control characters gone, one-line fields collapsed, unknown classes dropped."""
    frame = Frame(
        **{
            name: clean_text(getattr(content.frame, name), one_line=name in _ONE_LINE)
            for name in Frame.__dataclass_fields__
        }
    )
    return DraftContent(
        mode=content.mode,
        frame=frame,
        outcome=_outcome(content.outcome),
        sections=[Section(s.suggestion, clean_text(s.body), _outcome(s.outcome)) for s in content.sections],
        pasted=clean_text(content.pasted),
        links=list(content.links),
        point_outcomes={p: o for p, v in content.point_outcomes.items() if (o := _outcome(v))},
        exemptions=[
            Exemption(e.suggestion, e.kind, clean_text(e.reason), e.with_suggestion)
            for e in content.exemptions
        ],
    )


def _too_long(field_name: str, text: str, limit: int) -> Problem | None:
    if len(text) <= limit:
        return None
    return Problem(
        field_name,
        N_("Too long: %(count)d characters; at most %(limit)d."),
        {"count": len(text), "limit": limit},
    )


def pasted_problem(text: str, limits: ReplyLimits = REPLY_LIMITS) -> Problem | None:
    """A pasted letter longer than any reply: say so rather than read it."""
    if len(text) <= limits.pasted:
        return None
    return Problem(
        "pasted",
        N_(
            "The pasted text is %(count)d characters long; a reply letter can be at most %(limit)d "
            "characters. Check that you pasted the reply letter itself."
        ),
        {"count": len(text), "limit": limits.pasted},
    )


def limit_problems(content: DraftContent, limits: ReplyLimits = REPLY_LIMITS) -> list[Problem]:
    """Every field over its limit, named as the form names it."""
    found = [
        _too_long(name, getattr(content.frame, name), getattr(limits, name))
        for name in Frame.__dataclass_fields__
    ]
    found += [_too_long(f"answer-{s.suggestion}", s.body, limits.answer) for s in content.sections]
    found += [_too_long(f"reason-{e.suggestion}", e.reason, limits.reason) for e in content.exemptions]
    found.append(pasted_problem(content.pasted, limits))
    return [p for p in found if p is not None]


# -- the letter written suggestion by suggestion ------------------------------------------------------


def answered_sections(content: DraftContent) -> list[Section]:
    """Sections with an answer, in suggestion order: the letter's points."""
    return [s for s in content.sections if s.body.strip()]


def letter_parts(content: DraftContent, titles: Mapping[int, str]) -> list[tuple[Section, LetterPart]]:
    """The numbered points of the letter: 一、关于“<title>”。<answer>, numbered in order of the answered
    suggestions (a suggestion answered together with another has no point of its own)."""
    return [
        (s, LetterPart(n, point_heading(titles.get(s.suggestion, "")), s.body))
        for n, s in enumerate(answered_sections(content), 1)
    ]


# -- links and coverage -------------------------------------------------------------------------------


def point_links(content: DraftContent, point_count: int | None = None) -> list[tuple[int, int]]:
    """(point, suggestion) pairs: a section's point answers its suggestion; a pasted letter's points
    answer what the drafter confirmed."""
    if content.mode == Mode.SECTIONS:
        return [(i, s.suggestion) for i, s in enumerate(answered_sections(content))]
    return [
        (link.point, link.suggestion)
        for link in content.links
        if point_count is None or 0 <= link.point < point_count
    ]


def coverage(content: DraftContent, suggestions: Sequence[int], point_count: int | None = None) -> Coverage:
    return check_coverage(suggestions, point_links(content, point_count), content.exemptions)


def resolve_links(proposed: Iterable[ChosenLink], chosen: Mapping[int, Collection[int]]) -> list[ChosenLink]:
    """What the drafter confirmed: a proposed link kept keeps its method and confidence; a link the
    drafter added is made by hand ("manual", certain); a proposed link unticked is gone."""
    offered = {(link.point, link.suggestion): link for link in proposed}
    result = []
    for point in sorted(chosen):
        for suggestion in dict.fromkeys(chosen[point]):
            result.append(offered.get((point, suggestion)) or ChosenLink(point, suggestion, "manual", 1.0))
    return result


_COVERAGE_MESSAGES = {
    "no point answers it": N_(
        "Suggestion %(label)s has no answer: answer it, or mark it as answered together with another "
        "suggestion or as not answerable, with the reason."
    ),
    "an exemption needs a reason": N_(
        "Suggestion %(label)s: give the reason why it has no answer of its own."
    ),
    "it is answered together with a suggestion that has no answer": N_(
        "Suggestion %(label)s is marked as answered together with a suggestion that has no answer itself."
    ),
}


def submit_problems(
    content: DraftContent,
    suggestions: Sequence[int],
    labels: Mapping[int, str],
    point_count: int,
) -> list[Problem]:
    """Why the draft cannot be submitted yet (empty: it can). ``point_count`` is the number of numbered
    points the letter has (answered sections, or the pasted letter's points)."""
    found: list[Problem] = []
    if content.outcome not in OUTCOMES:
        found.append(Problem("outcome", N_("Choose the outcome class of the reply (A, B or C).")))
    if not content.frame.salutation.strip():
        found.append(Problem("salutation", N_("Fill in whom the letter is addressed to.")))
    if not content.frame.signature.strip():
        found.append(Problem("signature", N_("Fill in the signature (the agency's name).")))
    if point_count == 0:
        found.append(Problem(None, N_("The reply has no numbered point yet.")))
    for problem in coverage(content, suggestions, point_count).problems:
        found.append(
            Problem(
                f"answer-{problem.suggestion}",
                _COVERAGE_MESSAGES.get(problem.message, problem.message),
                {"label": labels.get(problem.suggestion, str(problem.suggestion))},
            )
        )
    return found


def digest(text: str) -> str:
    """A short fingerprint of a pasted letter: links are confirmed for one text, not another."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()[:16]


# -- storage: the JSON columns of a draft -------------------------------------------------------------


def sections_to_json(sections: Sequence[Section]) -> list[dict[str, Any]]:
    return [{"suggestion": s.suggestion, "body": s.body, "outcome": s.outcome} for s in sections]


def sections_from_json(rows: Iterable[Mapping[str, Any]]) -> list[Section]:
    return [
        Section(int(r["suggestion"]), str(r.get("body") or ""), _outcome(r.get("outcome")))
        for r in rows
        if isinstance(r, Mapping) and "suggestion" in r
    ]


def links_to_json(links: Sequence[ChosenLink]) -> list[dict[str, Any]]:
    return [
        {"point": ln.point, "suggestion": ln.suggestion, "method": ln.method, "confidence": ln.confidence}
        for ln in links
    ]


def links_from_json(rows: Iterable[Mapping[str, Any]]) -> list[ChosenLink]:
    return [
        ChosenLink(
            int(r["point"]),
            int(r["suggestion"]),
            str(r.get("method") or "manual"),
            float(r.get("confidence", 1.0)),
        )
        for r in rows
        if isinstance(r, Mapping) and "point" in r and "suggestion" in r
    ]


def exemptions_to_json(exemptions: Sequence[Exemption]) -> list[dict[str, Any]]:
    return [
        {"suggestion": e.suggestion, "kind": e.kind.value, "reason": e.reason, "with": e.with_suggestion}
        for e in exemptions
    ]


def exemptions_from_json(rows: Iterable[Mapping[str, Any]]) -> list[Exemption]:
    found = []
    for r in rows:
        if not isinstance(r, Mapping) or "suggestion" not in r:
            continue
        try:
            kind = Waiver(r.get("kind"))
        except ValueError:
            continue
        other = r.get("with")
        found.append(
            Exemption(int(r["suggestion"]), kind, str(r.get("reason") or ""), int(other) if other else None)
        )
    return found
