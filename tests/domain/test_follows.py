"""Following (tracker.domain.follows): which proposals a follow of an agency, a category or a session
takes in, the matching window, and what a saved search and its name must be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.follows import (
    NAME_LIMIT,
    OVERLAP,
    FollowKind,
    ProposalFacts,
    Target,
    check_name,
    check_search,
    clean_name,
    default_search_name,
    follows_proposal,
    window_start,
)
from tracker.domain.messages import RuleError
from tracker.domain.notifications import KINDS_BY_ROLE, Channel, Kind, channel_for, default_channel

FACTS = ProposalFacts(proposal_id=7, meeting_id=3, category="教育", agency_ids=frozenset({11, 12}))


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (Target(FollowKind.AGENCY, 11), True),  # the lead's reply
        (Target(FollowKind.AGENCY, 12), True),  # a co-handling agency's reply
        (Target(FollowKind.AGENCY, 13), False),
        (Target(FollowKind.AGENCY, None), False),
        (Target(FollowKind.SESSION, 3), True),
        (Target(FollowKind.SESSION, 4), False),
        (Target(FollowKind.CATEGORY, 5, "教育"), True),
        (Target(FollowKind.CATEGORY, 5, "卫生"), False),
        (Target(FollowKind.CATEGORY, 5, None), False),  # a category that no longer exists
        (Target(FollowKind.SEARCH, None), False),  # saved searches are judged by the search backend
    ],
)
def test_what_a_follow_takes_in(target: Target, expected: bool) -> None:
    assert follows_proposal(target, FACTS) is expected


def test_a_proposal_with_no_category_or_session_matches_no_such_follow() -> None:
    bare = ProposalFacts(proposal_id=1, meeting_id=None, category=None)
    assert not follows_proposal(Target(FollowKind.SESSION, 3), bare)
    assert not follows_proposal(Target(FollowKind.CATEGORY, 5, ""), bare)


T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("checked_until", "expected"),
    [
        (None, T0),  # never run: from the moment the follow was made, not the whole archive
        (T0 + timedelta(hours=2), T0),  # the overlap would reach before the follow: the follow
        (T0 + timedelta(days=5), T0 + timedelta(days=5) - OVERLAP),  # the mark less the overlap
    ],
)
def test_the_matching_window(checked_until: datetime | None, expected: datetime) -> None:
    assert window_start(T0, checked_until) == expected


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("  电梯   加装 ", "电梯 加装"), ("a\nb\tc", "a b c"), (None, ""), ("电\x00梯\x1b", "电梯")],
)
def test_names_are_one_line(typed: str | None, stored: str) -> None:
    assert clean_name(typed) == stored


@pytest.mark.parametrize(
    ("name", "ok"),
    [("电梯", True), ("", False), ("名" * NAME_LIMIT, True), ("名" * (NAME_LIMIT + 1), False)],
)
def test_names_are_checked(name: str, ok: bool) -> None:
    if ok:
        check_name(name)
    else:
        with pytest.raises(RuleError) as raised:
            check_name(name)
        assert raised.value.problems[0].field == "name"


@pytest.mark.parametrize(
    ("query", "filters", "ok"),
    [
        ("电梯", {}, True),
        ("", {"category": ["教育"]}, True),
        ("", {}, False),
        ("", {"category": []}, False),
    ],
)
def test_a_saved_search_looks_for_something(query: str, filters: dict[str, list[str]], ok: bool) -> None:
    if ok:
        check_search(query, filters)
    else:
        with pytest.raises(RuleError):
            check_search(query, filters)


@pytest.mark.parametrize(
    ("query", "values", "expected"),
    [
        ("电梯", ["教育"], "电梯"),
        ("", ["教育", "2025"], "教育 · 2025"),
        ("长" * 100, [], "长" * (NAME_LIMIT - 1) + "…"),
    ],
)
def test_the_default_name_of_a_saved_search(query: str, values: list[str], expected: str) -> None:
    name = default_search_name(query, values)
    assert name == expected
    check_name(name)


@pytest.mark.parametrize("role", sorted(KINDS_BY_ROLE))
def test_every_role_may_follow_and_gets_it_in_the_digest_by_default(role: str) -> None:
    assert Kind.FOLLOWED in KINDS_BY_ROLE[role]
    assert default_channel(Kind.FOLLOWED, role) == Channel.DIGEST
    assert channel_for(Kind.FOLLOWED, role, {"followed": "app"}) == Channel.APP
