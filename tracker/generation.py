"""The archive's generation: one counter row (archive_generation) that every app server reads.

Every transaction that changes a row the public can see bumps it, as the last statement before its
commit, so the new value becomes visible to other servers exactly when the new rows do. A page kept
under an older value (tracker/web/page_cache.py) is never served again on any server. Bumping last
keeps the row lock short and cannot deadlock: a transaction holding it waits for nothing more.

Which rows count: everything except the bookkeeping the public never sees (logins, drafts, the
admin log, import provenance). Bulk ``UPDATE``/``DELETE`` statements bypass the flush: bump by hand
after one (``bump``).
"""

from __future__ import annotations

import threading
import weakref
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from tracker.models import ArchiveGeneration

# Tables whose rows never show on a public page.
PRIVATE_TABLES = frozenset(
    {
        "archive_generation",
        "user_account",
        "login_session",
        "login_failure",
        "login_attempt",
        "reply_draft",
        "co_opinion",
        "admin_change",
        "people_import",
        "import_run",
        "imported_file",
        "extension_request",
        "notification",
        "notification_preference",
        "mail_outbox",
        "reminder_sent",
        "commitment_reminder",
    }
)

_INFO_KEY = "tracker.generation.changed"
# Engines known to have the table (a database not yet migrated to 0013 is asked again next time).
_HAS_TABLE: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
_installed = False
_install_lock = threading.Lock()


def _public(obj: Any) -> bool:
    table = getattr(obj, "__tablename__", None)
    return table is not None and table not in PRIVATE_TABLES


def _after_flush(session: OrmSession, _context: Any) -> None:
    if not session.info.get(_INFO_KEY) and any(
        _public(obj) for obj in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[_INFO_KEY] = True


def _before_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return
    session.flush()  # what commit would flush anyway, so its rows are noted first
    if session.info.pop(_INFO_KEY, False) and _has_table(session):
        bump(session)


def _has_table(session: OrmSession) -> bool:
    engine = session.get_bind()
    if not isinstance(engine, sa.Engine):
        return False
    if engine not in _HAS_TABLE:
        if not sa.inspect(session.connection()).has_table(ArchiveGeneration.__tablename__):
            return False
        _HAS_TABLE.add(engine)
    return True


def _forget(session: OrmSession, previous_transaction: Any = None) -> None:
    if previous_transaction is None or not previous_transaction.nested:
        session.info.pop(_INFO_KEY, None)


def bump(session: OrmSession) -> None:
    """Count one more change the public sees, in ``session``'s transaction."""
    table = ArchiveGeneration.__table__  # type: ignore[attr-defined]
    done = session.connection().execute(
        sa.update(table).where(table.c.id == 1).values(value=table.c.value + 1)
    )
    if done.rowcount == 0:  # a database made without the migration's row
        session.connection().execute(sa.insert(table).values(id=1, value=1))


def current(session: Session) -> int:
    """The generation as this session's transaction sees it (0 before anything was counted)."""
    table = ArchiveGeneration.__table__  # type: ignore[attr-defined]
    value = session.connection().execute(sa.select(table.c.value).where(table.c.id == 1)).scalar()
    return int(value or 0)


def install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        sa.event.listen(OrmSession, "after_flush", _after_flush)
        sa.event.listen(OrmSession, "before_commit", _before_commit)
        sa.event.listen(OrmSession, "after_soft_rollback", _forget)
        _installed = True
