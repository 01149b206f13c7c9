"""Sessions (届次 + 次会议): what a session must state, how it is named, and how its 案号 reads.

A session is 政协宁波市镇海区第十届委员会第三次会议: a body (政协 or 人大) and its organisation, a term
(届次, 第十届) and a sitting (次会议, 第三次会议). Proposals are numbered per session (numbers restart
at 1); an optional prefix is shown before the number. Exactly one session is current (preselected
at 立案) once there is any; only open sessions take proposals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .glossary import case_number
from .messages import N_, Problem, RuleError


class SessionIntake(StrEnum):
    """Which proposals a session takes while it is open."""

    MEETING = "meeting"  # 大会提案: during the plenary meeting
    INTERIM = "interim"  # 平时提案: between meetings


BODIES = ("政协", "人大")
YEARS = (1949, 2100)
NAME_LIMIT = 120  # characters of a full name or an organisation
SHORT_LIMIT = 40
# Letters, digits, CJK and a joining - or 〔〕: no spaces, and not 第/号, which the 案号 adds itself.
PREFIX = re.compile(r"[0-9A-Za-z\u3400-\u9fff〔〕\[\]（）()\-]{1,12}")


@dataclass(frozen=True)
class SessionFields:
    """What a person types for a session; strings already stripped by ``clean``."""

    body: str = "政协"
    organisation: str = ""
    term: str = ""  # 第十届
    sitting: str = ""  # 第三次会议
    full_name: str = ""
    short_name: str = ""
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    intake: str = SessionIntake.MEETING.value
    number_prefix: str = ""


def clean(fields: SessionFields) -> SessionFields:
    """Whitespace trimmed (and inner runs collapsed in names), as it will be stored."""

    def one(text: str) -> str:
        return " ".join((text or "").split())

    return replace(
        fields,
        body=one(fields.body),
        organisation=one(fields.organisation),
        term=one(fields.term),
        sitting=one(fields.sitting),
        full_name=one(fields.full_name),
        short_name=one(fields.short_name),
        intake=one(fields.intake),
        number_prefix="".join((fields.number_prefix or "").split()),
    )


def compose_full_name(organisation: str, term: str, sitting: str) -> str:
    """政协宁波市镇海区委员会 + 第十届 + 第三次会议 → 政协宁波市镇海区第十届委员会第三次会议.

    The term goes before the organisation's last word (委员会 / 人民代表大会) as the names are written;
    empty when a part is missing (the full name must then be typed).
    """
    if not (organisation and term and sitting):
        return ""
    for tail in ("委员会", "人民代表大会"):
        if organisation.endswith(tail):
            return f"{organisation[: -len(tail)]}{term}{tail}{sitting}"
    return f"{organisation}{term}{sitting}"


def compose_short_name(term: str, sitting: str) -> str:
    """第十届 + 第三次会议 → 十届三次, the way offices abbreviate a session."""
    if not (term and sitting):
        return ""
    t = term.removeprefix("第")
    s = sitting.removeprefix("第").removesuffix("会议").removesuffix("全体")
    return f"{t}{s}"


def validate(fields: SessionFields) -> SessionFields:
    """The cleaned fields with the names filled in from their parts where left blank, or RuleError
    naming every problem at once."""
    f = clean(fields)
    f = replace(
        f,
        full_name=f.full_name or compose_full_name(f.organisation, f.term, f.sitting),
        short_name=f.short_name or compose_short_name(f.term, f.sitting),
    )
    problems: list[Problem] = []
    if f.body not in BODIES:
        problems.append(Problem("body", N_("Choose the body: 政协 or 人大.")))
    if not f.full_name:
        problems.append(
            Problem("full_name", N_("Enter the session's full name (or its organisation, term and sitting)."))
        )
    for name, value, limit in (
        ("full_name", f.full_name, NAME_LIMIT),
        ("organisation", f.organisation, NAME_LIMIT),
        ("short_name", f.short_name, SHORT_LIMIT),
        ("term", f.term, SHORT_LIMIT),
        ("sitting", f.sitting, SHORT_LIMIT),
    ):
        if len(value) > limit:
            problems.append(
                Problem(
                    name,
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(value), "limit": limit},
                )
            )
    # The year may be unknown (older records, a seeded case whose documents do not state it).
    if f.year is not None and not YEARS[0] <= f.year <= YEARS[1]:
        problems.append(
            Problem(
                "year",
                N_("Enter a year between %(first)d and %(last)d."),
                {"first": YEARS[0], "last": YEARS[1]},
            )
        )
    if f.starts_on and f.ends_on and f.ends_on < f.starts_on:
        problems.append(Problem("ends_on", N_("The session cannot end before it starts.")))
    if f.year is not None and f.starts_on and f.starts_on.year != f.year:
        problems.append(Problem("starts_on", N_("The session starts in another year than its year.")))
    if f.intake not in {i.value for i in SessionIntake}:
        problems.append(Problem("intake", N_("Choose which proposals the session takes.")))
    if f.number_prefix and not PREFIX.fullmatch(f.number_prefix):
        problems.append(
            Problem(
                "number_prefix",
                N_(
                    "A prefix is 1 to 12 letters, digits or Chinese characters (and - or brackets), without spaces."
                ),
            )
        )
    if f.number_prefix and any(c in f.number_prefix for c in "第号"):
        problems.append(Problem("number_prefix", N_("Leave out 第 and 号: the number adds them.")))
    if problems:
        raise RuleError(problems)
    return f


def check_one_current(flags: Iterable[bool]) -> None:
    """Once there are sessions, exactly one of them is current."""
    values = list(flags)
    count = sum(1 for v in values if v)
    if values and count != 1:
        raise RuleError(
            Problem(None, N_("Exactly one session must be current; %(count)d are."), {"count": count})
        )


def check_takes_proposals(is_open: bool) -> None:
    """立案 only into a session that takes proposals now."""
    if not is_open:
        raise RuleError(
            Problem("meeting", N_("This session does not take proposals now; choose an open session."))
        )


def display_name(body: str | None, name: str | None) -> str:
    """How a session is named: its full name as stored, or, for older records that hold only
    第十届第三次会议, the body before it. Empty when no name is stated."""
    if not name:
        return ""
    if not body or body in name or "委员会" in name or "代表大会" in name:
        return name
    return f"{body} {name}"


def reply_title(number: int | None, session_name: str, prefix: str | None = None) -> str:
    """The default title of a reply letter: 关于政协…第N号提案的答复 (no session: 第N号提案的答复)."""
    if number is None:
        return ""
    if session_name:
        return f"关于{session_name}{case_number(number, prefix)}提案的答复"
    return f"{case_number(number, prefix)}提案的答复"
