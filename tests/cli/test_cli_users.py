"""tracker users create / passwd, and the demo accounts of `tracker seed` (development only)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import User
from tracker.services.accounts import authenticate


def _user(app: Flask, username: str) -> User | None:
    with Session(get_engine(app)) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is not None:
            session.expunge(user)
        return user


def test_create_an_agency_account(app: Flask, runner) -> None:
    result = runner.invoke(
        main,
        [
            "users",
            "create",
            "--role",
            "agency",
            "--agency",
            "镇海区经信局",
            "--password",
            "s3cret-pass",
            "li",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created user li (agency for 镇海区经信局).\n"
    with Session(get_engine(app)) as session:
        assert authenticate(session=session, username="li", password="s3cret-pass") is not None


def test_create_says_when_it_adds_a_member(runner) -> None:
    result = runner.invoke(
        main,
        ["users", "create", "--role", "member", "--member", "新委员", "--password", "s3cret-pass", "xin"],
    )
    assert result.output == "Created user xin (member for member 新委员 (new member)).\n"


def test_the_password_is_asked_for_twice_when_not_given(app: Flask, runner) -> None:
    result = runner.invoke(
        main, ["users", "create", "--role", "staff", "zhou"], input="long enough\nlong enough\n"
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "zhou").role == "staff"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "create", "--password", "long enough", "x1"], "Error: choose a role with --role"),
        (
            ["users", "create", "--role", "boss", "--password", "long enough", "x1"],
            "Error: unknown role 'boss'",
        ),
        (
            ["users", "create", "--role", "agency", "--password", "long enough", "x1"],
            "Error: an agency account needs",
        ),
        (
            ["users", "create", "--role", "staff", "--password", "short", "x1"],
            "Error: The password needs at least 8",
        ),
        (
            ["users", "create", "--role", "staff", "--password", "long enough", "staff"],
            "Error: a user called 'staff'",
        ),
        (["users", "passwd", "--password", "long enough", "nobody"], "Error: no user called 'nobody'"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(runner, args: list[str], message: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_passwd(app: Flask, runner) -> None:
    result = runner.invoke(main, ["users", "passwd", "--password", "brand new pass", "member"])
    assert result.exit_code == 0 and result.output == "Password of member changed.\n"
    with Session(get_engine(app)) as session:
        assert authenticate(session=session, username="member", password="member-demo") is None
        assert authenticate(session=session, username="member", password="brand new pass") is not None


def test_seed_creates_the_demo_accounts_once(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    runner.invoke(main, ["db", "upgrade"])
    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    assert "Demo accounts created: member, agency, staff, admin" in first.output
    assert len(first.output.strip().splitlines()) == 1
    assert _user(fresh_app, "member").member_id is not None
    second = runner.invoke(main, ["seed"])
    assert "Demo accounts" not in second.output


def test_seed_refuses_to_run_in_production(fresh_app: Flask) -> None:
    fresh_app.config["TRACKER_ENV"] = "production"
    runner = fresh_app.test_cli_runner()
    runner.invoke(main, ["db", "upgrade"])
    result = runner.invoke(main, ["seed"])
    assert result.exit_code == 1
    assert "TRACKER_ENV=production" in result.stderr
    assert _user(fresh_app, "admin") is None


def test_the_cli_refuses_production_with_the_development_key(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    monkeypatch.setenv("TRACKER_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["db", "current"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: TRACKER_ENV=production needs TRACKER_SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1


def test_deactivate_an_account(app: Flask, runner) -> None:
    result = runner.invoke(main, ["users", "deactivate", "agency"])
    assert result.exit_code == 0, result.output
    assert result.output == "User agency deactivated and logged out everywhere.\n"
    assert _user(app, "agency").active is False
    missing = runner.invoke(main, ["users", "deactivate", "nobody"])
    assert missing.exit_code == 1
    assert "nobody" in missing.stderr
