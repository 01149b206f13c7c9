"""Accounts: create them, set passwords, check a login, and the development demo accounts.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile); a hash
made with older parameters is replaced at the next successful login.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from tracker.domain.messages import N_
from tracker.models import Agency, Member, MemberKind, User, UserRole
from tracker.services.errors import DuplicateError, NotFoundError, ServiceError
from tracker.services.people import get_or_create_agency, get_or_create_member

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


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active account with this name and password, or None (same answer, same time, for both)."""
    user = get_user_by_name(session=session, username=username.strip())
    if user is None or not user.active or len(password) > MAX_PASSWORD:
        _verify(_dummy_hash(), password[:MAX_PASSWORD])
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.flush()
    return user


def get_user_by_name(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


# -- the login id kept in the session cookie -----------------------------------------------------------


def login_id(user: User) -> str:
    """What the session remembers: the account id plus a fingerprint of its password hash, so a
    password change (``users passwd``) ends every session opened with the old password."""
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    return f"{user.id}:{fingerprint}"


def user_for_login_id(*, session: Session, value: str) -> User | None:
    """The active account a session's login id belongs to, if it is still valid."""
    user_id, _, _fingerprint = value.partition(":")
    if not user_id.isdigit() or len(user_id) > 10:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or login_id(user) != value:
        return None
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
    )
    session.add(user)
    session.flush()
    return CreatedUser(user=user, created_member=created_member, created_agency=created_agency)


def set_password(*, session: Session, username: str, password: str) -> User:
    user = get_user_by_name(session=session, username=username.strip())
    if user is None:
        raise NotFoundError(f"no user called {username!r}", field="username")
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


# -- development demo accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: UserRole
    member: str | None = None
    agency: str | None = None


# Listed in the README. Development only: `tracker seed` refuses to run in production.
DEMO_ACCOUNTS = (
    DemoAccount("member", "member-demo", UserRole.MEMBER, member="戴培红"),
    DemoAccount("agency", "agency-demo", UserRole.AGENCY, agency="镇海区经信局"),
    DemoAccount("staff", "staff-demo", UserRole.STAFF),
    DemoAccount("admin", "admin-demo", UserRole.ADMIN),
)
# Offices the model case's reply names, so a demo assignment can have co-handling agencies.
DEMO_AGENCIES = ("镇海区经信局", "镇海区发改局", "镇海区商务局", "镇海区人社局", "镇海区财政局")


def seed_demo_accounts(*, session: Session) -> list[User]:
    """Create the demo accounts and agencies that do not exist yet; returns the accounts created."""
    for name in DEMO_AGENCIES:
        get_or_create_agency(session=session, name=name)
    created: list[User] = []
    for demo in DEMO_ACCOUNTS:
        if get_user_by_name(session=session, username=demo.username) is not None:
            continue
        created.append(
            create_user(
                session=session,
                username=demo.username,
                password=demo.password,
                role=demo.role,
                member_name=demo.member,
                agency_name=demo.agency,
            ).user
        )
    return created
