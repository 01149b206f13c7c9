"""Who is told what (tracker.domain.notifications): a row for every action of the timeline, the
reminder points, the channel defaults and the mail retry wait."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.domain.messages import RuleError
from tracker.domain.notifications import (
    KINDS_BY_ROLE,
    MESSAGES,
    STEP_RULES,
    Audience,
    Channel,
    Kind,
    ReminderPlan,
    channel_for,
    check_email,
    default_channel,
    link_path,
    parse_days,
    reminder_point,
    retry_at,
    step_rule,
)
from tracker.domain.workflow import Action

M, S, AG, LEAD, NAMED = (
    Audience.MEMBERS,
    Audience.STAFF,
    Audience.AGENCIES,
    Audience.LEAD_AGENCY,
    Audience.NAMED_AGENCY,
)

# action → (kind, audiences) or None: the whole table, so an action added without a decision fails
EXPECTED = {
    Action.CREATE: None,
    Action.SUBMIT: (Kind.SUBMITTED, {S, M}),
    Action.WITHDRAW: None,
    Action.ACCEPT: (Kind.ACCEPTED, {M}),
    Action.NOT_ACCEPT: (Kind.NOT_ACCEPTED, {M}),
    Action.MERGE: (Kind.MERGED, {M}),
    Action.ASSIGN: (Kind.ASSIGNED, {AG}),
    Action.RETURN: (Kind.RETURNED, {S}),
    Action.REPLY: (Kind.REPLY_ISSUED, {M, S}),
    Action.SEND_BACK: (Kind.SENT_BACK, {LEAD}),
    Action.REOPEN: (Kind.REOPENED, {AG, M}),
    Action.CLOSE: None,
    Action.RECLASSIFY: None,
    Action.PUBLISH: (Kind.PUBLISHED, {M, AG}),
    Action.WITHHOLD: (Kind.WITHHELD, {M, AG}),
    Action.URGE: (Kind.URGED, {NAMED}),
}


def test_every_action_has_a_decision() -> None:
    assert set(STEP_RULES) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize(("action", "expected"), list(EXPECTED.items()), ids=[a.value for a in EXPECTED])
def test_who_each_step_tells(action: Action, expected: tuple[Kind, set[Audience]] | None) -> None:
    rule = step_rule(action.value)
    if expected is None:
        assert rule is None
    else:
        assert rule is not None
        assert (rule.kind, set(rule.audiences)) == expected


def test_an_assignment_after_a_return_is_a_reassignment() -> None:
    rule = step_rule(Action.ASSIGN.value, after_return=True)
    assert rule is not None and rule.kind == Kind.REASSIGNED and rule.audiences == {AG}
    # only assignments are told differently after a return
    assert step_rule(Action.REPLY.value, after_return=True) == step_rule(Action.REPLY.value)


def test_every_kind_has_a_message_and_reaches_some_role() -> None:
    assert set(MESSAGES) == set(Kind)
    offered = {k for kinds in KINDS_BY_ROLE.values() for k in kinds}
    assert offered == set(Kind)


@pytest.mark.parametrize(
    ("kind", "role", "expected"),
    [
        (Kind.SUBMITTED, "staff", Channel.DIGEST),
        (Kind.REPLY_ISSUED, "admin", Channel.DIGEST),
        (Kind.RATED, "staff", Channel.DIGEST),
        (Kind.RETURNED, "staff", Channel.EMAIL),
        (Kind.EXTENSION_ASKED, "staff", Channel.EMAIL),
        (Kind.SUBMITTED, "member", Channel.EMAIL),
        (Kind.RATED, "agency", Channel.EMAIL),
        (Kind.DEADLINE, "agency", Channel.EMAIL),
    ],
)
def test_default_channels(kind: Kind, role: str, expected: Channel) -> None:
    assert default_channel(kind, role) == expected


def test_a_choice_wins_over_the_default_and_a_bad_one_is_ignored() -> None:
    assert channel_for(Kind.SUBMITTED, "staff", {"submitted": "app"}) == Channel.APP
    assert channel_for(Kind.SUBMITTED, "staff", {"submitted": "pigeon"}) == Channel.DIGEST


@pytest.mark.parametrize(
    ("kind", "proposal_id", "path"),
    [
        (Kind.ACCEPTED, 7, "/proposals/7"),
        (Kind.COSIGN_INVITED, 7, "/my#invitations"),
        (Kind.EXTENSION_ASKED, 7, "/review/extensions"),
        (Kind.DEADLINE, None, "/notifications"),
    ],
)
def test_links(kind: Kind, proposal_id: int | None, path: str) -> None:
    assert link_path(kind, proposal_id) == path


D = date(2027, 3, 31)
PLAN = ReminderPlan(before=(15, 3), overdue_every=7)


@pytest.mark.parametrize(
    ("today", "point"),
    [
        (D - timedelta(days=40), None),
        (D - timedelta(days=16), None),
        (D - timedelta(days=15), "2027-03-31/before-15"),
        (D - timedelta(days=4), "2027-03-31/before-15"),
        (D - timedelta(days=3), "2027-03-31/before-3"),
        (D, "2027-03-31/before-3"),  # the day itself is still "3 days before" (0 is not a point)
        (D + timedelta(days=1), "2027-03-31/overdue-1"),  # the first day it is overdue
        (D + timedelta(days=7), "2027-03-31/overdue-1"),
        (D + timedelta(days=8), "2027-03-31/overdue-8"),  # then weekly
        (D + timedelta(days=15), "2027-03-31/overdue-15"),
        (D + timedelta(days=21), "2027-03-31/overdue-15"),
    ],
)
def test_reminder_points(today: date, point: str | None) -> None:
    assert reminder_point(D, today, PLAN) == point


def test_reminders_on_the_day_and_never_again_after_the_first_overdue() -> None:
    plan = ReminderPlan(before=(0,), overdue_every=0)
    assert reminder_point(D, D - timedelta(days=1), plan) is None
    assert reminder_point(D, D, plan) == "2027-03-31/before-0"
    assert reminder_point(D, D + timedelta(days=30), plan) == "2027-03-31/overdue-1"


def test_an_extended_deadline_is_a_new_point() -> None:
    later = D + timedelta(days=30)
    assert reminder_point(later, later - timedelta(days=3), PLAN) != reminder_point(
        D, D - timedelta(days=3), PLAN
    )


@pytest.mark.parametrize(
    ("value", "days"),
    [("15, 3", (15, 3)), ([3, 15, 3], (15, 3)), ("", ()), ("0", (0,))],
)
def test_parse_days(value: object, days: tuple[int, ...]) -> None:
    assert parse_days(value, "X") == days  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["fifteen", "-1", [1, "x"]])
def test_parse_days_refuses(value: object) -> None:
    with pytest.raises(ValueError, match="X"):
        parse_days(value, "X")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (9, 60 * 256), (30, 6 * 3600)],
)
def test_retry_waits_double_up_to_six_hours(attempts: int, seconds: int) -> None:
    failed = datetime(2027, 1, 1, tzinfo=UTC)
    assert retry_at(attempts, failed, 60) - failed == timedelta(seconds=seconds)


@pytest.mark.parametrize("address", ["", "li@example.cn", "wang.fang@zh.gov.cn"])
def test_addresses_taken(address: str) -> None:
    check_email(address)


@pytest.mark.parametrize(
    "address", ["li", "li@", "li@example", "a b@example.cn", "x@example.cn\r\nBcc: y@z.cn"]
)
def test_addresses_refused(address: str) -> None:
    with pytest.raises(RuleError):
        check_email(address)
