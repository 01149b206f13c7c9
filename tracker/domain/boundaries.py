"""Parts rebuilt from boundaries a person chose: per line of the original text, "starts a part"
(a suggestion or a reply point), "starts the closing" or nothing.

The review of imported documents uses it when the splitter or the reply parser cut a document in the
wrong place: the person says where each part starts, and each part gets its marker, number, text and
title exactly as the splitter derives them from a unit, with offsets into the same text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .markers import find_candidates, normalize
from .messages import N_, Problem, RuleError
from .structure import line_bounds, strip_end, sub_units, title_of
from .units import Unit


class Choice(StrEnum):
    NONE = ""
    PART = "part"  # starts a suggestion (proposal) or a point (reply)
    CLOSING = "closing"  # starts the closing: remarks, signature and date after the last part


@dataclass(frozen=True)
class Line:
    start: int  # offset of the line's first character in the text
    end: int  # offset of its end (the newline or the end of the text)
    number: int  # 1-based, counting every line, empty ones included
    text: str


@dataclass
class Rebuilt:
    units: list[Unit]
    head: str  # the text before the first part (title, background, lead-in or salutation, preamble)
    tail: str  # the text from the closing on ("" without one)


def lines_of(text: str) -> list[Line]:
    """The non-empty lines of ``text``, the ones a person can mark, with their 1-based numbers."""
    out: list[Line] = []
    pos = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            out.append(Line(pos, pos + len(raw), number, raw))
        pos += len(raw) + 1
    return out


def current_choices(text: str, units: Sequence[Unit | tuple[int, int]], closing: bool) -> dict[int, Choice]:
    """The choices that describe parts already found: the line holding each part's start is a part,
    and the first non-empty line after the last part starts the closing when ``closing`` (there is
    text after the last part). ``units`` may be units or (start, end) offset pairs."""
    spans = [(u.start, u.end) if isinstance(u, Unit) else u for u in units]
    lines = lines_of(text)
    chosen: dict[int, Choice] = {}
    for start, _end in spans:
        ls, _ = line_bounds(text, min(max(start, 0), len(text)))
        chosen[ls] = Choice.PART
    if closing and spans:
        last_end = max(end for _s, end in spans)
        after = next((ln for ln in lines if ln.start >= last_end and ln.start not in chosen), None)
        if after is not None:
            chosen[after.start] = Choice.CLOSING
    return chosen


def read_choices(choices: Mapping[int, str]) -> tuple[list[int], int | None]:
    """The part starts and the closing (if any) from a choice per line offset; an unknown choice or
    a second closing is refused."""
    starts: list[int] = []
    closings: list[int] = []
    for offset, value in sorted(choices.items()):
        if value not in {c.value for c in Choice}:
            raise RuleError(
                Problem("starts", N_("Choose for each line: starts a part, starts the closing or neither."))
            )
        if value == Choice.PART:
            starts.append(offset)
        elif value == Choice.CLOSING:
            closings.append(offset)
    if len(closings) > 1:
        raise RuleError(Problem("closing", N_("Mark only one line as the start of the closing.")))
    return starts, closings[0] if closings else None


def check_choices(text: str, starts: Collection[int], closing: int | None) -> None:
    """Refuse choices that make no parts: none chosen, a line that is not one, a closing before a part."""
    valid = {ln.start for ln in lines_of(text)}
    problems: list[Problem] = []
    if not starts:
        problems.append(Problem("starts", N_("Mark the line where each part starts.")))
    if any(s not in valid for s in starts) or (closing is not None and closing not in valid):
        problems.append(Problem("starts", N_("A marked line is not a line of this text.")))
    if starts and closing is not None and closing <= max(starts):
        problems.append(Problem("closing", N_("The closing must start after the last part.")))
    if problems:
        raise RuleError(problems)


def units_from_starts(text: str, starts: Collection[int], closing: int | None = None) -> Rebuilt:
    """Units starting at the chosen line offsets (sorted), each running to the next one, the last
    to ``closing`` (or to the end of the text).

    A marker at the start of the line ("3．", "（一）", "一是") is kept as written and the text starts
    after it, as the splitter does; a line without one gives an unnumbered part. Parts are numbered
    1..N in document order (the splitter's numbering, which the linker matches), except that a lone
    unnumbered part has no number. Lists inside a marked part become its sub-points.
    """
    check_choices(text, starts, closing)
    nt = normalize(text)
    ordered = sorted(set(starts))
    region_end = len(text) if closing is None else closing
    units: list[Unit] = []
    for k, start in enumerate(ordered):
        end = ordered[k + 1] if k + 1 < len(ordered) else region_end
        _, line_end = line_bounds(text, start)
        head = next((c for c in find_candidates(nt, start, line_end) if not nt[start : c.pos].strip()), None)
        if head is not None:
            text_start, marker = head.text_start, text[head.pos : head.end]
        else:
            text_start, marker = start, None
            while text_start < end and text[text_start] in " \t\u3000":
                text_start += 1
        stop = strip_end(text, text_start, end)
        subs = sub_units(text, nt, text_start, stop, head.rank) if head is not None else []
        units.append(
            Unit(
                n=k + 1,
                marker=marker,
                title=title_of(text, text_start, stop),
                text=text[text_start:stop],
                start=text_start,
                end=stop,
                sub_points=subs,
            )
        )
    if len(units) == 1 and units[0].marker is None:
        units[0].n = None
    return Rebuilt(
        units=units,
        head=text[: ordered[0]].strip(),
        tail=text[closing:].strip() if closing is not None else "",
    )


def strip_signature(tail: str, *, signature: str, date: str) -> str:
    """A reply's closing: ``tail`` without the signature and date lines (and label lines such as
    签发人：…) that end it, which the letter keeps in fields of their own."""
    lines = tail.split("\n")
    bodies = [b for b in (signature.strip(), date.strip()) if b]

    def signed(line: str) -> bool:
        s = line.strip()
        return (
            not s or any(s in b or b in s for b in bodies) or s.startswith(("签发人", "领导署名", "联系人"))
        )

    while lines and signed(lines[-1]):
        lines.pop()
    return "\n".join(lines).strip()


def after_salutation(head: str, salutation: str) -> str:
    """A reply's preamble: what ``head`` says after the salutation line (all of it without one)."""
    if salutation:
        pos = 0
        for raw in head.split("\n"):
            if raw.strip().startswith(salutation):
                rest = raw.strip()[len(salutation) :].lstrip("：: \u3000")
                return (rest + head[pos + len(raw) :]).strip()
            pos += len(raw) + 1
    return head.strip()
