"""The open-data API's per-address rate limit, counted in the database so every app server and
worker counts alike.

The requests are rows of ``login_attempt`` (address, moment; only ever inserted, old ones dropped)
under the key ``api:<address>``, which no login address can take: the table is exactly "an event
from a client address at a moment", it is private (never bumps the archive's generation) and has the
index the count needs, so no migration was wanted for a second table of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from tracker.domain.lockout import RateLimit, longest_window, retry_after
from tracker.models import LoginAttempt
from tracker.services.workflow import as_utc, aware

PREFIX = "api:"


def key(address: str) -> str:
    return (PREFIX + address)[:64]


def admit(*, session: Session, address: str, now: datetime, limits: Sequence[RateLimit]) -> timedelta | None:
    """Count one request from ``address`` and return None, or, when it would pass a limit, count
    nothing and return how long the client should wait."""
    if not limits:
        return None
    since = as_utc(now - longest_window(limits))
    times = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.address == key(address), LoginAttempt.at > since)
    ).all()
    wait = retry_after([aware(t) for t in times], now=now, limits=limits)
    if wait is not None:
        return wait
    session.add(LoginAttempt(address=key(address), at=as_utc(now)))
    # this client's requests older than every window count for nothing any more
    session.exec(  # type: ignore[call-overload]
        delete(LoginAttempt).where(LoginAttempt.address == key(address), col(LoginAttempt.at) <= since)
    )
    session.flush()
    return None
