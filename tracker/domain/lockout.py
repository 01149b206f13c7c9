"""Locking an account after repeated failed logins (pure rules; the counting lives in the database).

The per-address limit (Flask-Limiter) slows one client down; this rule protects one account from
many clients. ``attempts`` failed logins within ``window`` lock the account for ``duration``; an
administrator can unlock it earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    attempts: int = 10
    window: timedelta = timedelta(minutes=15)
    duration: timedelta = timedelta(minutes=15)

    @property
    def enabled(self) -> bool:
        return self.attempts > 0


def lock_until(failures: Iterable[datetime], *, now: datetime, policy: LockoutPolicy) -> datetime | None:
    """When the account stays locked until, given its failed logins so far, or None when it is not
    locked: the lock starts at the failure that made ``attempts`` within one ``window``."""
    if not policy.enabled:
        return None
    times = sorted(t for t in failures if t <= now)
    for end in range(policy.attempts - 1, len(times)):
        start = times[end - policy.attempts + 1]
        if times[end] - start <= policy.window:
            until = times[end] + policy.duration
            if until > now:
                return until
    return None


def is_locked(locked_until: datetime | None, *, now: datetime) -> bool:
    return locked_until is not None and locked_until > now
