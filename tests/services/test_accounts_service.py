"""Accounts: creation rules, Argon2id hashes, login checks, the session id that a new password ends."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from tracker.models import Agency, User
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


def test_a_new_password_ends_old_sessions(session: Session) -> None:
    user = accounts.get_user_by_name(session=session, username="member")
    old = accounts.login_id(user)
    assert accounts.user_for_login_id(session=session, value=old) == user
    accounts.set_password(session=session, username="member", password="a new password")
    assert accounts.user_for_login_id(session=session, value=old) is None
    assert accounts.user_for_login_id(session=session, value=accounts.login_id(user)) == user
    for junk in ("", "abc", "99999999999:x", f"{user.id}"):
        assert accounts.user_for_login_id(session=session, value=junk) is None
    with pytest.raises(NotFoundError):
        accounts.set_password(session=session, username="nobody", password="a new password")


def test_demo_accounts_are_seeded_once(session: Session) -> None:
    # the test database already holds them (tests/conftest.py seeds them)
    assert accounts.seed_demo_accounts(session=session) == []
    users = {u.username: u for u in session.exec(select(User)).all()}
    assert users["member"].member.name == "戴培红"
    assert users["agency"].agency.name == "镇海区经信局"
    assert (users["staff"].role, users["admin"].role) == ("staff", "admin")
