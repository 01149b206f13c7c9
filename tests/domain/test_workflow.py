"""The transition table: every (state, action) pair is either in the table or refused, and each rule
accepts exactly the capacities it names."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.domain.messages import RuleError
from tracker.domain.workflow import (
    RECORDED_ONLY,
    TRANSITIONS,
    Action,
    Capacity,
    ProposalStatus,
    add_months,
    allowed_actions,
    check,
    check_deadline,
    check_return_window,
    days_overdue,
    rule_for,
)

EVERYONE = set(Capacity)
ALLOWED = {(r.source, r.action) for r in TRANSITIONS}
REFUSED = [pair for pair in itertools.product(ProposalStatus, Action) if pair not in ALLOWED]


def test_one_rule_per_state_and_action() -> None:
    assert len(ALLOWED) == len(TRANSITIONS)


def test_every_action_moves_by_the_table_or_is_only_recorded() -> None:
    moves = {r.action for r in TRANSITIONS}
    assert moves | RECORDED_ONLY == set(Action)
    assert not moves & RECORDED_ONLY


def test_a_reply_is_sent_back_or_reopened_by_staff_with_a_reason() -> None:
    for action in (Action.SEND_BACK, Action.REOPEN):
        rule = check("replied", action, {Capacity.STAFF}, note="请补充")
        assert (rule.target, rule.needs_note) == ("assigned", True)
    assert allowed_actions("replied", {Capacity.STAFF}) == [Action.SEND_BACK, Action.REOPEN, Action.CLOSE]
    assert allowed_actions("replied", {Capacity.LEAD_AGENCY, Capacity.PROPOSER}) == []


@pytest.mark.parametrize("rule", TRANSITIONS, ids=lambda r: f"{r.source}-{r.action}")
def test_every_allowed_transition_leads_where_the_table_says(rule) -> None:
    for capacity in rule.by:
        found = check(rule.source, rule.action, {capacity}, note="理由")
        assert found.target == rule.target


@pytest.mark.parametrize("rule", TRANSITIONS, ids=lambda r: f"{r.source}-{r.action}")
def test_every_other_capacity_is_refused(rule) -> None:
    for capacity in EVERYONE - rule.by:
        with pytest.raises(RuleError) as refused:
            check(rule.source, rule.action, {capacity}, note="理由")
        assert refused.value.problems[0].message == "You may not “%(action)s” this proposal."


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: str(v))
def test_every_pair_not_in_the_table_is_refused(state, action) -> None:
    assert rule_for(state, action) is None
    with pytest.raises(RuleError) as refused:
        check(state, action, EVERYONE, note="理由")
    problem = refused.value.problems[0]
    assert problem.params == {"state": state, "action": action}
    assert "cannot be given the action" in str(problem)


@pytest.mark.parametrize("rule", [r for r in TRANSITIONS if r.needs_note], ids=lambda r: r.action)
def test_a_reason_is_required_where_the_table_says(rule) -> None:
    for note in ("", "   \n"):
        with pytest.raises(RuleError) as refused:
            check(rule.source, rule.action, rule.by, note=note)
        assert refused.value.problems[0].field == "note"


def test_unknown_codes_are_refused_not_crashes() -> None:
    with pytest.raises(RuleError):
        check("archived", "submit", EVERYONE)
    with pytest.raises(RuleError):
        check("draft", "publish", EVERYONE)


def test_allowed_actions_follow_the_table() -> None:
    assert allowed_actions("submitted", {Capacity.STAFF}) == [Action.ACCEPT, Action.NOT_ACCEPT, Action.MERGE]
    assert allowed_actions("submitted", {Capacity.PROPOSER}) == [Action.WITHDRAW]
    assert allowed_actions("assigned", {Capacity.CO_AGENCY}) == [Action.RETURN]
    assert allowed_actions("assigned", {Capacity.LEAD_AGENCY}) == [Action.RETURN, Action.REPLY]
    assert allowed_actions("closed", EVERYONE) == []


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 15), 3, date(2025, 4, 15)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # no 30 February: the month's last day
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2023, 11, 29), 3, date(2024, 2, 29)),
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_deadline_must_be_after_today() -> None:
    today = date(2025, 3, 1)
    check_deadline(today + timedelta(days=1), today)
    for bad in (today, today - timedelta(days=1)):
        with pytest.raises(RuleError):
            check_deadline(bad, today)


def test_return_window() -> None:
    assigned = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    check_return_window(assigned, assigned + timedelta(days=7), 7)
    with pytest.raises(RuleError) as late:
        check_return_window(assigned, assigned + timedelta(days=7, seconds=1), 7)
    assert late.value.problems[0].params == {"days": 7, "date": "2025-03-08"}


def test_days_overdue() -> None:
    assert days_overdue(date(2025, 3, 1), date(2025, 3, 11)) == 10
    assert days_overdue(date(2025, 3, 1), date(2025, 2, 27)) == -2
