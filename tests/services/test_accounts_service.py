"""Accounts: creation rules, Argon2id hashes, login checks, and the logins kept on the server (idle and
lifetime limits, ended by logging out, a new password or deactivation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from tracker.models import Agency, LoginSession, User
from tracker.services import accounts
from tracker.services.errors import DuplicateError, NotFoundError, ServiceError


def test_create_binds_members_and_agencies_by_name(session: Session) -> None:
    made = accounts.create_user(
        session=session, username="wang", password="long enough", role="agency", agency_name="区民政局"
    )
    assert made.created_agency and made.user.agency.name == "区民政局"
    assert made.user.password_hash.startswith("$argon2id$")
    again = accounts.create_user(
        session=session, username="wang2", password="long enough", role="agency", agency_name="区民政局"
    )
    assert not again.created_agency
    assert len(session.exec(select(Agency).where(Agency.name == "区民政局")).all()) == 1
    member = accounts.create_user(
        session=session, username="dai2", password="long enough", role="member", member_name="戴培红"
    )
    assert not member.created_member  # the seeded member


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "x", "role": "staff"}, "username"),
        ({"username": "has space", "role": "staff"}, "username"),
        ({"username": "ok", "role": "king"}, "role"),
        ({"username": "ok", "role": "member"}, "member"),
        ({"username": "ok", "role": "agency", "member_name": "张三"}, "agency"),
        ({"username": "ok", "role": "staff", "agency_name": "区民政局"}, "role"),
        ({"username": "ok", "role": "staff", "password": "short"}, "password"),
    ],
)
def test_create_refuses_bad_input(session: Session, kwargs, field) -> None:
    values = {"password": "long enough"} | kwargs
    with pytest.raises(ServiceError) as refused:
        accounts.create_user(session=session, **values)
    assert refused.value.field == field


def test_usernames_are_unique(session: Session) -> None:
    with pytest.raises(DuplicateError):
        accounts.create_user(session=session, username="staff", password="long enough", role="staff")


def test_authenticate(session: Session) -> None:
    assert accounts.authenticate(session=session, username="staff", password="staff-demo").username == "staff"
    assert accounts.authenticate(session=session, username="staff", password="wrong") is None
    assert accounts.authenticate(session=session, username="nobody", password="staff-demo") is None
    assert accounts.authenticate(session=session, username="staff", password="x" * 5000) is None
    user = accounts.get_user_by_name(session=session, username="staff")
    user.active = False
    assert accounts.authenticate(session=session, username="staff", password="staff-demo") is None


def test_an_old_hash_is_upgraded_at_login(session: Session) -> None:
    user = accounts.get_user_by_name(session=session, username="staff")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("staff-demo")
    session.flush()
    assert accounts.authenticate(session=session, username="staff", password="staff-demo") is not None
    assert "m=65536,t=3,p=4" in user.password_hash


LIMITS = accounts.SessionLimits(idle=timedelta(minutes=120), lifetime=timedelta(hours=12))
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _user(session: Session, name: str) -> User:
    user = accounts.get_user_by_name(session=session, username=name)
    assert user is not None
    return user


@pytest.mark.parametrize(
    ("later", "valid"),
    [
        (timedelta(0), True),
        (timedelta(minutes=120), True),
        (timedelta(minutes=120, seconds=1), False),
    ],
)
def test_a_login_ends_after_the_idle_limit(session: Session, later: timedelta, valid: bool) -> None:
    token = accounts.start_session(session=session, user=_user(session, "staff"), now=T0)
    found = accounts.user_for_session(session=session, token=token, now=T0 + later, limits=LIMITS)
    assert (found is not None) == valid


def test_a_login_used_all_day_still_ends_at_its_lifetime(session: Session) -> None:
    token = accounts.start_session(session=session, user=_user(session, "staff"), now=T0)
    moment = T0
    while moment < T0 + timedelta(hours=12):  # a request every 50 minutes, never idle
        assert accounts.user_for_session(session=session, token=token, now=moment, limits=LIMITS)
        moment += timedelta(minutes=50)
    assert accounts.user_for_session(session=session, token=token, now=moment, limits=LIMITS) is None
    # and once ended it stays ended, even at a time it would have been valid
    assert accounts.user_for_session(session=session, token=token, now=T0, limits=LIMITS) is None


def test_only_the_digest_of_the_token_is_stored(session: Session) -> None:
    token = accounts.start_session(session=session, user=_user(session, "staff"), now=T0)
    row = session.exec(select(LoginSession)).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert len(token) >= 40  # 32 random bytes


def test_a_new_password_ends_old_sessions(session: Session) -> None:
    user = _user(session, "member")
    old = accounts.start_session(session=session, user=user, now=T0)
    assert accounts.user_for_session(session=session, token=old, now=T0, limits=LIMITS) == user
    accounts.set_password(session=session, username="member", password="a new password")
    assert accounts.user_for_session(session=session, token=old, now=T0, limits=LIMITS) is None
    new = accounts.start_session(session=session, user=user, now=T0)
    assert accounts.user_for_session(session=session, token=new, now=T0, limits=LIMITS) == user
    for junk in ("", "abc", "99999999999:x", f"{user.id}", "x" * 10_000):
        assert accounts.user_for_session(session=session, token=junk, now=T0, limits=LIMITS) is None
    with pytest.raises(NotFoundError):
        accounts.set_password(session=session, username="nobody", password="a new password")


def test_end_sessions_ends_every_open_login_of_one_account(session: Session) -> None:
    member, staff = _user(session, "member"), _user(session, "staff")
    tokens = [accounts.start_session(session=session, user=member, now=T0) for _ in range(3)]
    other = accounts.start_session(session=session, user=staff, now=T0)
    assert accounts.end_session(session=session, token=tokens[0], now=T0)
    assert not accounts.end_session(session=session, token=tokens[0], now=T0)  # already ended
    assert accounts.end_sessions(session=session, user_id=member.id, now=T0) == 2
    for token in tokens:
        assert accounts.user_for_session(session=session, token=token, now=T0, limits=LIMITS) is None
    assert accounts.user_for_session(session=session, token=other, now=T0, limits=LIMITS) == staff


def test_deactivate_user(session: Session) -> None:
    token = accounts.start_session(session=session, user=_user(session, "agency"), now=T0)
    user = accounts.deactivate_user(session=session, username="agency", now=T0)
    assert not user.active
    assert accounts.user_for_session(session=session, token=token, now=T0, limits=LIMITS) is None
    assert accounts.authenticate(session=session, username="agency", password="agency-demo") is None
    with pytest.raises(NotFoundError):
        accounts.deactivate_user(session=session, username="nobody")


def test_demo_accounts_are_seeded_once(session: Session) -> None:
    # the test database already holds them (tests/conftest.py seeds them)
    assert accounts.seed_demo_accounts(session=session) == []
    users = {u.username: u for u in session.exec(select(User)).all()}
    assert users["member"].member.name == "戴培红"
    assert users["agency"].agency.name == "镇海区经信局"
    assert (users["staff"].role, users["admin"].role) == ("staff", "admin")
