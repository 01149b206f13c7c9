"""Commitments (承诺事项): the promises a reply point makes, with the day each is due, and how a
promise stands on a given day. Pure rules: tracker.services.commitments stores and tracks them.

A class-B answer (正在解决或列入计划) promises things by a time: "力争2027年6月底前出台…",
"已列入2027年计划", "计划于明年3月完成". ``find_commitments`` reads a point's text sentence by
sentence and returns each dated promise with the last day of the period it names, resolving what is
relative (明年, 年底前, 下半年, 3月底前) against the letter's date. It is a suggestion: the drafter
or the office confirms, corrects or removes each one, and adds what it missed.

A date alone is no promise ("2012年4月底，国务院出台…" tells of the past; "3年内免征" is a
duration): a time counts when it is followed by 前/以前/内 or by a verb of completion, or when its
clause says what is intended (将, 力争, 计划, 确保…); a time before the letter's date is history.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .messages import N_, Problem, RuleError


class Sureness(StrEnum):
    """How sure the parser is of a found commitment's due day."""

    HIGH = "high"  # a stated year and a promise: "力争2027年6月底前出台"
    MEDIUM = "medium"  # resolved against the letter's date ("明年", "3月底前"), or "2027年前"
    LOW = "low"  # a promise with no day the parser could settle ("力争…取得突破", "列入计划")


class State(StrEnum):
    """What is stored; ``late`` is never stored but computed (see ``state_on``)."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


LATE = "late"  # an open commitment past its due day: computed, so it is right on any day
STATES_SHOWN = (State.OPEN.value, LATE, State.DONE.value, State.DROPPED.value)


class ReportKind(StrEnum):
    """What an agency reports on a commitment."""

    PROGRESS = "progress"  # a note; the commitment stays open
    DONE = "done"
    DROPPED = "dropped"  # with the reason


REPORT_STATE = {ReportKind.DONE: State.DONE, ReportKind.DROPPED: State.DROPPED}


@dataclass(frozen=True)
class Found:
    """A promise in a point's text: its sentence (``start``..``end`` in the text), the time as
    written, the day it is due (None when it could not be settled) and how sure that day is."""

    sentence: str
    when: str
    due: date | None
    sureness: Sureness
    start: int
    end: int


# -- numbers and periods ---------------------------------------------------------------------------

_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGIT |= {"六": 6, "七": 7, "八": 8, "九": 9}


def _number(s: str) -> int | None:
    """A small number in ASCII or full-width digits, digit by digit (二〇二七) or with 十 (十二)."""
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _DIGIT.get(tens, -1) if tens else 1
        o = _DIGIT.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 or len(tens) > 1 or len(ones) > 1 else t * 10 + o
    value = 0
    for ch in s:
        if ch not in _DIGIT:
            return None
        value = value * 10 + _DIGIT[ch]
    return value


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_on_or_after(letter: date, end_in: Callable[[int], date]) -> date:
    """The first period's end on or after the letter's day: this year's, else next year's."""
    this_year = end_in(letter.year)
    return this_year if this_year >= letter else end_in(letter.year + 1)


_Y = r"(?:\d{4}|[〇零○一二三四五六七八九]{4})"
_N = r"[\d０-９〇零一二三四五六七八九十]{1,3}"
_REL = r"今年|本年|当年|明年|次年|下一年|下年|后年"
_TIME = re.compile(
    rf"(?P<fyp>十[三四五六七]五)(?:规划)?[”’\"]?"
    rf"|(?P<year>{_Y})\s*年(?P<yeard>度)?|(?P<rel>{_REL})(?:度)?"
    rf"|(?P<bare>年内|年底|年末|本年度内|上半年|下半年|第?[一二三四1-4]季度|{_N}月)"
)
# What may follow a year (or a bare month): the period within it.
_WITHIN = re.compile(
    rf"\s*(?:(?P<m>{_N})\s*月份?\s*(?:(?P<d>{_N})\s*日|(?P<part>底|末|中旬|上旬|下旬|中))?"
    rf"|(?P<half>上半年|下半年)|第?(?P<q>[一二三四1-4])季度|(?P<yend>年底|年末|底|末|内|年内))?"
)
_BEFORE = re.compile(r"\s*(?:前|以前|之前|内|以内|期间|期末|末|为止)")
_DONE_VERB = re.compile(
    r"\s*(?:全面|基本|正式|如期|顺利|陆续)?"
    r"(?:完成|出台|建成|实现|启动|印发|开工|投用|投入使用|上线|落实|竣工|到位|实施|推出|发布|开通|试运行|运行|推开|推广|覆盖|建立|制定|修订)"
)
# What in a clause says the time is intended, not reported.
_INTENT = re.compile(r"将|逐步|力争|争取|计划|拟|预计|确保|有望|准备|下一步|适时|安排|着手|抓紧|加快")
_PAST = re.compile(r"已经|已于|已在|已|曾|日前|目前已|去年|上年|此前")
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# "已列入2027年计划", "将纳入明年度工作计划": the plan's year is the due year.
_PLAN = re.compile(
    rf"(?:列入|纳入|排入)[^，。；]{{0,12}}?(?:(?P<year>{_Y})\s*年|(?P<rel>{_REL}))度?[^，。；]{{0,12}}?计划"
)
_PLAN_UNDATED = re.compile(r"(?:已|将|拟|争取|计划)\s*(?:列入|纳入|排入)[^，。；]{0,16}?计划")
_STRIVE = re.compile(r"力争|争取")
_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")
_CLAUSE = re.compile(r"[^，,：:]+")


def _relative_year(word: str, letter: date | None) -> int | None:
    if letter is None:
        return None
    if word in ("今年", "本年", "当年"):
        return letter.year
    if word in ("后年",):
        return letter.year + 2
    return letter.year + 1  # 明年, 次年, 下一年, 下年


def _in_year(year: int, within: re.Match[str]) -> date | None:
    """The last day of the period ``within`` names in ``year`` (the whole year when it names none)."""
    if within.group("m"):
        month = _number(within.group("m"))
        if month is None or not 1 <= month <= 12:
            return None
        if within.group("d"):
            day = _number(within.group("d"))
            try:
                return date(year, month, day or 0)
            except ValueError:
                return None
        part = within.group("part")
        if part == "上旬":
            return date(year, month, 10)
        if part in ("中旬", "中"):
            return date(year, month, 20)
        return month_end(year, month)
    if within.group("half"):
        return date(year, 6, 30) if within.group("half") == "上半年" else date(year, 12, 31)
    if within.group("q"):
        quarter = _QUARTER[within.group("q")]
        return month_end(year, quarter * 3)
    return date(year, 12, 31)


def _bare(word: str, letter: date) -> date | None:
    """A period named without a year: the first such period ending on or after the letter's day."""
    if word in ("年内", "年底", "年末", "本年度内"):
        return date(letter.year, 12, 31)
    if word == "上半年":
        return _next_on_or_after(letter, lambda y: date(y, 6, 30))
    if word == "下半年":
        return date(letter.year, 12, 31)
    if word.endswith("季度"):
        quarter = _QUARTER[word[-3]]
        return _next_on_or_after(letter, lambda y: month_end(y, quarter * 3))
    month = _number(word[:-1])
    if month is None or not 1 <= month <= 12:
        return None
    return _next_on_or_after(letter, lambda y: month_end(y, month))


@dataclass(frozen=True)
class _Time:
    start: int
    end: int  # after the period and a following 前/以前/内
    due: date | None
    sureness: Sureness
    bounded: bool  # followed by 前/以前/内 or a verb of completion: a deadline in itself


def _times(clause: str, letter: date | None) -> list[_Time]:
    found: list[_Time] = []
    pos = 0
    while (m := _TIME.search(clause, pos)) is not None:
        pos = m.end()
        due: date | None
        sure = Sureness.HIGH
        end = m.end()
        if m.group("fyp"):
            plan = 10 + (_number(m.group("fyp")[1]) or 0)  # the 14th five-year plan ends in 2025
            due = date(2005 + 5 * (plan - 10), 12, 31)
        elif m.group("year") or m.group("rel"):
            if m.group("year"):
                year = _number(m.group("year"))
                if year is None or not 1949 <= year <= 2199:
                    continue
            else:
                year = _relative_year(m.group("rel"), letter)
                sure = Sureness.MEDIUM
            within = _WITHIN.match(clause, m.end())
            assert within is not None  # everything in it is optional
            end = within.end()
            if year is None:
                due, sure = None, Sureness.LOW
            elif (
                m.group("year")
                and not any(within.groupdict().values())
                and clause.startswith("前", end)
                and not clause.startswith("前期", end)
            ):
                # "2027年前": before the year begins
                due, sure = date(year - 1, 12, 31), Sureness.MEDIUM
            else:
                due = _in_year(year, within)
                if due is None:
                    continue
        else:
            word = m.group("bare")
            if (
                word.endswith("月")
                and not _BEFORE.match(clause, end)
                and not clause.startswith(("底", "末"), end)
            ):
                continue  # "3月" alone is too often a month of the past
            if word.endswith("月") and clause.startswith(("底", "末"), end):
                end += 1
            due = _bare(word, letter) if letter else None
            sure = Sureness.MEDIUM if due else Sureness.LOW
        before = _BEFORE.match(clause, end)
        if before:
            end = before.end()
        # "到2028年": the time is a deadline; so is one followed by 前/内 or a verb of completion
        bounded = bool(before) or bool(_DONE_VERB.match(clause, end)) or clause[: m.start()].endswith("到")
        found.append(_Time(m.start(), end, due, sure, bounded))
        pos = max(pos, end)
    return found


def find_commitments(text: str, letter_date: date | None = None) -> list[Found]:
    """The dated promises in ``text`` (a reply point), in order; one per sentence and due day."""
    found: list[Found] = []
    for sm in _SENTENCE.finditer(text):
        raw = sm.group()
        sentence = raw.strip()
        if not sentence:
            continue
        offset = sm.start() + (len(raw) - len(raw.lstrip()))
        end = offset + len(sentence)
        seen: set[date | None] = set()
        plans: dict[date | None, bool] = {}  # due days found from a plan's year, not yet by a time
        timed = False  # the sentence names a time (kept or not): no undated promise then
        intent_before = False  # a clause earlier in the sentence said what is intended
        for cm in _CLAUSE.finditer(sentence):
            clause = cm.group()
            intent = bool(_INTENT.search(clause))
            past = bool(_PAST.search(clause)) and not intent
            for plan in _PLAN.finditer(clause):
                if plan.group("year"):
                    year, sure = _number(plan.group("year")), Sureness.HIGH
                else:
                    year, sure = _relative_year(plan.group("rel"), letter_date), Sureness.MEDIUM
                due = date(year, 12, 31) if year else None
                if due not in seen and (due is None or letter_date is None or due >= letter_date):
                    seen.add(due)
                    plans[due] = True
                    what = plan.group()
                    found.append(Found(sentence, what, due, sure if due else Sureness.LOW, offset, end))
            plan_spans = [p.span() for p in _PLAN.finditer(clause)]
            for t in _times(clause, letter_date):
                timed = True
                if any(a <= t.start < b for a, b in plan_spans):
                    continue
                if not (t.bounded or intent or (intent_before and not past)):
                    continue
                if past and not t.bounded:
                    continue
                if t.due is not None and letter_date is not None and t.due < letter_date:
                    continue  # history, not a promise
                when = clause[t.start : t.end].strip()
                if t.due in seen:
                    # the same day as the plan's year-end: the time as written says it better
                    found = [
                        Found(sentence, when, f.due, f.sureness, f.start, f.end)
                        if f.due == t.due and plans.get(f.due)
                        else f
                        for f in found
                    ]
                    plans[t.due] = False
                    continue
                seen.add(t.due)
                found.append(Found(sentence, when, t.due, t.sureness, offset, end))
            intent_before = intent_before or intent
        if not seen and not timed:
            # a promise with no time: "力争在…取得突破", "已列入计划"
            undated = _PLAN_UNDATED.search(sentence) or _STRIVE.search(sentence)
            if undated:
                found.append(Found(sentence, undated.group(), None, Sureness.LOW, offset, end))
    return found


# -- how a commitment stands ------------------------------------------------------------------------


def state_on(state: str, due: date | None, today: date) -> str:
    """The state shown on ``today``: an open commitment past its due day is late."""
    if state == State.OPEN and due is not None and due < today:
        return LATE
    return state


def days_late(due: date | None, today: date) -> int:
    return max((today - due).days, 0) if due else 0


TEXT_LIMIT = 500
NOTE_LIMIT = 2000


def clean_commitment(text: str | None, due: date | None, *, letter_date: date | None = None) -> str:
    """Check a commitment as a person confirms or adds it; the text as stored."""
    cleaned = " ".join((text or "").split())
    problems: list[Problem] = []
    if not cleaned:
        problems.append(Problem("text", N_("Say what is promised.")))
    elif len(cleaned) > TEXT_LIMIT:
        problems.append(
            Problem(
                "text",
                N_("Too long: %(count)d characters; at most %(limit)d."),
                {"count": len(cleaned), "limit": TEXT_LIMIT},
            )
        )
    if due is not None and not 1949 <= due.year <= 2199:
        problems.append(Problem("due", N_("Enter a due date between 1949 and 2199.")))
    if problems:
        raise RuleError(problems)
    return cleaned


def check_report(kind: str, note: str | None, state: str) -> tuple[ReportKind, str]:
    """A progress report as the agency sends it: a note is needed for progress and for dropping."""
    try:
        report = ReportKind(kind)
    except ValueError:
        raise RuleError(Problem("kind", N_("Choose what you report."))) from None
    cleaned = (note or "").strip()
    if state != State.OPEN:
        raise RuleError(Problem(None, N_("This commitment is closed; nothing more can be reported on it.")))
    if not cleaned and report != ReportKind.DONE:
        message = (
            N_("Give the reason it is dropped.") if report == ReportKind.DROPPED else N_("Write the note.")
        )
        raise RuleError(Problem("note", message))
    if len(cleaned) > NOTE_LIMIT:
        raise RuleError(
            Problem(
                "note",
                N_("Too long: %(count)d characters; at most %(limit)d."),
                {"count": len(cleaned), "limit": NOTE_LIMIT},
            )
        )
    return report, cleaned


def counts_by_state(states: list[str]) -> dict[str, int]:
    """How many commitments are in each shown state (every state present, zero or not)."""
    counts = dict.fromkeys(STATES_SHOWN, 0)
    for s in states:
        counts[s] = counts.get(s, 0) + 1
    return counts
