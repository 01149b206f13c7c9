"""Acceptance of issue 15's following and alerts, against a real SMTP server on loopback (aiosmtpd)
and the real feed: a saved search's daily digest and its Atom feed (parsed with feedparser) contain a
newly published matching proposal and never an unpublished one; a follow of an agency likewise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
from flask import Flask
from sqlmodel import Session, select

# the loopback SMTP server and the app sending to it, as the notification mail tests have them
from tests.services.test_notifications_mail import OFFICE, SmtpServer, mail_app, smtp  # noqa: F401
from tracker.cli import main
from tracker.db import get_engine
from tracker.models import Agency, Follow, Notification, Proposal, Reply, Suggestion, User
from tracker.services import follows, notifications, oversight
from tracker.services.visibility import Role, Viewer

NOW = datetime.now(UTC)
TODAY = NOW.astimezone(OFFICE).date()


def _proposal(session: Session, title: str, agency_id: int) -> Proposal:
    """A replied proposal with a suggestion and its reply in force, ready to be published."""
    proposal = Proposal(title=title, status="replied", original_text=f"{title}。", category="城乡建设")
    session.add(proposal)
    session.flush()
    session.add(Suggestion(proposal_id=proposal.id, position=0, n=1, text=f"{title}：简化审批，加大补助。"))
    session.add(Reply(proposal_id=proposal.id, agency_id=agency_id, status="issued", title="答复"))
    session.flush()
    return proposal


def _digests(server: SmtpServer, address: str) -> list[str]:
    return [
        m.get_content()
        for m in server.inbox.messages
        if m["X-Tracker-Kind"] == "digest" and m["X-Test-Rcpt"] == address
    ]


def test_a_saved_search_and_a_follow_reach_the_digest_and_the_feed(
    mail_app: Flask,  # noqa: F811
    smtp: SmtpServer,  # noqa: F811
) -> None:
    engine = get_engine(mail_app)
    with Session(engine) as session:
        users = {u.username: u for u in session.exec(select(User)).all()}
        member, clerk = users["member"], users["agency"]
        notifications.set_email(session=session, user=member, email="member@example.cn")
        notifications.set_email(session=session, user=clerk, email="agency@example.cn")
        commerce = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
        made_at = NOW - timedelta(hours=3)
        saved = follows.save_search(
            session=session, user_id=member.id, name="加装电梯", query="加装电梯", filters={}, now=made_at
        )
        follows.follow(
            session=session, user_id=clerk.id, kind="agency", target_id=commerce.id, name=None, now=made_at
        )
        token, clerk_token = (
            saved.token,
            session.exec(select(Follow.token).where(Follow.user_id == clerk.id)).one(),
        )
        public = _proposal(session, "关于老旧小区加装电梯的建议", commerce.id)
        hidden = _proposal(session, "关于学校加装电梯的建议", commerce.id)  # replied, never published
        session.commit()
        public_id, hidden_id = public.id, hidden.id
        staff = Viewer(Role.STAFF, user_id=users["staff"].id)
        oversight.publish(session=session, proposal_id=public_id, actor=staff, now=NOW - timedelta(hours=1))
        session.commit()

    runner = mail_app.test_cli_runner()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    for _ in range(3):  # run as often as cron likes: each item is told once
        result = runner.invoke(main, ["remind", "--today", tomorrow])
        assert result.exit_code == 0, result.output

    for address in ("member@example.cn", "agency@example.cn"):
        digests = _digests(smtp, address)
        assert len(digests) == 1, address
        assert "关于老旧小区加装电梯的建议" in digests[0]
        assert "关于学校加装电梯的建议" not in digests[0]
        assert f"/proposals/{public_id}" in digests[0]
    # nobody else was sent a digest of it
    assert {m["X-Test-Rcpt"] for m in smtp.inbox.messages if m["X-Tracker-Kind"] == "digest"} <= {
        "member@example.cn",
        "agency@example.cn",
        "admin@example.cn",
    }

    # the feeds, read as a feed reader does (no login)
    client = mail_app.test_client()
    for feed_token in (token, clerk_token):
        response = client.get(f"/feeds/{feed_token}.atom")
        assert response.status_code == 200
        assert response.mimetype == "application/atom+xml"
        feed = feedparser.parse(response.data)
        assert not feed.bozo, feed.bozo_exception
        links = [e.link for e in feed.entries]
        assert f"http://localhost/proposals/{public_id}" in links
        assert f"http://localhost/proposals/{hidden_id}" not in links
        entry = feed.entries[links.index(f"http://localhost/proposals/{public_id}")]
        assert entry.title == "关于老旧小区加装电梯的建议"
        assert "简化审批" in entry.summary
        assert entry.updated_parsed is not None
    with Session(engine) as session:
        assert {n.proposal_id for n in session.exec(select(Notification)).all() if n.kind == "followed"} == {
            public_id
        }
