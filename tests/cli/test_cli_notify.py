"""tracker mail send and tracker remind (issue 15) through the CLI runner, without a mail server:
clear one-line refusals, and reminders counted once however often the daily run runs."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import MailOutbox, Notification, ReminderSent, User


def test_mail_send_without_a_server_says_so_in_one_line(app: Flask, runner) -> None:
    result = runner.invoke(main, ["mail", "send"])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "Error: MAIL_SERVER is not set: the mail stays queued (see README, settings)."
    )


def test_remind_refuses_a_day_that_is_not_a_date(app: Flask, runner) -> None:
    result = runner.invoke(main, ["remind", "--today", "2027-02-30"])
    assert result.exit_code == 1
    assert "--today: not a date" in result.stderr and "Traceback" not in result.output


def test_remind_makes_each_reminder_once_and_keeps_the_mail_queued(
    app: Flask, runner, session: Session, assigned_case
) -> None:
    with Session(get_engine(app)) as s:
        agency = s.exec(select(User).where(User.username == "agency")).one()
        agency.email = "jxj@example.cn"
        s.add(agency)
        s.commit()
    day = (assigned_case.deadline - timedelta(days=3)).isoformat()
    outputs = [runner.invoke(main, ["remind", "--today", day]) for _ in range(3)]
    assert [r.exit_code for r in outputs] == [0, 0, 0]
    assert "Reminders: 2 (2 notifications)." in outputs[0].output  # the lead and the co-handling agency
    assert all("Reminders: 0 (0 notifications)." in r.output for r in outputs[1:])
    assert "MAIL_SERVER is not set: the mail stays queued." in outputs[0].output
    with Session(get_engine(app)) as s:
        points = s.exec(select(ReminderSent.point)).all()
        assert sorted(points) == [f"{assigned_case.deadline.isoformat()}/before-3"] * 2
        reminders = s.exec(select(Notification).where(Notification.kind == "deadline")).all()
        assert len(reminders) == 2
        queued = s.exec(select(MailOutbox).where(MailOutbox.to_address == "jxj@example.cn")).all()
        assert len(queued) == 1 and queued[0].sent_at is None  # kept for when a server is configured


def test_remind_tells_the_agency_of_a_commitment_on_its_due_day_and_when_late_once(
    app: Flask, runner, session: Session, assigned_case
) -> None:
    """Issue 16: `tracker remind` reminds of the commitments of replies, once per point."""
    from tests.services.test_commitments_service import issue_class_b

    issue_class_b(session, assigned_case)  # promises due 2025-06-30 and 2025-12-31
    session.commit()
    runs = [
        runner.invoke(main, ["remind", "--today", day]) for day in ("2025-06-30", "2025-06-30", "2025-07-01")
    ]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert "Commitment reminders: 1 (1 notifications)." in runs[0].output
    assert "2025-06-30/before-0" in runs[0].output
    assert "Commitment reminders: 0 (0 notifications)." in runs[1].output
    assert "2025-06-30/overdue-1" in runs[2].output
    with Session(get_engine(app)) as s:
        told = s.exec(select(Notification).where(Notification.kind == "commitment")).all()
        assert len(told) == 2 and {n.path for n in told} == {"/commitments"}
