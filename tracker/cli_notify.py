"""``tracker mail send`` and ``tracker remind`` (issue 15): the mail queue and the daily run.

``tracker remind`` is meant to run once a day (cron or a systemd timer; see README): it queues the
daily digests, makes the deadline reminders that are due (each point once per assignment, however
often it runs) and sends the queue. Running it again the same day sends nothing twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from tracker import mail
from tracker.db import analyze, get_engine, session_scope
from tracker.domain.notifications import ReminderPlan, parse_days
from tracker.search import get_backend
from tracker.services import commitments, follows, notifications

mail_group = AppGroup("mail", help="The e-mail queue: send what is waiting.")


def _require_server() -> None:
    if not mail.configured(current_app):
        raise click.ClickException("MAIL_SERVER is not set: the mail stays queued (see README, settings).")


def _let_the_sender_finish() -> None:
    """The commits above woke the background sender, which may have claimed some of the mail this
    command would have sent: wait for it, so the command ends with the mail sent (or failed)."""
    background = mail.sender(current_app)
    if background is not None:
        background.wait_idle(timeout=2 * float(current_app.config["MAIL_TIMEOUT"]) + 5)


@mail_group.command("send")
@click.option("--due", is_flag=True, help="Only what is due (respect the wait after a failure).")
def mail_send(due: bool) -> None:
    """Send the queued e-mail now (by default all of it, also what failed before)."""
    _require_server()
    result = mail.send_queued(current_app, everything=not due)
    _let_the_sender_finish()
    click.echo(result.summary())
    if result.failed:
        raise SystemExit(1)


def _plan() -> ReminderPlan:
    config = current_app.config
    return ReminderPlan(
        before=parse_days(config["REMINDER_DAYS_BEFORE"], "REMINDER_DAYS_BEFORE"),
        overdue_every=int(config["REMINDER_OVERDUE_EVERY_DAYS"]),
    )


@click.command("remind")
@click.option(
    "--today", "day", default=None, help="Act as on this day, YYYY-MM-DD (default: today in the office)."
)
@with_appcontext
def remind_command(day: str | None) -> None:
    """Daily: new public items of saved searches and follows, digests, deadline and commitment
    reminders, then send the queue."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    now = datetime.now(UTC)
    try:
        today = date.fromisoformat(day) if day else now.astimezone(zone).date()
    except ValueError:
        raise click.ClickException(f"--today: not a date: {day!r} (YYYY-MM-DD)") from None
    start_of_day = datetime.combine(today, time(0), tzinfo=zone)
    with session_scope(current_app) as session:
        # first, so what became public yesterday is in today's digest
        matched = follows.match(session=session, backend=get_backend(), now=now)
        digests = notifications.queue_digests(session=session, before=start_of_day, now=now)
        reminded = notifications.remind(session=session, today=today, plan=_plan(), now=now)
        promised = commitments.remind(session=session, today=today, plan=_plan(), now=now)
    click.echo(f"Follows: {matched.follows} looked at, {matched.notified} notifications of new public items.")
    if matched.failed:
        click.echo(
            f"  {matched.failed} saved searches failed (the index did not answer): tried again next run."
        )
    click.echo(f"Digests queued: {digests}.")
    click.echo(f"Reminders: {len(reminded)} ({sum(r.notified for r in reminded)} notifications).")
    for row in reminded:
        click.echo(f"  assignment {row.assignment_id}: {row.point}")
    click.echo(f"Commitment reminders: {len(promised)} ({sum(r.notified for r in promised)} notifications).")
    for done in promised:
        click.echo(f"  commitment {done.commitment_id}: {done.point}")
    if mail.configured(current_app):
        click.echo(mail.send_queued(current_app).summary())
        _let_the_sender_finish()
    else:
        click.echo("MAIL_SERVER is not set: the mail stays queued.")
    analyze(get_engine(current_app))  # daily: the planner's statistics keep up with the archive
