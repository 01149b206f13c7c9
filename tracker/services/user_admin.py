"""Accounts as the administration manages them: list, create, deactivate, reactivate, unlock, reset
the password, change the role, see and end an account's logins.

Every change is recorded in the admin log (tracker.services.admin_log.record_change) in the same
flush, with the account's fields before and after; never a password or its hash. Two guards keep the
administration reachable: an administrator cannot deactivate or demote their own account, and the
last active administrator cannot be deactivated or demoted. Functions take an explicit session and
never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, or_, select

from tracker.domain.lockout import is_locked
from tracker.domain.messages import N_, Problem
from tracker.models import AdminAction, AdminKind, Agency, LoginSession, Member, User, UserRole
from tracker.services.accounts import (
    USERNAME,
    SessionLimits,
    clear_failures,
    end_sessions,
    failure_count,
    get_user_by_name,
    hash_password,
    locked_until_of,
)
from tracker.services.admin_log import AdminActor, record_change, snapshot
from tracker.services.errors import DuplicateError, InvalidInput, NotFoundError, ServiceError
from tracker.services.proposals import Page
from tracker.services.workflow import as_utc, aware

# What the log keeps of an account, before and after a change (never the password or its hash).
LOGGED = ("username", "role", "member_id", "agency_id", "active", "locked_until", "email")
STATUSES = ("active", "inactive", "locked")
# Generated passwords: no look-alike characters (0/o, 1/l/i), read out or typed from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_password(groups: int = 4, size: int = 4) -> str:
    """A random temporary password such as ``k7mq-x2pa-9dtc-wr4h`` (about 79 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))


@dataclass(frozen=True)
class AccountRow:
    """One account as the list shows it."""

    user: User
    member_name: str | None
    agency_name: str | None
    last_login: datetime | None
    locked: bool


def list_users(
    *,
    session: Session,
    now: datetime,
    query: str = "",
    role: str | None = None,
    status: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[AccountRow]:
    """Accounts by username, filtered by a word (username, member or agency name), role and status."""
    last_login = (
        select(LoginSession.user_id, func.max(LoginSession.created_at).label("at"))
        .group_by(col(LoginSession.user_id))
        .subquery()
    )
    stmt = (
        select(User, Member.name, Agency.name, last_login.c.at)
        .outerjoin(Member, col(Member.id) == col(User.member_id))
        .outerjoin(Agency, col(Agency.id) == col(User.agency_id))
        .outerjoin(last_login, last_login.c.user_id == col(User.id))
    )
    query = " ".join(query.split())
    if query:
        stmt = stmt.where(
            or_(
                col(User.username).contains(query, autoescape=True),
                col(Member.name).contains(query, autoescape=True),
                col(Agency.name).contains(query, autoescape=True),
            )
        )
    if role in {r.value for r in UserRole}:
        stmt = stmt.where(User.role == role)
    locked_now = col(User.locked_until).is_not(None) & (col(User.locked_until) > as_utc(now))
    if status == "active":
        stmt = stmt.where(col(User.active).is_(True))
    elif status == "inactive":
        stmt = stmt.where(col(User.active).is_(False))
    elif status == "locked":
        stmt = stmt.where(locked_now)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = session.exec(
        stmt.order_by(col(User.username)).offset((page - 1) * page_size).limit(page_size)
    ).all()
    items = [
        AccountRow(
            user=user,
            member_name=member,
            agency_name=agency,
            last_login=aware(at) if at is not None else None,
            locked=is_locked(locked_until_of(user), now=now),
        )
        for user, member, agency, at in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(N_("There is no such account."), field="user")
    return user


def members(*, session: Session) -> list[Member]:
    """Who a member account may be bound to, by name."""
    return list(session.exec(select(Member).order_by(col(Member.name), col(Member.id))).all())


def agencies(*, session: Session) -> list[Agency]:
    return list(session.exec(select(Agency).order_by(col(Agency.name))).all())


def _binding(
    session: Session, role: str, member_id: int | None, agency_id: int | None
) -> tuple[str, int | None, int | None]:
    """The role and the member or agency it acts for; a choice that does not fit the role is
    dropped (the form offers both lists whatever the role)."""
    try:
        role = UserRole(role).value
    except ValueError:
        raise InvalidInput([Problem("role", N_("Choose a role."))]) from None
    if role == UserRole.MEMBER:
        if member_id is None or session.get(Member, member_id) is None:
            raise InvalidInput([Problem("member", N_("A member account acts for a member: choose one."))])
        return role, member_id, None
    if role == UserRole.AGENCY:
        if agency_id is None or session.get(Agency, agency_id) is None:
            raise InvalidInput([Problem("agency", N_("An agency account acts for an agency: choose one."))])
        return role, None, agency_id
    return role, None, None


def _log(
    session: Session,
    actor: AdminActor,
    user: User,
    action: AdminAction,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None = None,
) -> None:
    record_change(
        session=session,
        actor=actor,
        kind=AdminKind.USER,
        object_id=user.id,
        action=action,
        before=before,
        after=after if after is not None else snapshot(user, LOGGED),
    )


def _other_active_admins(session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == UserRole.ADMIN.value, col(User.active).is_(True), User.id != user.id)
    ).one()


def _guard_admin_access(session: Session, actor: AdminActor, user: User, *, field: str) -> None:
    """Refuse to take the administration away from the acting admin or from the last admin."""
    if actor.user_id is not None and actor.user_id == user.id:
        raise ServiceError(
            N_("You cannot do this to your own account; ask another administrator."), field=field
        )
    if user.role == UserRole.ADMIN and user.active and _other_active_admins(session, user) == 0:
        raise ServiceError(
            N_("This is the last active administrator: make another account an administrator first."),
            field=field,
        )


def create_account(
    *,
    session: Session,
    actor: AdminActor,
    username: str,
    role: str,
    password: str,
    member_id: int | None = None,
    agency_id: int | None = None,
) -> User:
    """A new account bound to an existing member or agency (members and agencies are added on their
    own pages, so a typo here cannot create a second 戴培红)."""
    username = username.strip()
    problems: list[Problem] = []
    if not USERNAME.fullmatch(username):
        problems.append(
            Problem(
                "username",
                N_("A username is 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit."),
            )
        )
    elif get_user_by_name(session=session, username=username) is not None:
        raise DuplicateError(
            N_("An account called %(name)s already exists."), field="username", params={"name": username}
        )
    try:
        role, member_id, agency_id = _binding(session, role, member_id, agency_id)
    except InvalidInput as error:
        problems.extend(error.problems)
    try:
        password_hash = hash_password(password)
    except ServiceError as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    user = User(
        username=username, password_hash=password_hash, role=role, member_id=member_id, agency_id=agency_id
    )
    session.add(user)
    session.flush()
    _log(session, actor, user, AdminAction.CREATE, None)
    return user


def _open_count(session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user.id, col(LoginSession.ended_at).is_(None))
    ).one()


def deactivate(*, session: Session, actor: AdminActor, user_id: int, now: datetime) -> User:
    """No more logins, and every open one ends at once."""
    user = get_user(session=session, user_id=user_id)
    if not user.active:
        raise ServiceError(N_("This account is already deactivated."), field="user")
    _guard_admin_access(session, actor, user, field="user")
    before = snapshot(user, LOGGED) | {"open_logins": _open_count(session, user)}
    user.active = False
    session.add(user)
    end_sessions(session=session, user_id=user.id or 0, now=now)
    _log(session, actor, user, AdminAction.DEACTIVATE, before, snapshot(user, LOGGED) | {"open_logins": 0})
    return user


def reactivate(*, session: Session, actor: AdminActor, user_id: int) -> User:
    user = get_user(session=session, user_id=user_id)
    if user.active:
        raise ServiceError(N_("This account is already active."), field="user")
    before = snapshot(user, LOGGED)
    user.active = True
    session.add(user)
    session.flush()
    _log(session, actor, user, AdminAction.REACTIVATE, before)
    return user


def unlock(*, session: Session, actor: AdminActor, user_id: int) -> User:
    """Lift a lock-out and forget the failed logins that count towards the next one."""
    user = get_user(session=session, user_id=user_id)
    failures = failure_count(session=session, user_id=user.id or 0)
    if user.locked_until is None and failures == 0:
        raise ServiceError(N_("This account is not locked and has no failed logins."), field="user")
    before = snapshot(user, LOGGED) | {"failed_logins": failures}
    clear_failures(session=session, user=user)
    _log(session, actor, user, AdminAction.UNLOCK, before, snapshot(user, LOGGED) | {"failed_logins": 0})
    return user


def reset_password(
    *, session: Session, actor: AdminActor, user_id: int, password: str | None, now: datetime
) -> str:
    """Set a temporary password (``None``: generate one) and end the account's logins; returns the
    password, for the page to show once."""
    user = get_user(session=session, user_id=user_id)
    password = password if password is not None else generate_password()
    user.password_hash = hash_password(password)
    session.add(user)
    before = {"open_logins": _open_count(session, user), "password": "—"}
    end_sessions(session=session, user_id=user.id or 0, now=now)
    # The log says that the password changed, never what it is.
    _log(session, actor, user, AdminAction.RESET_PASSWORD, before, {"open_logins": 0, "password": "reset"})
    return password


def change_role(
    *,
    session: Session,
    actor: AdminActor,
    user_id: int,
    role: str,
    member_id: int | None = None,
    agency_id: int | None = None,
) -> bool:
    """A new role, with the member or agency it acts for; False when nothing changed. The next
    request of an open login already runs with the new role (logins read the account each time)."""
    user = get_user(session=session, user_id=user_id)
    role, member_id, agency_id = _binding(session, role, member_id, agency_id)
    if (role, member_id, agency_id) == (user.role, user.member_id, user.agency_id):
        return False
    if role != UserRole.ADMIN and user.role == UserRole.ADMIN:
        _guard_admin_access(session, actor, user, field="role")
    before = snapshot(user, LOGGED)
    user.role, user.member_id, user.agency_id = role, member_id, agency_id
    session.add(user)
    session.flush()
    _log(session, actor, user, AdminAction.CHANGE_ROLE, before)
    return True


def open_logins(
    *, session: Session, user_id: int, now: datetime, limits: SessionLimits
) -> list[LoginSession]:
    """The account's logins that would still open a page now, newest first."""
    rows = session.exec(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, col(LoginSession.ended_at).is_(None))
        .order_by(col(LoginSession.created_at).desc(), col(LoginSession.id).desc())
    ).all()
    return [
        row
        for row in rows
        if now - aware(row.last_seen_at) <= limits.idle and now - aware(row.created_at) <= limits.lifetime
    ]


def end_login(*, session: Session, actor: AdminActor, user_id: int, login_id: int, now: datetime) -> None:
    """End one login of the account (a lost phone, a shared computer left logged in)."""
    user = get_user(session=session, user_id=user_id)
    row = session.get(LoginSession, login_id)
    if row is None or row.user_id != user.id:
        raise NotFoundError(N_("There is no such login."), field="login")
    if row.ended_at is not None:
        raise ServiceError(N_("This login has already ended."), field="login")
    row.ended_at = as_utc(now)
    session.add(row)
    session.flush()
    described = {"login": row.id, "address": row.address, "started": aware(row.created_at).isoformat()}
    _log(
        session, actor, user, AdminAction.END_LOGIN, described | {"ended": False}, described | {"ended": True}
    )


def end_all_logins(*, session: Session, actor: AdminActor, user_id: int, now: datetime) -> int:
    """End every open login of the account; returns how many were open."""
    user = get_user(session=session, user_id=user_id)
    count = end_sessions(session=session, user_id=user.id or 0, now=now)
    if count == 0:
        raise ServiceError(N_("This account has no open logins."), field="login")
    _log(session, actor, user, AdminAction.END_LOGIN, {"open_logins": count}, {"open_logins": 0})
    return count


def set_email(*, session: Session, actor: AdminActor, user_id: int, email: str | None) -> bool:
    """The account's e-mail address for notifications (issue 15); "" removes it. False: unchanged."""
    from tracker.services import notifications  # the one place an account's address is checked

    user = get_user(session=session, user_id=user_id)
    before = snapshot(user, LOGGED)
    notifications.set_email(session=session, user=user, email=email)
    if before == snapshot(user, LOGGED):
        return False
    _log(session, actor, user, AdminAction.UPDATE, before)
    return True
