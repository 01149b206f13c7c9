"""E-mail (issue 15): notifications rendered for reading, and the mail queue sent over SMTP with
Flask-Mailman, after commit and never in the request's way.

tracker.services.notifications writes the outbox rows in the transaction of what they tell. Once
that transaction commits, the engine's ``Sender`` is woken and sends what is due in a background
thread (short SMTP timeout, so a slow server delays no page). A mail server that is down leaves the
row queued with its attempts counted and a growing wait (tracker.domain.notifications.retry_at);
the next commit that queues mail, ``tracker mail send`` or ``tracker remind`` sends it later. A
row is claimed before it is sent, so two servers or threads never send one mail at once.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale, gettext, ngettext
from flask_mailman import EmailMessage, Mail
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from tracker.db import get_engine
from tracker.domain.locales import supported
from tracker.domain.notifications import MESSAGES, Kind, retry_at
from tracker.models import MailOutbox, Notification, User

log = logging.getLogger(__name__)

mail = Mail()

_INFO_KEY = "tracker.mail.queued"
_SENDERS: weakref.WeakKeyDictionary[Engine, Sender] = weakref.WeakKeyDictionary()
_installed = False
_install_lock = threading.Lock()
CLAIM_SECONDS = 300  # a sender that died mid-send leaves its rows to others after this long


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)


# -- what a notification says ---------------------------------------------------------------------------


def _day(value: Any) -> str:
    from tracker.web.glossary import date_for_people  # in the locale's way (issue 15)

    try:
        return date_for_people(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def describe(row: Notification) -> str:
    """The notification's sentence in the current locale."""
    from tracker.web.labels import label  # the labels of ratings and answers live in the web layer

    params = {k: v for k, v in (row.params or {}).items()}
    params.setdefault("title", "")
    params["case"] = params.get("case") or ""
    for key in ("member", "agency", "into", "note"):
        params.setdefault(key, "")
    params["deadline"] = _day(params.get("deadline"))
    params["rating"] = str(label("rating", params["rating"])) if params.get("rating") else ""
    params["answer"] = str(label("signer_status", params["answer"])) if params.get("answer") else ""
    text = gettext(MESSAGES[Kind(row.kind)], **params)
    if row.kind == Kind.DEADLINE:
        days = int(params.get("days") or 0)
        if days > 0:
            text += " " + ngettext("%(num)d day left.", "%(num)d days left.", days)
        elif days == 0:
            text += " " + gettext("It is due today.")
        else:
            text += " " + ngettext("It is %(num)d day overdue.", "It is %(num)d days overdue.", -days)
    return text


def link(row: Notification) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + row.path


# -- the messages -----------------------------------------------------------------------------------------


def _footer() -> str:
    settings = current_app.config["BASE_URL"].rstrip("/") + "/notifications/settings"
    return gettext("To choose how you are told of each kind of event: %(url)s", url=settings)


def compose(row: MailOutbox, notices: list[Notification], user: User | None) -> EmailMessage:
    """The e-mail of one outbox row, in the current locale (the recipient's choice, else the office's)."""
    # as the header names the person: the member or agency, else the person's own name
    name = ""
    if user is not None:
        name = (
            user.member.name
            if user.member
            else user.agency.name
            if user.agency
            else user.display_name or user.username
        )
    if row.digest:
        subject = ngettext(
            "[Proposals] Your daily digest: %(num)d notification",
            "[Proposals] Your daily digest: %(num)d notifications",
            len(notices),
        )
        lines = [gettext("Hello %(name)s, since the last digest:", name=name), ""]
        for n in notices:
            lines.append(f"- {describe(n)}")
            if n.note:
                lines.append("  " + gettext("Note: %(note)s", note=n.note))
            lines.append(f"  {link(n)}")
        lines += ["", _footer()]
    else:
        notice = notices[0]
        subject = gettext("[Proposals] %(text)s", text=describe(notice))
        lines = [gettext("Hello %(name)s,", name=name), "", describe(notice)]
        if notice.note:
            lines.append(gettext("Note: %(note)s", note=notice.note))
        lines += ["", gettext("Open it: %(url)s", url=link(notice)), "", _footer()]
    # a subject is one line, whatever a title holds
    subject = " ".join(subject.split())
    return EmailMessage(
        subject=subject,
        body="\n".join(lines) + "\n",
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[row.to_address],
        # lets a mail client sort them (and the tests tell them apart)
        headers={"X-Tracker-Kind": "digest" if row.digest else notices[0].kind},
    )


# -- sending ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    waiting: int  # still queued afterwards (failed, or due later)

    def summary(self) -> str:
        return f"Sent {self.sent}, failed {self.failed}, still queued {self.waiting}."


def configured(app: Flask) -> bool:
    return bool(app.config.get("MAIL_SERVER"))


def _claim(engine: Engine, row_id: int, now: datetime) -> bool:
    table = MailOutbox.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        done = connection.execute(
            sa.update(table)
            .where(
                table.c.id == row_id,
                table.c.sent_at.is_(None),
                sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        )
    return done.rowcount == 1


def _finish(engine: Engine, row_id: int, *, error: str | None, now: datetime, base_seconds: int) -> None:
    with Session(engine) as session:
        row = session.get(MailOutbox, row_id)
        if row is None:
            return
        row.claimed_until = None
        row.attempts += 1
        if error is None:
            row.sent_at = now
            row.last_error = ""
        else:
            row.last_error = error[:500]
            row.next_attempt_at = retry_at(row.attempts, now, base_seconds)
        session.add(row)
        session.commit()


def _due_ids(engine: Engine, now: datetime, everything: bool, max_attempts: int) -> list[int]:
    with Session(engine) as session:
        query = select(MailOutbox.id).where(col(MailOutbox.sent_at).is_(None))
        if not everything:
            query = query.where(
                col(MailOutbox.next_attempt_at) <= now, col(MailOutbox.attempts) < max_attempts
            )
        return [i for i in session.exec(query.order_by(col(MailOutbox.id))).all() if i is not None]


def _waiting(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(sa.func.count()).select_from(MailOutbox).where(col(MailOutbox.sent_at).is_(None))
        ).one()


def _message(engine: Engine, row_id: int) -> EmailMessage | None:
    with Session(engine) as session:
        row = session.get(MailOutbox, row_id)
        if row is None:
            return None
        notices = list(
            session.exec(
                select(Notification)
                .where(col(Notification.id).in_(row.notification_ids or []))
                .order_by(col(Notification.created_at), col(Notification.id))
            ).all()
        )
        if not notices:  # the proposal (and so its notifications) was deleted: nothing to tell
            return None
        user = session.get(User, row.user_id) if row.user_id is not None else None
        if user is not None and supported(user.locale):
            with force_locale(user.locale):  # the language the person chose for the pages (issue 15)
                return compose(row, notices, user)
        return compose(row, notices, user)


def send_queued(app: Flask, *, everything: bool = False, now: datetime | None = None) -> SendResult:
    """Send the queued mail that is due (``everything``: all of it, whatever the wait or the number
    of attempts: an operator's ``tracker mail send``). The first failure to reach the server stops
    the run, so a server that is down costs one timeout, not one per mail."""
    engine = get_engine(app)
    moment = _aware(now or _now())
    sent = failed = 0
    config = app.config
    with app.app_context(), force_locale(config["BABEL_DEFAULT_LOCALE"]):
        ids = _due_ids(engine, moment, everything, int(config["MAIL_MAX_ATTEMPTS"]))
        connection = None
        try:
            for row_id in ids:
                if not _claim(engine, row_id, moment):
                    continue
                message = _message(engine, row_id)
                if message is None:
                    _finish(engine, row_id, error=None, now=moment, base_seconds=0)
                    continue
                try:
                    if connection is None:
                        connection = mail.get_connection(
                            host=config["MAIL_SERVER"],
                            port=int(config["MAIL_PORT"]),
                            username=config.get("MAIL_USERNAME"),
                            password=config.get("MAIL_PASSWORD"),
                            use_tls=bool(config["MAIL_USE_TLS"]),
                            use_ssl=bool(config["MAIL_USE_SSL"]),
                            timeout=float(config["MAIL_TIMEOUT"]),
                            fail_silently=False,
                        )
                        connection.open()
                    message.connection = connection
                    message.send(fail_silently=False)
                except (OSError, smtplib.SMTPException) as error:
                    failed += 1
                    text = f"{type(error).__name__}: {error}"
                    _finish(
                        engine, row_id, error=text, now=moment, base_seconds=int(config["MAIL_RETRY_SECONDS"])
                    )
                    log.warning("mail %s not sent: %s", row_id, text)
                    if not isinstance(error, smtplib.SMTPRecipientsRefused):
                        break  # the server, not this address: try the rest later
                    continue
                sent += 1
                _finish(engine, row_id, error=None, now=moment, base_seconds=0)
        finally:
            if connection is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    connection.close()
    return SendResult(sent, failed, _waiting(engine))


class Sender:
    """One background thread per app that sends the queue when a commit queued mail."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Condition()
        self._pending = False
        self._busy = False
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        with self._wake:
            self._pending = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tracker-mail", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._pending:
                    self._wake.wait(timeout=60)
                    if not self._pending:
                        self._thread = None
                        self._wake.notify_all()
                        return
                self._pending = False
                self._busy = True
            try:
                send_queued(self.app)
            except Exception:  # the thread must survive a database hiccup; the queue keeps the mail
                log.exception("sending the mail queue failed")
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is pending or being sent (tests; an orderly shutdown)."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._pending and not self._busy, timeout=timeout)


def sender(app: Flask) -> Sender | None:
    return _SENDERS.get(get_engine(app))


# -- after commit ----------------------------------------------------------------------------------------


def _after_flush(session: OrmSession, _context: Any) -> None:
    if any(isinstance(obj, MailOutbox) for obj in session.new):
        session.info[_INFO_KEY] = True


def _after_commit(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return
    if not session.info.pop(_INFO_KEY, False):
        return
    bind = session.bind
    found = _SENDERS.get(bind) if isinstance(bind, Engine) else None
    if found is not None:
        found.kick()


def _after_soft_rollback(session: OrmSession, previous_transaction: Any) -> None:
    if not previous_transaction.nested:
        session.info.pop(_INFO_KEY, None)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        event.listen(OrmSession, "after_flush", _after_flush)
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_soft_rollback", _after_soft_rollback)
        _installed = True


def init_app(app: Flask) -> None:
    mail.init_app(app)
    _install()
    if configured(app) and app.config["MAIL_SEND_AFTER_COMMIT"]:
        _SENDERS[get_engine(app)] = Sender(app)


def queued(session: Session, *, user_ids: Iterable[int] | None = None) -> list[MailOutbox]:
    """The rows still waiting (for the CLI's status line and tests)."""
    query = select(MailOutbox).where(col(MailOutbox.sent_at).is_(None))
    if user_ids is not None:
        query = query.where(col(MailOutbox.user_id).in_(list(user_ids)))
    return list(session.exec(query).all())
