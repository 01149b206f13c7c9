"""The life of a proposal: its states and ONE table of the transitions allowed between them.

Every move a service makes goes through ``check``: the table says from which state an action
starts, where it ends and in which capacity the person must act (the proposer, committee staff,
the lead or a co-handling agency of the current assignment). Anything not in the table is refused
with a message naming the state and the action. Dates are computed here too (deadlines, the
return window), so the rules stay testable without a database.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum

from . import deadlines
from .messages import N_, Problem, RuleError


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # 立案
    NOT_ACCEPTED = "not_accepted"  # 不予立案，转为意见建议
    MERGED = "merged"  # 并案: folded into another proposal
    ASSIGNED = "assigned"  # 交办
    REPLIED = "replied"
    CLOSED = "closed"


class Action(StrEnum):
    CREATE = "create"  # not a move between states: recorded as the first step of the timeline
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    NOT_ACCEPT = "not_accept"
    MERGE = "merge"
    ASSIGN = "assign"
    RETURN = "return"  # 退回: an agency sends a wrong assignment back to staff
    REPLY = "reply"
    SEND_BACK = "send_back"  # 督办审核: staff send a submitted reply back to the lead agency to correct
    REOPEN = "reopen"  # 重新办理: after a dissatisfied rating, the agencies handle the proposal again
    CLOSE = "close"
    # Recorded in the timeline without moving the proposal (like CREATE): not in the table below.
    RECLASSIFY = "reclassify"  # staff change the outcome class (A/B/C) of the reply
    PUBLISH = "publish"  # staff publish the proposal and its reply to the public archive
    WITHHOLD = "withhold"  # staff keep it from the public archive, with the reason
    URGE = "urge"  # 催办: staff press an agency to answer an overdue proposal, with a note


class Capacity(StrEnum):
    """In what capacity someone acts on one proposal."""

    PROPOSER = "proposer"
    STAFF = "staff"
    LEAD_AGENCY = "lead_agency"
    CO_AGENCY = "co_agency"


@dataclass(frozen=True)
class Rule:
    action: Action
    source: ProposalStatus
    target: ProposalStatus
    by: frozenset[Capacity]
    needs_note: bool = False  # a reason is required (not accepted, returned)


S, A, C = ProposalStatus, Action, Capacity

TRANSITIONS: tuple[Rule, ...] = (
    Rule(A.SUBMIT, S.DRAFT, S.SUBMITTED, frozenset({C.PROPOSER})),
    Rule(A.WITHDRAW, S.SUBMITTED, S.DRAFT, frozenset({C.PROPOSER})),
    Rule(A.ACCEPT, S.SUBMITTED, S.ACCEPTED, frozenset({C.STAFF})),
    Rule(A.NOT_ACCEPT, S.SUBMITTED, S.NOT_ACCEPTED, frozenset({C.STAFF}), needs_note=True),
    Rule(A.MERGE, S.SUBMITTED, S.MERGED, frozenset({C.STAFF})),
    Rule(A.ASSIGN, S.ACCEPTED, S.ASSIGNED, frozenset({C.STAFF})),
    Rule(A.RETURN, S.ASSIGNED, S.ACCEPTED, frozenset({C.LEAD_AGENCY, C.CO_AGENCY}), needs_note=True),
    Rule(A.REPLY, S.ASSIGNED, S.REPLIED, frozenset({C.LEAD_AGENCY, C.STAFF})),
    Rule(A.SEND_BACK, S.REPLIED, S.ASSIGNED, frozenset({C.STAFF}), needs_note=True),
    Rule(A.REOPEN, S.REPLIED, S.ASSIGNED, frozenset({C.STAFF}), needs_note=True),
    Rule(A.CLOSE, S.REPLIED, S.CLOSED, frozenset({C.STAFF})),
)

# Steps the timeline records that leave the state as it is (they are checked by their services).
RECORDED_ONLY = frozenset({A.CREATE, A.RECLASSIFY, A.PUBLISH, A.WITHHOLD, A.URGE})
# Steps that move a proposal between states: the ones that say where its handling stands.
MOVES = frozenset(r.action for r in TRANSITIONS)

_BY_KEY: dict[tuple[ProposalStatus, Action], Rule] = {(r.source, r.action): r for r in TRANSITIONS}


def rule_for(state: str, action: str) -> Rule | None:
    """The rule for ``action`` from ``state``, or None when the table has none."""
    try:
        return _BY_KEY.get((ProposalStatus(state), Action(action)))
    except ValueError:
        return None


def check(state: str, action: str, capacities: Iterable[Capacity], note: str = "") -> Rule:
    """The rule that allows ``action`` from ``state`` in one of ``capacities``, or RuleError."""
    rule = rule_for(state, action)
    if rule is None:
        raise RuleError(
            Problem(
                None,
                N_("A proposal in the state “%(state)s” cannot be given the action “%(action)s”."),
                {"state": state, "action": action},
            )
        )
    if not rule.by & set(capacities):
        raise RuleError(Problem(None, N_("You may not “%(action)s” this proposal."), {"action": action}))
    if rule.needs_note and not note.strip():
        raise RuleError(Problem("note", N_("Give the reason for “%(action)s”."), {"action": action}))
    return rule


def allowed_actions(state: str, capacities: Iterable[Capacity]) -> list[Action]:
    """Actions someone acting in ``capacities`` may take from ``state``, in table order."""
    held = set(capacities)
    return [r.action for r in TRANSITIONS if r.source == state and r.by & held]


# -- dates -------------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def default_deadline(assigned_on: date, months: int) -> date:
    return add_months(assigned_on, months)


def check_deadline(deadline: date, today: date) -> None:
    if deadline <= today:
        raise RuleError(Problem("deadline", N_("The deadline must be a day after today.")))


def return_ends_at(assigned_at: datetime, days: int, window: ReturnWindow | None = None) -> datetime:
    """Until when an assignment made at ``assigned_at`` may be returned (calendar days unless
    ``window`` says working days; see tracker.domain.deadlines)."""
    if window is None:
        return assigned_at + timedelta(days=days)
    return deadlines.return_ends_at(assigned_at, days, window.kind, window.calendar, window.zone)


@dataclass(frozen=True)
class ReturnWindow:
    """How the return window counts: calendar or working days, with the office's calendar."""

    kind: str = deadlines.DayKind.CALENDAR
    calendar: deadlines.WorkCalendar = field(default_factory=deadlines.WorkCalendar)
    zone: tzinfo = UTC


def check_still_returnable(last_move: str | None) -> None:
    """An agency returns an assignment (退回) only as it was made: once a reply has been submitted on
    it (and so after a send-back or a re-handling, 重新办理) the proposal is that agency's to answer.
    ``last_move``: the latest step of the proposal that moved it (see MOVES)."""
    if last_move != Action.ASSIGN:
        raise RuleError(
            Problem(
                None,
                N_(
                    "This assignment can no longer be returned: a reply has been submitted on it. "
                    "Write to the committee office if it is not your agency's to answer."
                ),
            )
        )


def check_return_window(
    assigned_at: datetime, now: datetime, days: int, window: ReturnWindow | None = None
) -> None:
    last = return_ends_at(assigned_at, days, window)
    if now > last:
        working = window is not None and window.kind == deadlines.DayKind.WORKING
        message = (
            N_(
                "An assignment can be returned within %(days)d working days of being made; "
                "the time for this one ended on %(date)s."
            )
            if working
            else N_(
                "An assignment can be returned within %(days)d days of being made; "
                "the time for this one ended on %(date)s."
            )
        )
        shown = last.astimezone(window.zone) if window is not None else last
        raise RuleError(Problem(None, message, {"days": days, "date": shown.date().isoformat()}))


def days_overdue(deadline: date, today: date) -> int:
    """How many days past ``deadline`` ``today`` is (0 or less: not overdue)."""
    return (today - deadline).days
