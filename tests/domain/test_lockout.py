"""The per-account lock: how many failures, in what window, lock for how long (a table)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.domain.lockout import LockoutPolicy, is_locked, lock_until

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
