"""The admin log: every change made in the administration goes through ``record_change``.

Rows are only ever added here (never edited): who acted (the account, and a name that survives it),
when, what kind of object and which one, the action, and the object's fields before and after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from tracker.models import AdminAction, AdminChange, AdminKind
from tracker.services.proposals import Page


@dataclass(frozen=True)
class AdminActor:
    """Who makes an admin change: an account (``user_id``) or a command (``user_id`` None)."""

    name: str  # the username, or "command line" / "seed"
    user_id: int | None = None


COMMAND_LINE = AdminActor("command line")
SEED = AdminActor("seed")


def snapshot(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a row as JSON values (dates as ISO text)."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def record_change(
    *,
    session: Session,
    actor: AdminActor,
    kind: AdminKind,
    object_id: int | None,
    action: AdminAction,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime | None = None,
) -> AdminChange:
    """Store one admin change (flushes, never commits: it lands with the change it records)."""
    change = AdminChange(
        at=at or datetime.now(UTC),
        actor_id=actor.user_id,
        actor=actor.name,
        kind=kind.value,
        object_id=object_id,
        action=action.value,
        before=before,
        after=after,
    )
    session.add(change)
    session.flush()
    return change


def changes(
    *, session: Session, kind: str | None = None, page: int = 1, page_size: int = 50
) -> Page[AdminChange]:
    """One page of the log, newest first; ``kind`` narrows it to one kind of object."""
    stmt = select(AdminChange)
    if kind is not None:
        stmt = stmt.where(AdminChange.kind == kind)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page = min(max(page, 1), max(1, math.ceil(total / page_size)))
    rows = session.exec(
        stmt.order_by(col(AdminChange.at).desc(), col(AdminChange.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page(items=list(rows), total=total, page=page, page_size=page_size)
