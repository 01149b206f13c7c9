"""Failed logins (pure rules; the counting lives in the database, so every server counts alike).

The per-address limit slows one client down, whatever names it tries; the lock-out protects one
account from many clients: ``attempts`` failed logins within ``window`` lock the account for
``duration``; an administrator can unlock it earlier.
"""

from __future__ import annotations

import re
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


# -- the per-address limit ---------------------------------------------------------------------------

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RateLimit:
    attempts: int
    window: timedelta


def parse_rate_limits(text: str) -> tuple[RateLimit, ...]:
    """``"5 per minute;30 per hour"`` (also ``5/minute``, ``10 per 15 minutes``) as limits; empty
    text is no limit. A malformed part raises ValueError naming it."""
    limits = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        m = _LIMIT.match(part)
        if m is None or int(m.group(1)) < 1:
            raise ValueError(f"not a rate limit: {part.strip()!r} (write e.g. '5 per minute')")
        seconds = _UNITS[m.group(3).lower()] * int(m.group(2) or 1)
        limits.append(RateLimit(int(m.group(1)), timedelta(seconds=seconds)))
    return tuple(limits)


def over_limit(failures: Iterable[datetime], *, now: datetime, limits: Iterable[RateLimit]) -> bool:
    """Whether one more attempt would go past a limit: ``attempts`` failures already within the
    last ``window`` block the next try."""
    times = [t for t in failures if t <= now]
    return any(sum(1 for t in times if now - t < limit.window) >= limit.attempts for limit in limits)


def longest_window(limits: Iterable[RateLimit]) -> timedelta:
    return max((limit.window for limit in limits), default=timedelta(0))


def retry_after(
    requests: Iterable[datetime], *, now: datetime, limits: Iterable[RateLimit]
) -> timedelta | None:
    """How long a client must wait before one more request fits every limit (the open-data API's
    ``Retry-After``), or None when it fits now: under a full limit, the wait lasts until enough of
    the requests within its window have left it."""
    times = sorted(t for t in requests if t <= now)
    wait: timedelta | None = None
    for limit in limits:
        inside = [t for t in times if now - t < limit.window]
        if len(inside) >= limit.attempts:
            # the request whose leaving brings the count below the limit
            until = inside[len(inside) - limit.attempts] + limit.window
            wait = max(wait or timedelta(0), until - now)
    return wait
