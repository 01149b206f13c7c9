"""Handling statistics over plain facts: what a committee reports each session.

办复率 is replied / assigned (proposals that reached an agency); on time means the reply came on
or before the deadline; satisfaction counts 满意 and 基本满意 as satisfied. Rates are None where
their denominator is zero, so a page can show "—" rather than a misleading 0%.

A reply whose date is unknown (a letter imported without one) counts as replied but is left out
of the timing figures (on-time rate, days to reply), which are over the replies with a date; the
page says how many were left out (``Summary.replied_undated``).

Every figure is a count (``COUNTS``) or a rate over counts, and a proposal adds to the counts of
exactly one group of a split (one session, "session not stated" included), so the groups' counts
add up to the whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

# states that mean the proposal was accepted (立案) and went on
ACCEPTED_STATES = frozenset({"accepted", "assigned", "replied", "closed"})
ASSIGNED_STATES = frozenset({"assigned", "replied", "closed"})
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")  # 满意 / 基本满意 / 不满意
OUTCOMES = ("A", "B", "C")


@dataclass(frozen=True)
class CaseFacts:
    """One proposal as the statistics see it."""

    status: str
    session: str | None = None
    agency: str | None = None  # lead agency (主办单位)
    assigned_on: date | None = None
    deadline: date | None = None
    replied_on: date | None = None
    outcome: str | None = None
    ratings: tuple[str, ...] = ()
    # None: replied exactly when ``replied_on`` is known; True for a reply of unknown date.
    replied: bool | None = None

    @property
    def answered(self) -> bool:
        return self.replied if self.replied is not None else self.replied_on is not None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Summary:
    submitted: int = 0
    accepted: int = 0
    merged: int = 0
    opinions: int = 0  # 不予立案，转为意见建议
    assigned: int = 0
    replied: int = 0
    replied_on_time: int = 0
    replied_dated: int = 0  # replies whose date is known: the denominator of the on-time rate
    overdue: int = 0  # assigned, unanswered, past the deadline
    reply_days: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    ratings: Counter[str] = field(default_factory=Counter)

    @property
    def replied_undated(self) -> int:  # replied, date unknown: left out of the timing figures
        return self.replied - self.replied_dated

    @property
    def reply_rate(self) -> float | None:  # 办复率
        return _rate(self.replied, self.assigned)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.replied_dated)

    @property
    def average_days_to_reply(self) -> float | None:
        return sum(self.reply_days) / len(self.reply_days) if self.reply_days else None

    @property
    def outcome_shares(self) -> dict[str, float | None]:
        total = sum(self.outcomes[o] for o in OUTCOMES)
        return {o: _rate(self.outcomes[o], total) for o in OUTCOMES}

    @property
    def rating_shares(self) -> dict[str, float | None]:
        total = sum(self.ratings[r] for r in RATINGS)
        return {r: _rate(self.ratings[r], total) for r in RATINGS}

    @property
    def satisfaction_rate(self) -> float | None:
        total = sum(self.ratings[r] for r in RATINGS)
        return _rate(self.ratings["satisfied"] + self.ratings["basically_satisfied"], total)


# the additive figures of a Summary: the rates and shares are computed from these
COUNTS = (
    "submitted",
    "accepted",
    "merged",
    "opinions",
    "assigned",
    "replied",
    "replied_on_time",
    "replied_dated",
    "overdue",
)


def _add(s: Summary, case: CaseFacts, today: date) -> None:
    if case.status == "draft":
        return
    s.submitted += 1
    if case.status in ACCEPTED_STATES:
        s.accepted += 1
    elif case.status == "merged":
        s.merged += 1
    elif case.status == "not_accepted":
        s.opinions += 1
    if case.status in ASSIGNED_STATES:
        s.assigned += 1
        if case.answered:
            s.replied += 1
            if case.replied_on is not None:
                s.replied_dated += 1
                if case.deadline is None or case.replied_on <= case.deadline:
                    s.replied_on_time += 1
                if case.assigned_on is not None:
                    s.reply_days.append((case.replied_on - case.assigned_on).days)
        elif case.deadline is not None and today > case.deadline:
            s.overdue += 1
    if case.outcome in OUTCOMES:
        s.outcomes[case.outcome] += 1
    s.ratings.update(r for r in case.ratings if r in RATINGS)


def summarize(cases: Iterable[CaseFacts], *, today: date) -> Summary:
    s = Summary()
    for case in cases:
        _add(s, case, today)
    return s


def by_key(
    cases: Sequence[CaseFacts], key: str, *, today: date, unknown: bool = False
) -> dict[str | None, Summary]:
    """One summary per session or per agency (``key`` is a CaseFacts field), keys sorted.

    Cases without a value are left out, or with ``unknown`` gathered under the key None (last), so
    that the groups cover every case: a session's table must add up to the overall figures.
    """
    groups: dict[str | None, list[CaseFacts]] = {}
    for case in cases:
        value = getattr(case, key)
        if value is not None or unknown:
            groups.setdefault(value, []).append(case)
    keys: list[str | None] = sorted(k for k in groups if k is not None)
    if None in groups:
        keys.append(None)
    return {k: summarize(groups[k], today=today) for k in keys}
