"""Failed logins: the per-account lock (how many, in what window, for how long) and the per-address
limits (tables)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.lockout import (
    LockoutPolicy,
    is_locked,
    lock_until,
    longest_window,
    over_limit,
    parse_rate_limits,
    retry_after,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(attempts=3, window=timedelta(minutes=15), duration=timedelta(minutes=30))


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        ([], None),
        (ago(1, 2), None),  # one short of the limit
        (ago(1, 2, 3), NOW - timedelta(minutes=1) + timedelta(minutes=30)),  # the third locks
        (ago(1, 10, 17), None),  # not within one window (16 minutes apart)
        (ago(0, 15, 15), NOW + timedelta(minutes=30)),  # the window's edge counts
        (ago(31, 32, 33), None),  # locked once, and the lock is over
        (ago(29, 30, 31), NOW + timedelta(minutes=1)),  # locked by old failures, still running
        (ago(1, 20, 21, 22), NOW + timedelta(minutes=10)),  # an earlier run of three locks till 9:10
        (ago(-5, 1, 2), None),  # a failure in the future (clock skew between servers) is ignored
    ],
)
def test_lock_until(failures: list[datetime], expected: datetime | None) -> None:
    assert lock_until(failures, now=NOW, policy=POLICY) == expected


def test_no_lock_when_turned_off() -> None:
    assert lock_until(ago(*range(50)), now=NOW, policy=LockoutPolicy(attempts=0)) is None


@pytest.mark.parametrize(
    ("until", "locked"),
    [(None, False), (NOW - timedelta(seconds=1), False), (NOW, False), (NOW + timedelta(seconds=1), True)],
)
def test_is_locked(until: datetime | None, locked: bool) -> None:
    assert is_locked(until, now=NOW) is locked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 per minute;30 per hour", [(5, 60), (30, 3600)]),
        ("5/minute", [(5, 60)]),
        ("10 per 15 minutes", [(10, 900)]),
        ("3 PER DAY, 1 per second", [(3, 86400), (1, 1)]),
        ("", []),
        (" ; ", []),
    ],
)
def test_parse_rate_limits(text: str, expected: list[tuple[int, int]]) -> None:
    limits = parse_rate_limits(text)
    assert [(limit.attempts, int(limit.window.total_seconds())) for limit in limits] == expected


@pytest.mark.parametrize("text", ["five per minute", "5 per fortnight", "0 per minute", "5 minutes"])
def test_a_malformed_rate_limit_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        parse_rate_limits(text)


LIMITS = parse_rate_limits("3 per minute;5 per hour")


@pytest.mark.parametrize(
    ("ago_seconds", "blocked"),
    [
        ([], False),
        ([1, 2], False),  # two within the minute: a third try is allowed
        ([1, 2, 3], True),  # three within the minute
        ([1, 2, 61], False),  # one of them is older than the minute
        ([61, 62, 120, 300, 3000], True),  # five within the hour
        ([61, 62, 120, 300, 3700], False),  # the fifth is older than the hour
        ([-5, 1, 2], False),  # a time after now (another server's clock) does not count
    ],
)
def test_over_limit(ago_seconds: list[int], blocked: bool) -> None:
    failures = [NOW - timedelta(seconds=s) for s in ago_seconds]
    assert over_limit(failures, now=NOW, limits=LIMITS) is blocked
    assert longest_window(LIMITS) == timedelta(hours=1)


@pytest.mark.parametrize(
    ("ago_seconds", "wait_seconds"),
    [
        ([], None),
        ([1, 2], None),  # a third request fits the minute
        ([1, 2, 3], 57),  # three within the minute: until the oldest (3 s ago) leaves it
        ([10, 20, 30, 40], 30),  # four in the minute: the count falls to two when 30 s ago leaves it
        ([1, 2, 61], None),
        ([61, 62, 120, 300, 3000], 600),  # five in the hour: until 3000 s ago leaves it
        ([1, 2, 3, 120, 3000], 600),  # both limits full: the longer wait
        ([-5, 1, 2], None),  # a time after now does not count
    ],
)
def test_retry_after(ago_seconds: list[int], wait_seconds: int | None) -> None:
    requests = [NOW - timedelta(seconds=s) for s in ago_seconds]
    wait = retry_after(requests, now=NOW, limits=LIMITS)
    assert wait == (None if wait_seconds is None else timedelta(seconds=wait_seconds))
    # a wait exactly when over_limit says the next one is refused
    assert (wait is not None) is over_limit(requests, now=NOW, limits=LIMITS)
