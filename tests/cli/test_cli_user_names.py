"""`tracker users create --name`: the person's name a staff or admin account shows in the header
(issue 11, item 18), and the demo seed naming its office staff."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import User


def _name(app: Flask, username: str) -> str | None:
    with Session(get_engine(app)) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        return user.display_name if user else "(no such user)"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("张三", "张三"), ("  王  芳 ", "王 芳"), ("", None)],  # whitespace collapsed; empty: the login name
)
def test_create_a_staff_account_with_a_name(app: Flask, runner, typed: str, stored: str | None) -> None:
    args = ["users", "create", "--role", "staff", "--name", typed, "--password", "s3cret-pass", "zhang"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert _name(app, "zhang") == stored
    assert result.output == f"Created user zhang (staff{f', {stored}' if stored else ''}).\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "member", "--member", "戴培红", "--name", "别名"],
            "--name is for staff and admin accounts",
        ),
        (["--role", "agency", "--agency", "镇海区经信局", "--name", "别名"], "--name is for staff and admin"),
        (["--role", "admin", "--name", "名" * 65], "a name is at most 64 characters"),
        (["--role", "admin", "--name", "王\u200b芳"], "a name cannot hold control characters"),
    ],
)
def test_a_name_that_cannot_be_used_is_refused(app: Flask, runner, args: list[str], message: str) -> None:
    result = runner.invoke(main, ["users", "create", *args, "--password", "s3cret-pass", "wrong"])
    assert result.exit_code == 1
    assert message in result.output
    assert _name(app, "wrong") == "(no such user)"  # nothing half-written


def test_the_seed_names_the_demo_office_staff(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    runner.invoke(main, ["db", "upgrade"])
    assert runner.invoke(main, ["seed"]).exit_code == 0
    assert (_name(fresh_app, "staff"), _name(fresh_app, "admin")) == ("王芳", "李明")
    assert _name(fresh_app, "member") is None  # members show their member's name


def test_seeding_again_names_demo_staff_made_before_names(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    runner.invoke(main, ["db", "upgrade"])
    runner.invoke(main, ["seed"])
    with Session(get_engine(fresh_app)) as session:
        staff = session.exec(select(User).where(User.username == "staff")).one()
        staff.display_name = None
        session.add(staff)
        session.commit()
    assert runner.invoke(main, ["seed"]).exit_code == 0
    assert _name(fresh_app, "staff") == "王芳"
