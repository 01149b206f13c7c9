"""Accounts: create them, set passwords, check a login, and the development demo accounts.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile); a hash
made with older parameters is replaced at the next successful login.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import joinedload
from sqlmodel import Session, col, delete, func, select

from tracker.domain.locales import supported
from tracker.domain.lockout import (
    LockoutPolicy,
    RateLimit,
    is_locked,
    lock_until,
    longest_window,
    over_limit,
)
from tracker.domain.messages import N_
from tracker.models import (
    Agency,
    LoginAttempt,
    LoginFailure,
    LoginSession,
    Member,
    MemberKind,
    User,
    UserRole,
)
from tracker.services.errors import DuplicateError, NotFoundError, ServiceError
from tracker.services.people import get_or_create_agency, get_or_create_member
from tracker.services.workflow import as_utc, aware

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing is deliberately slow; refuse absurd inputs before it
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}")

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verified against when a username does not exist, so a wrong name takes as long as a wrong password.
    return _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ServiceError(
            N_("The password needs at least %(count)d characters."),
            field="password",
            params={"count": MIN_PASSWORD},
        )
    if len(password) > MAX_PASSWORD:
        raise ServiceError(
            N_("The password may have at most %(count)d characters."),
            field="password",
            params={"count": MAX_PASSWORD},
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    now: datetime | None = None,
    lockout: LockoutPolicy | None = None,
    address: str = "",
) -> User | None:
    """The active account with this name and password, or None (same answer, same time, for both).

    With a ``lockout`` policy a wrong password is recorded against the account, enough of them lock
    it, and a locked account is refused whatever the password (the answer does not say so: a
    stranger cannot learn which names exist or whether a guess was right). A login that succeeds
    clears the account's failures.
    """
    now = now or datetime.now(UTC)
    user = get_user_by_name(session=session, username=username.strip())
    if user is None or not user.active or len(password) > MAX_PASSWORD:
        _verify(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    if lockout is not None and is_locked(locked_until_of(user), now=now):
        _verify(_dummy_hash(), password)
        return None
    if not _verify(user.password_hash, password):
        if lockout is not None:
            record_failure(session=session, user=user, now=now, lockout=lockout, address=address)
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    if lockout is not None:
        clear_failures(session=session, user=user)
    session.flush()
    return user


# -- lock-out after failed logins (tracker.domain.lockout) ------------------------------------------


def record_failure(
    *, session: Session, user: User, now: datetime, lockout: LockoutPolicy, address: str = ""
) -> datetime | None:
    """Store one failed login and lock the account if that makes too many; returns the lock's end."""
    session.add(LoginFailure(user_id=user.id or 0, at=as_utc(now), address=address[:64]))
    session.flush()
    since = now - lockout.window - lockout.duration  # older failures can no longer lock
    times = session.exec(
        select(LoginFailure.at).where(LoginFailure.user_id == user.id, LoginFailure.at >= as_utc(since))
    ).all()
    until = lock_until([aware(t) for t in times], now=now, policy=lockout)
    if until is not None:
        user.locked_until = as_utc(until)
        session.add(user)
        session.flush()
    return until


def address_over_limit(*, session: Session, address: str, now: datetime, limits: Sequence[RateLimit]) -> bool:
    """Whether this client address has used up its failed logins (counted across every server)."""
    if not limits:
        return False
    since = as_utc(now - longest_window(limits))
    times = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.address == address[:64], LoginAttempt.at > since)
    ).all()
    return over_limit([aware(t) for t in times], now=now, limits=limits)


def record_attempt(*, session: Session, address: str, now: datetime, limits: Sequence[RateLimit]) -> None:
    """Count one failed login from ``address``; attempts older than every window are dropped."""
    session.add(LoginAttempt(address=address[:64], at=as_utc(now)))
    session.exec(  # type: ignore[call-overload]
        delete(LoginAttempt).where(
            col(LoginAttempt.at) < as_utc(now - longest_window(limits)),
            # the open-data API's requests (services/api_limits.py) keep their own windows
            col(LoginAttempt.address).not_like("api:%"),
        )
    )
    session.flush()


def locked_until_of(user: User) -> datetime | None:
    return aware(user.locked_until) if user.locked_until is not None else None


def failure_count(*, session: Session, user_id: int) -> int:
    """Failed logins since the last successful one (or the last unlock)."""
    return session.exec(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.user_id == user_id)
    ).one()


def clear_failures(*, session: Session, user: User) -> None:
    """Forget the account's failed logins and lift its lock (a good login, or an administrator)."""
    for row in session.exec(select(LoginFailure).where(LoginFailure.user_id == user.id)).all():
        session.delete(row)
    user.locked_until = None
    session.add(user)
    session.flush()


def get_user_by_name(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


# -- login sessions, kept on the server ---------------------------------------------------------------


@dataclass(frozen=True)
class SessionLimits:
    """How long a login lasts: ``idle`` without a request, ``lifetime`` at most; the last-seen time
    is written at most every ``touch_every``, so reading pages does not write on every request."""

    idle: timedelta
    lifetime: timedelta
    touch_every: timedelta = timedelta(minutes=1)


MAX_TOKEN = 128  # a longer cookie value is not one of ours; refuse it before hashing


def _digest(token: str) -> str:
    # Only the digest is stored: a copy of the table does not open anyone's session.
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    *, session: Session, user: User, now: datetime, user_agent: str = "", address: str = ""
) -> str:
    """Open a login for ``user``; returns the random token the session cookie is to carry."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=as_utc(now),
            last_seen_at=as_utc(now),
            user_agent=user_agent[:255],
            address=address[:64],
        )
    )
    session.flush()
    return token


def _open_session(session: Session, token: str) -> LoginSession | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    row = session.exec(select(LoginSession).where(LoginSession.token_hash == _digest(token))).first()
    return row if row is not None and row.ended_at is None else None


def open_login(*, session: Session, token: str) -> LoginSession | None:
    """The open login this token names, if any (the admin's list marks the one in use)."""
    return _open_session(session, token)


def user_for_session(*, session: Session, token: str, now: datetime, limits: SessionLimits) -> User | None:
    """The active account whose open login this token names, or None: unknown, ended, idle for
    longer than ``limits.idle`` or older than ``limits.lifetime``. An expired login is ended here,
    and a live one has its last-seen time moved on (at most every ``limits.touch_every``)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    # every page asks this: the login, its account and the name shown in the header in one query
    stmt = (
        select(LoginSession, User)
        .join(User, col(User.id) == LoginSession.user_id)
        .where(LoginSession.token_hash == _digest(token), col(LoginSession.ended_at).is_(None))
        .options(joinedload(User.member), joinedload(User.agency))  # type: ignore[arg-type]
    )
    found = session.exec(stmt).first()
    if found is None:
        return None
    row, user = found
    created, seen = aware(row.created_at), aware(row.last_seen_at)
    if user is None or not user.active or now - seen > limits.idle or now - created > limits.lifetime:
        row.ended_at = as_utc(now)
        session.add(row)
        session.flush()
        return None
    if now - seen >= limits.touch_every:
        row.last_seen_at = as_utc(now)
        session.add(row)
        session.flush()
    return user


def end_session(*, session: Session, token: str, now: datetime) -> bool:
    """End the login this token names (logging out); False when it was not open."""
    row = _open_session(session, token)
    if row is None:
        return False
    row.ended_at = as_utc(now)
    session.add(row)
    session.flush()
    return True


def end_sessions(*, session: Session, user_id: int, now: datetime | None = None) -> int:
    """End every open login of an account; returns how many were open."""
    rows = session.exec(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    ).all()
    for row in rows:
        row.ended_at = as_utc(now or datetime.now(UTC))
        session.add(row)
    session.flush()
    return len(rows)


def deactivate_user(*, session: Session, username: str, now: datetime | None = None) -> User:
    """Take an account out of use: it cannot log in, and its open logins end at once."""
    user = get_user_by_name(session=session, username=username.strip())
    if user is None:
        raise NotFoundError(f"no user called {username!r}", field="username")
    user.active = False
    session.add(user)
    end_sessions(session=session, user_id=user.id or 0, now=now)
    return user


# -- creating accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedUser:
    user: User
    created_member: bool = False
    created_agency: bool = False


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: str,
    member_name: str | None = None,
    agency_name: str | None = None,
    display_name: str | None = None,
) -> CreatedUser:
    """A new account. Members are bound to a Member and agency staff to an Agency, by name; a name
    not in the database yet is added (and the result says so)."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise ServiceError(
            "a username is 2-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            field="username",
        )
    try:
        role = UserRole(role).value
    except ValueError:
        allowed = ", ".join(r.value for r in UserRole)
        raise ServiceError(f"unknown role {role!r}; choose one of {allowed}", field="role") from None
    if get_user_by_name(session=session, username=username) is not None:
        raise DuplicateError(f"a user called {username!r} already exists", field="username")
    member_name = (member_name or "").strip() or None
    agency_name = (agency_name or "").strip() or None
    if role == UserRole.MEMBER and (member_name is None or agency_name):
        raise ServiceError("a member account needs --member NAME (and no --agency)", field="member")
    if role == UserRole.AGENCY and (agency_name is None or member_name):
        raise ServiceError("an agency account needs --agency NAME (and no --member)", field="agency")
    if role in (UserRole.STAFF, UserRole.ADMIN) and (member_name or agency_name):
        raise ServiceError(f"a {role} account is bound to no member or agency", field="role")
    display_name = clean_display_name(display_name)
    if display_name and role not in (UserRole.STAFF, UserRole.ADMIN):
        # the header shows the member's or agency's own name: a second name would never be seen
        raise ServiceError(
            "--name is for staff and admin accounts; members and agency staff show their member's or agency's name",
            field="display_name",
        )

    member: Member | None = None
    agency: Agency | None = None
    created_member = created_agency = False
    if member_name:
        found = session.exec(
            select(Member).where(Member.name == member_name, Member.kind == MemberKind.MEMBER.value)
        ).all()
        if len(found) > 1:
            raise ServiceError(f"several members are called {member_name!r}", field="member")
        created_member = not found
        member = found[0] if found else get_or_create_member(session=session, name=member_name)
    if agency_name:
        created_agency = session.exec(select(Agency).where(Agency.name == agency_name)).first() is None
        agency = get_or_create_agency(session=session, name=agency_name)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        member_id=member.id if member else None,
        agency_id=agency.id if agency else None,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return CreatedUser(user=user, created_member=created_member, created_agency=created_agency)


DISPLAY_NAME_LIMIT = 64


def clean_display_name(name: str | None) -> str | None:
    """A person's name as the header shows it: inner whitespace collapsed, control characters
    refused; None when empty (the header then shows the username)."""
    name = " ".join((name or "").split())
    if not name:
        return None
    if len(name) > DISPLAY_NAME_LIMIT:
        raise ServiceError(f"a name is at most {DISPLAY_NAME_LIMIT} characters", field="display_name")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ServiceError("a name cannot hold control characters", field="display_name")
    return name


def set_password(*, session: Session, username: str, password: str) -> User:
    user = get_user_by_name(session=session, username=username.strip())
    if user is None:
        raise NotFoundError(f"no user called {username!r}", field="username")
    user.password_hash = hash_password(password)
    session.add(user)
    # A new password is often set because the old one leaked: every login made with it ends.
    end_sessions(session=session, user_id=user.id or 0)
    return user


def set_locale(*, session: Session, user_id: int, locale: str | None) -> User:
    """Keep the UI language a person chose on their account (issue 15); None forgets it."""
    if locale is not None and supported(locale) is None:
        raise ServiceError(f"no UI language called {locale!r}", field="locale")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}", field="user")
    user.locale = locale
    session.add(user)
    return user


# -- development demo accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: UserRole
    member: str | None = None
    agency: str | None = None
    name: str | None = None  # staff and admins: the person the header names


# Listed in the README. Development only: `tracker seed` refuses to run in production.
DEMO_ACCOUNTS = (
    DemoAccount("member", "member-demo", UserRole.MEMBER, member="戴培红"),
    DemoAccount("agency", "agency-demo", UserRole.AGENCY, agency="镇海区经信局"),
    DemoAccount("staff", "staff-demo", UserRole.STAFF, name="王芳"),
    DemoAccount("admin", "admin-demo", UserRole.ADMIN, name="李明"),
)
# Offices the model case's reply names, so a demo assignment can have co-handling agencies.
DEMO_AGENCIES = ("镇海区经信局", "镇海区发改局", "镇海区商务局", "镇海区人社局", "镇海区财政局")


def seed_demo_accounts(*, session: Session) -> list[User]:
    """Create the demo accounts and agencies that do not exist yet; returns the accounts created."""
    for name in DEMO_AGENCIES:
        get_or_create_agency(session=session, name=name)
    created: list[User] = []
    for demo in DEMO_ACCOUNTS:
        if (found := get_user_by_name(session=session, username=demo.username)) is not None:
            if demo.name and not found.display_name:
                found.display_name = demo.name  # a database seeded before accounts had names
                session.add(found)
            continue
        created.append(
            create_user(
                session=session,
                username=demo.username,
                password=demo.password,
                role=demo.role,
                member_name=demo.member,
                agency_name=demo.agency,
                display_name=demo.name,
            ).user
        )
    return created
