"""Accounts administered: create bound to a member or agency, deactivate (ends logins), reactivate,
unlock, reset the password, change the role, end logins; each change in the admin log, never the
password; the lock-out counted in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from tracker.domain.lockout import LockoutPolicy
from tracker.models import AdminChange, Agency, LoginFailure, LoginSession, Member, User
from tracker.services import accounts, user_admin
from tracker.services.accounts import SessionLimits
from tracker.services.admin_log import AdminActor
from tracker.services.errors import DuplicateError, InvalidInput, NotFoundError, ServiceError

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(hours=2), lifetime=timedelta(hours=12))
POLICY = LockoutPolicy(attempts=3, window=timedelta(minutes=15), duration=timedelta(minutes=15))
PASSWORD = "password-for-tests"


def _user(session: Session, name: str) -> User:
    return session.exec(select(User).where(User.username == name)).one()


@pytest.fixture
def admin(session: Session) -> AdminActor:
    user = _user(session, "admin")
    return AdminActor(user.username, user_id=user.id)


def _log(session: Session, user: User) -> list[AdminChange]:
    return list(
        session.exec(
            select(AdminChange).where(AdminChange.kind == "user", AdminChange.object_id == user.id)
        ).all()
    )


def _no_secret_in(changes: list[AdminChange], *secrets: str) -> None:
    text = repr([(c.before, c.after) for c in changes])
    for secret in secrets:
        assert secret not in text
    assert "argon2" not in text and "password_hash" not in text


def test_create_binds_an_existing_member_or_agency_and_logs_it(session: Session, admin, make) -> None:
    member = make.member(name="陈委员")
    agency = make.agency(name="区水利局")
    made = user_admin.create_account(
        session=session, actor=admin, username="chen", role="member", password=PASSWORD, member_id=member.id
    )
    # an agency chosen for a member account does not stick: the form offers both lists
    assert (made.member_id, made.agency_id, made.role) == (member.id, None, "member")
    staff = user_admin.create_account(
        session=session, actor=admin, username="li", role="agency", password=PASSWORD, agency_id=agency.id
    )
    assert staff.agency_id == agency.id
    [created] = _log(session, made)
    assert (created.action, created.before, created.actor) == ("create", None, "admin")
    assert created.after["username"] == "chen" and created.after["member_id"] == member.id
    _no_secret_in(_log(session, made) + _log(session, staff), PASSWORD)
    assert accounts.authenticate(session=session, username="chen", password=PASSWORD) is not None


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"username": "x", "role": "staff"}, {"username"}),
        ({"username": "ok", "role": "king"}, {"role"}),
        ({"username": "ok", "role": "member"}, {"member"}),
        ({"username": "ok", "role": "member", "member_id": 999_999}, {"member"}),
        ({"username": "ok", "role": "agency"}, {"agency"}),
        ({"username": "ok", "role": "staff", "password": "short"}, {"password"}),
        ({"username": "bad name", "role": "agency", "password": "short"}, {"username", "agency", "password"}),
    ],
)
def test_create_refuses_bad_input_with_every_problem(session: Session, admin, kwargs, fields) -> None:
    before = len(session.exec(select(User)).all())
    with pytest.raises(InvalidInput) as caught:
        user_admin.create_account(session=session, actor=admin, **{"password": PASSWORD, **kwargs})
    assert {p.field for p in caught.value.problems} == fields
    assert len(session.exec(select(User)).all()) == before
    assert session.exec(select(AdminChange).where(AdminChange.kind == "user")).all() == []


def test_create_refuses_a_name_taken(session: Session, admin) -> None:
    with pytest.raises(DuplicateError):
        user_admin.create_account(
            session=session, actor=admin, username="staff", role="staff", password=PASSWORD
        )


def test_deactivate_ends_every_login_and_reactivate_lets_it_log_in(session: Session, admin) -> None:
    agency = _user(session, "agency")
    token = accounts.start_session(session=session, user=agency, now=NOW)
    user_admin.deactivate(session=session, actor=admin, user_id=agency.id, now=NOW)
    assert accounts.user_for_session(session=session, token=token, now=NOW, limits=LIMITS) is None
    assert accounts.authenticate(session=session, username="agency", password="agency-demo") is None
    user_admin.reactivate(session=session, actor=admin, user_id=agency.id)
    assert accounts.authenticate(session=session, username="agency", password="agency-demo") is not None
    assert (
        accounts.user_for_session(session=session, token=token, now=NOW, limits=LIMITS) is None
    )  # still ended
    deactivated, reactivated = _log(session, agency)
    assert (deactivated.action, deactivated.before["active"], deactivated.after["active"]) == (
        "deactivate",
        True,
        False,
    )
    assert (deactivated.before["open_logins"], deactivated.after["open_logins"]) == (1, 0)
    assert (reactivated.action, reactivated.after["active"]) == ("reactivate", True)
    with pytest.raises(ServiceError):
        user_admin.reactivate(session=session, actor=admin, user_id=agency.id)


def test_admin_access_cannot_be_lost(session: Session, admin, make) -> None:
    """No admin deactivates or demotes themself, nor the last active admin."""
    me = _user(session, "admin")
    with pytest.raises(ServiceError, match="your own account"):
        user_admin.deactivate(session=session, actor=admin, user_id=me.id, now=NOW)
    with pytest.raises(ServiceError, match="your own account"):
        user_admin.change_role(session=session, actor=admin, user_id=me.id, role="staff")
    from_cli = AdminActor("command line")
    with pytest.raises(ServiceError, match="last active administrator"):
        user_admin.deactivate(session=session, actor=from_cli, user_id=me.id, now=NOW)
    other = make.user(username="admin2", role="admin")
    user_admin.change_role(session=session, actor=admin, user_id=other.id, role="staff")  # one left: me
    assert other.role == "staff"
    assert me.active and me.role == "admin"


def test_change_role_binds_and_logs_before_and_after(session: Session, admin) -> None:
    staff = _user(session, "staff")
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    assert user_admin.change_role(session=session, actor=admin, user_id=staff.id, role="admin")
    assert not user_admin.change_role(session=session, actor=admin, user_id=staff.id, role="admin")
    assert user_admin.change_role(
        session=session, actor=admin, user_id=staff.id, role="agency", agency_id=agency.id
    )
    with pytest.raises(InvalidInput):
        user_admin.change_role(session=session, actor=admin, user_id=staff.id, role="member")
    first, second = _log(session, staff)
    assert (first.before["role"], first.after["role"]) == ("staff", "admin")
    assert (second.before["agency_id"], second.after["agency_id"]) == (None, agency.id)


def test_reset_password_ends_logins_and_logs_no_password(session: Session, admin) -> None:
    member = _user(session, "member")
    token = accounts.start_session(session=session, user=member, now=NOW)
    typed = user_admin.reset_password(
        session=session, actor=admin, user_id=member.id, password="a temporary one", now=NOW
    )
    assert typed == "a temporary one"
    assert accounts.user_for_session(session=session, token=token, now=NOW, limits=LIMITS) is None
    generated = user_admin.reset_password(
        session=session, actor=admin, user_id=member.id, password=None, now=NOW
    )
    assert len(generated) == 19 and generated != user_admin.generate_password()
    assert accounts.authenticate(session=session, username="member", password=generated) is not None
    assert accounts.authenticate(session=session, username="member", password="member-demo") is None
    changes = _log(session, member)
    assert [c.action for c in changes] == ["reset_password", "reset_password"]
    _no_secret_in(changes, typed, generated)
    with pytest.raises(ServiceError):
        user_admin.reset_password(session=session, actor=admin, user_id=member.id, password="short", now=NOW)


def test_lock_out_counts_failures_and_unlock_clears_them(session: Session, admin) -> None:
    staff = _user(session, "staff")

    def attempt(password: str, minutes: float = 0) -> User | None:
        return accounts.authenticate(
            session=session,
            username="staff",
            password=password,
            now=NOW + timedelta(minutes=minutes),
            lockout=POLICY,
            address="10.0.0.9",
        )

    assert attempt("wrong 1") is None
    assert attempt("staff-demo", 1) is not None  # a good login forgets the failure
    assert accounts.failure_count(session=session, user_id=staff.id) == 0
    for n in range(3):
        assert attempt(f"wrong {n}", 2) is None
    assert staff.locked_until is not None
    assert attempt("staff-demo", 3) is None  # locked: the right password is refused too
    assert accounts.failure_count(session=session, user_id=staff.id) == 3  # and not counted
    assert attempt("staff-demo", 2 + 15 + 1) is not None  # the lock has run out
    for n in range(3):
        attempt(f"wrong {n}", 20)
    user_admin.unlock(session=session, actor=admin, user_id=staff.id)
    assert session.exec(select(LoginFailure).where(LoginFailure.user_id == staff.id)).all() == []
    assert attempt("staff-demo", 21) is not None
    [unlocked] = _log(session, staff)
    assert (unlocked.action, unlocked.before["failed_logins"], unlocked.after["failed_logins"]) == (
        "unlock",
        3,
        0,
    )
    assert unlocked.before["locked_until"] is not None and unlocked.after["locked_until"] is None
    with pytest.raises(ServiceError):
        user_admin.unlock(session=session, actor=admin, user_id=staff.id)


def test_logins_are_listed_and_ended_one_or_all(session: Session, admin) -> None:
    member = _user(session, "member")
    old = accounts.start_session(session=session, user=member, now=NOW - timedelta(hours=13))
    first = accounts.start_session(session=session, user=member, now=NOW, address="10.0.0.1")
    second = accounts.start_session(session=session, user=member, now=NOW, address="10.0.0.2")
    listed = user_admin.open_logins(session=session, user_id=member.id, now=NOW, limits=LIMITS)
    assert sorted(row.address for row in listed) == ["10.0.0.1", "10.0.0.2"]  # not the expired one
    one = next(row for row in listed if row.address == "10.0.0.1")
    user_admin.end_login(session=session, actor=admin, user_id=member.id, login_id=one.id, now=NOW)
    assert accounts.user_for_session(session=session, token=first, now=NOW, limits=LIMITS) is None
    assert accounts.user_for_session(session=session, token=second, now=NOW, limits=LIMITS) is not None
    with pytest.raises(ServiceError):
        user_admin.end_login(session=session, actor=admin, user_id=member.id, login_id=one.id, now=NOW)
    staff = _user(session, "staff")
    with pytest.raises(NotFoundError):  # a login of another account
        user_admin.end_login(session=session, actor=admin, user_id=staff.id, login_id=one.id, now=NOW)
    assert user_admin.end_all_logins(session=session, actor=admin, user_id=member.id, now=NOW) == 2
    assert accounts.user_for_session(session=session, token=second, now=NOW, limits=LIMITS) is None
    assert accounts.user_for_session(session=session, token=old, now=NOW, limits=LIMITS) is None
    assert [c.action for c in _log(session, member)] == ["end_login", "end_login"]
    assert session.exec(select(LoginSession).where(LoginSession.ended_at.is_(None))).all() == []


def test_list_searches_filters_and_pages(session: Session, admin, make) -> None:
    member = session.exec(select(Member).where(Member.name == "戴培红")).one()
    for n in range(5):
        make.user(username=f"zz{n}", role="staff")
    accounts.start_session(session=session, user=_user(session, "agency"), now=NOW)
    _user(session, "staff").locked_until = NOW + timedelta(minutes=5)
    _user(session, "zz0").active = False
    session.flush()

    def names(**kwargs) -> list[str]:
        return [r.user.username for r in user_admin.list_users(session=session, now=NOW, **kwargs).items]

    assert names(query="戴培红") == ["member"]  # by the member's name
    assert names(query="经信") == ["agency"]  # by the agency's name
    assert names(query="zz", page_size=2, page=2) == ["zz2", "zz3"]
    assert names(role="admin") == ["admin"]
    assert names(status="locked") == ["staff"]
    assert names(status="inactive") == ["zz0"]
    assert names(query="%") == []  # a wildcard is a character here
    rows = {r.user.username: r for r in user_admin.list_users(session=session, now=NOW).items}
    assert rows["agency"].last_login == NOW and rows["zz1"].last_login is None
    assert rows["staff"].locked and not rows["agency"].locked
    assert rows["member"].member_name == member.name
