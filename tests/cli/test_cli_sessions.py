"""tracker sessions list | add | open | close | current: one line per action, exit 1 on bad input."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlmodel import Session, col, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import AdminChange, Meeting

SEEDED = "政协宁波市镇海区第十届委员会第三次会议"
ADD = [
    "sessions",
    "add",
    "--organisation",
    "政协宁波市镇海区委员会",
    "--term",
    "第十一届",
    "--sitting",
    "第一次会议",
]
NEW = "政协宁波市镇海区第十一届委员会第一次会议"


def _meeting(app: Flask, name: str) -> Meeting:
    with Session(get_engine(app)) as session:
        meeting = session.exec(select(Meeting).where(Meeting.name == name)).one()
        session.expunge(meeting)
        return meeting


def _log(app: Flask) -> list[tuple[str, str]]:
    with Session(get_engine(app)) as session:
        rows = session.exec(select(AdminChange).order_by(col(AdminChange.id))).all()
        return [(r.actor, r.action) for r in rows]


def test_list(runner) -> None:
    result = runner.invoke(main, ["sessions", "list"])
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    assert line.endswith(f"\t{SEEDED} [十届三次] (current, open, meeting)")


def test_add_open_close_and_make_current(app: Flask, runner) -> None:
    result = runner.invoke(
        main, [*ADD, "--year", "2027", "--starts", "2027-01-08", "--prefix", "Z", "--open"]
    )
    assert result.exit_code == 0, result.output
    made = _meeting(app, NEW)
    assert result.output == f"Added session {made.id}: {NEW} [十一届一次] 2027 (open, meeting).\n"
    assert (made.number_prefix, made.is_current) == ("Z", False)

    assert runner.invoke(main, ["sessions", "close", "十一届一次"]).output == f"Closed session {NEW}.\n"
    assert runner.invoke(main, ["sessions", "close", NEW]).output == f"Session {NEW} was already closed.\n"
    assert runner.invoke(main, ["sessions", "open", str(made.id)]).output == f"Opened session {NEW}.\n"
    result = runner.invoke(main, ["sessions", "current", "十一届一次"])
    assert result.output == f"Session {NEW} is now the current session.\n"
    assert _meeting(app, NEW).is_current and not _meeting(app, SEEDED).is_current
    assert _log(app)[-4:] == [("command line", a) for a in ("create", "close", "open", "make_current")]
    listed = runner.invoke(main, ["sessions", "list"]).output.splitlines()
    assert listed[0].endswith("(current, open, meeting)") and NEW in listed[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sessions", "add"],
            "Error: Enter the session's full name (or its organisation, term and sitting).",
        ),
        (
            [*ADD, "--starts", "2027-03-02", "--ends", "2027-03-01"],
            "Error: The session cannot end before it starts.",
        ),
        ([*ADD, "--prefix", "第"], "Error: Leave out 第 and 号: the number adds them."),
        (["sessions", "add", "--full-name", SEEDED], f"Error: A session called {SEEDED} already exists."),
        (["sessions", "add", "--body", "议会", "--full-name", "x"], "Error: Choose the body: 政协 or 人大."),
        (["sessions", "close", "九届九次"], 'Error: There is no session "九届九次".'),
        (["sessions", "current", "999"], 'Error: There is no session "999".'),
        (
            [*ADD, "--starts", "2027-13-01"],
            "Error: --starts: '2027-13-01' is not a date; write it as YYYY-MM-DD",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_1(app: Flask, runner, args: list[str], message: str) -> None:
    before = _log(app)
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.stderr == f"{message}\n"
    assert "Traceback" not in result.output + result.stderr
    assert _log(app) == before  # nothing written
