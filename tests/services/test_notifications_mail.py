"""Acceptance of issue 15's notifications by e-mail, against a real SMTP server on loopback (aiosmtpd):
the whole workflow tells each person once and nobody else; a stopped mail server loses nothing;
`tracker remind` run three times in one day sends each reminder once."""

from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlmodel import Session, col, select

from tracker import mail
from tracker.cli import main
from tracker.db import get_engine
from tracker.domain.drafting import Draft
from tracker.models import Agency, Assignment, MailOutbox, Meeting, Notification, Proposal, User
from tracker.services import co_opinions, drafting, extensions, feedback, notifications, oversight, workflow
from tracker.services.visibility import Role, Viewer

OFFICE = ZoneInfo("Asia/Shanghai")


class Inbox:
    """What the SMTP server received: one parsed message per recipient."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        for rcpt in envelope.rcpt_tos:
            copy = message_from_bytes(envelope.content, policy=policy.default)
            copy["X-Test-Rcpt"] = rcpt
            self.messages.append(copy)  # type: ignore[arg-type]
        assert parsed["Subject"]
        return "250 OK"

    def received(self) -> Counter[tuple[str, str]]:
        return Counter((m["X-Test-Rcpt"], m["X-Tracker-Kind"]) for m in self.messages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(test_database, smtp: SmtpServer) -> Iterator[Flask]:
    """The app sending to the loopback server, after every commit that queues mail."""
    from tests.conftest import close_app, make_app

    app = make_app(test_database, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_TIMEOUT=5)
    yield app
    found = mail.sender(app)
    if found is not None:
        found.wait_idle()
    close_app(app)


def _settle(app: Flask) -> None:
    """Wait for the after-commit sender to finish what the last commit queued."""
    found = mail.sender(app)
    assert found is not None
    assert found.wait_idle(timeout=20)


@pytest.fixture
def world(mail_app: Flask) -> dict[str, Any]:
    """The demo accounts with addresses, a co-signer, the co-handling agency, and two bystanders."""
    with Session(get_engine(mail_app)) as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        from tracker.models import Member

        yi = Member(name="乙委员")
        bing = Member(name="丙委员")
        session.add_all([yi, bing])
        session.flush()
        commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
        fagai = session.exec(select(Agency).where(Agency.name == "镇海区发改局")).one()
        hash_ = users["member"].password_hash
        for name, role, member, agency in (
            ("yi", "member", yi.id, None),
            ("bing", "member", bing.id, None),
            ("shangwu", "agency", None, commerce.id),
            ("fagai", "agency", None, fagai.id),
        ):
            session.add(
                User(username=name, role=role, member_id=member, agency_id=agency, password_hash=hash_)
            )
        session.flush()
        users = {u.username: u for u in session.exec(select(User)).all()}
        for name in ("member", "yi", "bing", "agency", "shangwu", "fagai", "staff", "admin"):
            notifications.set_email(session=session, user=users[name], email=f"{name}@example.cn")
        # the office's clerk wants every kind at once; the admin keeps the defaults (some in the digest)
        kinds = notifications.kinds_for("staff")
        notifications.save_settings(
            session=session,
            user=users["staff"],
            email="staff@example.cn",
            channels=dict.fromkeys(kinds, "email"),
        )
        meeting = session.exec(select(Meeting)).first()
        session.commit()
        viewers = {
            name: Viewer(Role(u.role), member_id=u.member_id, agency_id=u.agency_id, user_id=u.id)
            for name, u in users.items()
        }
        return {"viewers": viewers, "meeting": meeting.id, "commerce": commerce.id, "users": users}


def _address(name: str) -> str:
    return f"{name}@example.cn"


NOW = datetime.now(UTC)
TODAY = NOW.astimezone(OFFICE).date()


def _draft() -> Draft:
    return Draft(
        title="关于加快老旧小区加装电梯的建议",
        category="其他",
        background="背景。",
        suggestions=["简化审批流程。", "加大财政补助。"],
        cosigners=["乙委员"],
    )


def _run_workflow(app: Flask, world: dict[str, Any]) -> int:
    """submit → co-sign → accept → assign → return → reassign → extension → 会办意见 → reply →
    send-back → reply → rating → publish, each step committed as a page would."""
    v = world["viewers"]
    engine = get_engine(app)

    def step(action: Any) -> Any:
        with Session(engine) as session:
            result = action(session)
            session.commit()
            value = result.id if hasattr(result, "id") else result
        _settle(app)
        return value

    proposal_id = step(
        lambda s: (
            drafting.create(
                session=s,
                author=v["member"],
                draft=_draft(),
                form_token="n" * 32,
                submit=False,
                categories=["其他"],
                today=TODAY,
            ).proposal
        )
    )
    step(
        lambda s: drafting.answer_invitation(
            session=s, proposal_id=proposal_id, member=v["yi"], confirm=True, now=NOW
        )
    )
    step(
        lambda s: drafting.submit_draft(
            session=s, proposal_id=proposal_id, author=v["member"], categories=["其他"], today=TODAY
        )
    )
    step(
        lambda s: workflow.accept(
            session=s, proposal_id=proposal_id, actor=v["staff"], today=TODAY, meeting_id=world["meeting"]
        )
    )

    def assign(s: Session) -> Any:
        return workflow.assign(
            session=s,
            proposal_ids=[proposal_id],
            actor=v["staff"],
            lead_agency_id=v["agency"].agency_id,
            co_agency_ids=[world["commerce"]],
            today=TODAY,
        )

    step(assign)
    step(
        lambda s: workflow.return_assignment(
            session=s, proposal_id=proposal_id, actor=v["shangwu"], reason="不属于我局职责。"
        )
    )
    step(assign)  # 重新交办, to the same two
    request_id = step(
        lambda s: extensions.request(
            session=s,
            proposal_id=proposal_id,
            actor=v["agency"],
            requested_deadline=TODAY + timedelta(days=120),
            reason="需要调研。",
            now=NOW,
        )
    )
    step(lambda s: extensions.grant(session=s, request_id=request_id, actor=v["staff"], now=NOW))
    step(
        lambda s: co_opinions.save_opinion(
            session=s,
            proposal_id=proposal_id,
            actor=v["shangwu"],
            text="商务局的会办意见。",
            submit=True,
            now=NOW,
        )
    )

    def reply(s: Session) -> Any:
        from tracker.models import Reply

        s.add(Reply(proposal_id=proposal_id, agency_id=v["agency"].agency_id, title="答复", status="issued"))
        s.flush()
        return workflow.mark_replied(session=s, proposal_id=proposal_id, actor=v["agency"])

    step(reply)
    step(
        lambda s: oversight.send_back(
            session=s, proposal_id=proposal_id, actor=v["staff"], note="请补充第2条。"
        )
    )
    step(reply)
    step(
        lambda s: feedback.rate(
            session=s, proposal_id=proposal_id, actor=v["member"], rating="satisfied", comment="", now=NOW
        )
    )
    step(lambda s: oversight.publish(session=s, proposal_id=proposal_id, actor=v["staff"], now=NOW))
    return proposal_id


def test_the_whole_workflow_tells_each_person_once_and_nobody_else(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    proposal_id = _run_workflow(mail_app, world)
    a = _address
    expected = Counter(
        {
            (a("yi"), "cosign_invited"): 1,
            (a("member"), "cosign_answered"): 1,
            (a("staff"), "submitted"): 1,
            (a("yi"), "submitted"): 1,  # a co-signer learns the proposal went in; the proposer did it
            (a("member"), "accepted"): 1,
            (a("yi"), "accepted"): 1,
            (a("agency"), "assigned"): 1,
            (a("shangwu"), "assigned"): 1,
            (a("staff"), "returned"): 1,
            (a("admin"), "returned"): 1,
            (a("agency"), "reassigned"): 1,
            (a("shangwu"), "reassigned"): 1,
            (a("staff"), "extension_asked"): 1,
            (a("admin"), "extension_asked"): 1,
            (a("agency"), "extension_granted"): 1,
            (a("agency"), "co_opinion"): 1,
            (a("member"), "reply_issued"): 2,  # the first reply and the corrected one
            (a("yi"), "reply_issued"): 2,
            (a("staff"), "reply_issued"): 2,
            (a("agency"), "sent_back"): 1,
            (a("agency"), "rated"): 1,
            (a("staff"), "rated"): 1,
            (a("member"), "published"): 1,
            (a("yi"), "published"): 1,
            (a("agency"), "published"): 1,
            (a("shangwu"), "published"): 1,
        }
    )
    assert smtp.inbox.received() == expected
    # the bystanders heard nothing, and nobody was told of their own step
    assert not {r for r, _k in smtp.inbox.received()} & {a("bing"), a("fagai")}
    # the messages read in Chinese and lead to the proposal
    accepted = next(m for m in smtp.inbox.messages if m["X-Tracker-Kind"] == "accepted")
    body = accepted.get_content()
    assert "立案" in str(accepted["Subject"]) or "立案" in body
    assert f"http://127.0.0.1:5000/proposals/{proposal_id}" in body

    # the admin's digest kinds come the next morning, in one mail, once
    runner = mail_app.test_cli_runner()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for _ in range(2):
        result = runner.invoke(main, ["remind", "--today", tomorrow])
        assert result.exit_code == 0, result.output
    digests = [m for m in smtp.inbox.messages if m["X-Tracker-Kind"] == "digest"]
    assert [m["X-Test-Rcpt"] for m in digests] == [a("admin")]
    lines = [line for line in digests[0].get_content().splitlines() if line.startswith("- ")]
    assert len(lines) == 4  # submitted, two replies, the rating
    # and every notification is in the app too, unread
    with Session(get_engine(mail_app)) as session:
        admin = world["users"]["admin"]
        assert notifications.unread_count(session=session, user_id=admin.id) == 6


def test_a_stopped_mail_server_loses_nothing(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    v = world["viewers"]
    engine = get_engine(mail_app)
    smtp.stop()
    with Session(engine) as session:
        saved = drafting.create(
            session=session,
            author=v["member"],
            draft=_draft(),
            form_token="m" * 32,
            submit=True,
            categories=["其他"],
            today=TODAY,
        )
        session.commit()  # the page's commit succeeds whatever the mail server does
        proposal_id = saved.proposal.id
    _settle(mail_app)
    with Session(engine) as session:
        waiting = session.exec(select(MailOutbox).where(col(MailOutbox.sent_at).is_(None))).all()
        # the invitation to 乙委员 and the submission to staff were tried once and kept
        assert sorted(r.to_address for r in waiting) == [_address("staff"), _address("yi")]
        assert {r.attempts for r in waiting} <= {0, 1} and any(r.attempts == 1 for r in waiting)
        assert all(r.last_error for r in waiting if r.attempts)
        in_app = session.exec(select(Notification).where(Notification.proposal_id == proposal_id)).all()
        assert {n.kind for n in in_app} == {"cosign_invited", "submitted"}
    assert smtp.inbox.messages == []

    smtp.start()  # back, on the same port
    result = mail_app.test_cli_runner().invoke(main, ["mail", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Sent 2, failed 0, still queued 0.")
    assert smtp.inbox.received() == Counter(
        {(_address("yi"), "cosign_invited"): 1, (_address("staff"), "submitted"): 1}
    )
    # sent is sent: another run sends nothing again
    result = mail_app.test_cli_runner().invoke(main, ["mail", "send"])
    assert result.output.startswith("Sent 0, failed 0")
    assert len(smtp.inbox.messages) == 2


def test_a_failed_mail_waits_before_it_is_retried_automatically(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    smtp.stop()
    with Session(get_engine(mail_app)) as session:
        user = world["users"]["agency"]
        notifications.notify(
            session=session,
            kind=notifications.Kind.URGED,
            users=[session.get(User, user.id)],
            proposal=None,
            params={"title": "t", "case": ""},
        )
        session.commit()
    _settle(mail_app)
    smtp.start()
    # the automatic run respects the wait after a failure; the operator's run does not
    due = mail.send_queued(mail_app)
    assert (due.sent, due.waiting) == (0, 1)
    later = mail.send_queued(mail_app, now=datetime.now(UTC) + timedelta(minutes=2))
    assert (later.sent, later.waiting) == (1, 0)
    assert smtp.inbox.received() == Counter({(_address("agency"), "urged"): 1})


def test_remind_three_times_in_a_day_sends_each_reminder_once(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    v = world["viewers"]
    engine = get_engine(mail_app)
    with Session(engine) as session:
        saved = drafting.create(
            session=session,
            author=v["member"],
            draft=Draft(
                title="关于夜间经济的建议", category="其他", background="背景。", suggestions=["建议一。"]
            ),
            form_token="r" * 32,
            submit=True,
            categories=["其他"],
            today=TODAY,
        )
        pid = saved.proposal.id
        workflow.accept(
            session=session, proposal_id=pid, actor=v["staff"], today=TODAY, meeting_id=world["meeting"]
        )
        workflow.assign(
            session=session,
            proposal_ids=[pid],
            actor=v["staff"],
            lead_agency_id=v["agency"].agency_id,
            co_agency_ids=[world["commerce"]],
            today=TODAY,
            deadline=TODAY + timedelta(days=20),
        )
        session.commit()
    _settle(mail_app)
    smtp.inbox.messages.clear()
    runner = mail_app.test_cli_runner()

    def remind_on(day: date) -> list[tuple[str, str]]:
        before = len(smtp.inbox.messages)
        for _ in range(3):
            result = runner.invoke(main, ["remind", "--today", day.isoformat()])
            assert result.exit_code == 0, result.output
        # the admin's daily digest goes out on these runs too; reminders are what this test is about
        return [
            (m["X-Test-Rcpt"], m["X-Tracker-Kind"])
            for m in smtp.inbox.messages[before:]
            if m["X-Tracker-Kind"] == "deadline"
        ]

    deadline = TODAY + timedelta(days=20)
    both = sorted([(_address("agency"), "deadline"), (_address("shangwu"), "deadline")])
    assert remind_on(deadline - timedelta(days=16)) == []  # before the first point
    assert sorted(remind_on(deadline - timedelta(days=15))) == both
    assert remind_on(deadline - timedelta(days=10)) == []  # still the 15-day point
    # the co-handling agency sends its opinion: it is not reminded any more
    with Session(engine) as session:
        co_opinions.save_opinion(
            session=session, proposal_id=pid, actor=v["shangwu"], text="意见。", submit=True, now=NOW
        )
        session.commit()
    _settle(mail_app)
    smtp.inbox.messages.clear()
    assert remind_on(deadline - timedelta(days=3)) == [(_address("agency"), "deadline")]
    assert remind_on(deadline + timedelta(days=1)) == [(_address("agency"), "deadline")]
    assert remind_on(deadline + timedelta(days=5)) == []
    assert remind_on(deadline + timedelta(days=8)) == [(_address("agency"), "deadline")]
    overdue = smtp.inbox.messages[-1].get_content()
    assert "已逾期8天" in overdue or "逾期" in overdue
    with Session(engine) as session:
        assignment = session.exec(
            select(Assignment).where(Assignment.proposal_id == pid, Assignment.role == "lead")
        ).one()
        proposal = session.get(Proposal, pid)
        assert proposal is not None and assignment.deadline == deadline


def test_an_urge_from_the_overdue_list_reaches_the_agency_and_the_timeline(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    v = world["viewers"]
    engine = get_engine(mail_app)
    with Session(engine) as session:
        saved = drafting.create(
            session=session,
            author=v["member"],
            draft=Draft(
                title="关于停车难的建议", category="其他", background="背景。", suggestions=["建议一。"]
            ),
            form_token="u" * 32,
            submit=True,
            categories=["其他"],
            today=TODAY,
        )
        pid = saved.proposal.id
        workflow.accept(
            session=session, proposal_id=pid, actor=v["staff"], today=TODAY, meeting_id=world["meeting"]
        )
        workflow.assign(
            session=session,
            proposal_ids=[pid],
            actor=v["staff"],
            lead_agency_id=v["agency"].agency_id,
            co_agency_ids=[world["commerce"]],
            today=TODAY,
        )
        session.commit()
    _settle(mail_app)
    smtp.inbox.messages.clear()
    with Session(engine) as session:
        oversight.urge(
            session=session,
            proposal_id=pid,
            actor=v["staff"],
            agency_id=world["commerce"],
            note="请于本周内报送会办意见。",
        )
        session.commit()
    _settle(mail_app)
    assert smtp.inbox.received() == Counter({(_address("shangwu"), "urged"): 1})
    assert "请于本周内报送会办意见。" in smtp.inbox.messages[0].get_content()
    with Session(engine) as session:
        steps = workflow.timeline(session=session, proposal_id=pid)
        urge = [s.transition for s in steps if s.transition.action == "urge"]
        assert len(urge) == 1 and urge[0].details["agency"] == "镇海区商务局"
        assert session.get(Proposal, pid).status == "assigned"  # it does not move the proposal


def test_mail_speaks_the_language_each_person_chose(
    mail_app: Flask, world: dict[str, Any], smtp: SmtpServer
) -> None:
    """Issue 15: an account that chose English gets its mail in English (dates too); the others in
    the office's Chinese."""
    with Session(get_engine(mail_app)) as session:
        english = session.get(User, world["users"]["agency"].id)
        english.locale = "en"
        chinese = session.get(User, world["users"]["shangwu"].id)
        notifications.notify(
            session=session,
            kind=notifications.Kind.DEADLINE,
            users=[english, chinese],
            proposal=None,
            params={"title": "河道整治", "case": "", "deadline": "2025-06-10", "days": 3},
        )
        session.commit()
    _settle(mail_app)
    by_address = {m["To"]: m for m in smtp.inbox.messages}
    english_mail, chinese_mail = by_address[_address("agency")], by_address[_address("shangwu")]
    english_body = english_mail.get_content()
    assert "10 June 2025" in english_body and "3 days left." in english_body
    assert "年" not in english_body
    han = re.compile(r"[\u4e00-\u9fff]")
    assert not han.search(str(english_mail["Subject"]).replace("河道整治", ""))  # the title is the data's own
    assert "2025年6月10日" in chinese_mail.get_content()
    assert han.search(str(chinese_mail["Subject"]).replace("河道整治", ""))
