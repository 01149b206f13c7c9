"""Logins kept on the server (issue 11, item 2): a copy of the session cookie stops working once the
login ends, whether by logging out, deactivation, a new password, idling or age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.cli import main
from tracker.models import LoginSession, User
from tracker.services.accounts import deactivate_user

PASSWORDS = {"member": "member-demo", "agency": "agency-demo", "staff": "staff-demo"}
START = {"member": "/my", "agency": "/inbox", "staff": "/review"}


def _log_in(client: FlaskClient, username: str) -> str:
    """Log in through the form; returns the session cookie as a browser holds it."""
    response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 303
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """Another browser holding a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _row(session: Session, username: str) -> LoginSession:
    user = session.exec(select(User).where(User.username == username)).one()
    rows = session.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert len(rows) == 1
    return rows[0]


def _backdate(session: Session, username: str, *, created: timedelta, seen: timedelta) -> None:
    row = _row(session, username)
    now = datetime.now(UTC)
    row.created_at, row.last_seen_at = now - created, now - seen
    session.add(row)
    session.commit()


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(app: Flask, client, session) -> None:
    copied = _log_in(client, "staff")
    assert _with_cookie(app, copied).get("/review").status_code == 200
    client.post("/logout")
    assert _with_cookie(app, copied).get("/review").status_code == 302
    assert _row(session, "staff").ended_at is not None


def test_deactivating_the_account_ends_its_sessions(app: Flask, client, session) -> None:
    copied = _log_in(client, "agency")
    assert _with_cookie(app, copied).get("/inbox").status_code == 200
    deactivate_user(session=session, username="agency")
    session.commit()
    assert client.get("/inbox").status_code == 302
    assert _with_cookie(app, copied).get("/inbox").status_code == 302
    session.expire_all()
    assert _row(session, "agency").ended_at is not None


def test_a_new_password_from_the_command_line_ends_the_sessions(app: Flask, client, runner) -> None:
    copied = _log_in(client, "member")
    assert _with_cookie(app, copied).get("/my").status_code == 200
    result = runner.invoke(main, ["users", "passwd", "member", "--password", "a brand new password"])
    assert result.exit_code == 0, result.output
    assert _with_cookie(app, copied).get("/my").status_code == 302


@pytest.mark.parametrize(
    ("created", "seen", "open_"),
    [
        (timedelta(minutes=5), timedelta(minutes=5), True),
        (timedelta(minutes=119), timedelta(minutes=119), True),
        (timedelta(minutes=121), timedelta(minutes=121), False),  # idle longer than 120 minutes
        (timedelta(hours=11, minutes=59), timedelta(minutes=1), True),
        (timedelta(hours=12, minutes=1), timedelta(minutes=1), False),  # older than 12 hours, never idle
    ],
)
def test_idle_and_lifetime_limits(
    app: Flask, client, session, created: timedelta, seen: timedelta, open_: bool
) -> None:
    copied = _log_in(client, "staff")
    _backdate(session, "staff", created=created, seen=seen)
    assert _with_cookie(app, copied).get("/review").status_code == (200 if open_ else 302)
    session.expire_all()
    assert (_row(session, "staff").ended_at is None) == open_


def test_the_limits_are_settings(app: Flask, client, session) -> None:
    app.config.update(SESSION_IDLE_MINUTES=10, SESSION_LIFETIME_HOURS=1)
    copied = _log_in(client, "staff")
    _backdate(session, "staff", created=timedelta(minutes=11), seen=timedelta(minutes=11))
    assert _with_cookie(app, copied).get("/review").status_code == 302


def test_the_signed_cookie_lives_no_longer_than_a_login(app: Flask) -> None:
    assert app.config["SESSION_IDLE_MINUTES"] == 120
    assert app.permanent_session_lifetime == timedelta(hours=12)


def test_last_seen_is_written_at_most_once_a_minute(client, session) -> None:
    _log_in(client, "staff")
    _backdate(session, "staff", created=timedelta(seconds=30), seen=timedelta(seconds=30))
    before = _row(session, "staff").last_seen_at
    assert client.get("/review").status_code == 200
    session.expire_all()
    assert _row(session, "staff").last_seen_at == before  # reading a page wrote nothing
    _backdate(session, "staff", created=timedelta(minutes=3), seen=timedelta(minutes=3))
    before = _row(session, "staff").last_seen_at
    assert client.get("/review").status_code == 200
    session.expire_all()
    assert _row(session, "staff").last_seen_at > before


@pytest.mark.parametrize("value", ["{id}:0123456789abcdef", "{id}", "", "x" * 500, "\x00"])
def test_cookies_of_the_previous_scheme_are_simply_logged_out(app: Flask, session, value: str) -> None:
    """Before, the cookie held "<account id>:<password fingerprint>"; now it matches no login."""
    user = session.exec(select(User).where(User.username == "staff")).one()
    browser = app.test_client()
    with browser.session_transaction() as cookie:
        cookie["_user_id"] = value.format(id=user.id)
        cookie["_fresh"] = True
    response = browser.get("/review")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert browser.get("/").status_code == 200


def test_a_login_records_where_it_came_from(client, session) -> None:
    client.post(
        "/login",
        data={"username": "staff", "password": "staff-demo"},
        headers={"User-Agent": "Mozilla/5.0 (office PC)"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    row = _row(session, "staff")
    assert (row.user_agent, row.address) == ("Mozilla/5.0 (office PC)", "10.1.2.3")
