"""CSRF: with protection on (as in production), a POST without a token is refused on every form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from tracker.db import get_engine
from tracker.models import AdminChange, Follow, ImportedFile, LoginSession, Meeting, Proposal, Reply, User
from tracker.services.accounts import start_session

POST_ROUTES_NEED_ARGS = {
    "proposal_id",
    "meeting_id",
    "member_id",
    "agency_id",
    "category_id",
    "token",
    "user_id",
    "login_id",
    "request_id",
    "file_id",  # issue 13: an imported file under review
    "side",
    "notification_id",
    "follow_id",  # issue 15
    "reply_id",  # issue 16: a reply's commitments; the letter a correction is about
    "commitment_id",  # issue 16
}
# issue 12, people: rows that exist in the seeded database (member 1, agency 1, category 1)
PEOPLE_ARGS = {
    "<int:member_id>": "1",
    "<int:agency_id>": "1",
    "<int:category_id>": "1",
    "<token>": "sometoken",
}


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield app


def _post_urls(
    app: Flask, proposal_id: int, meeting_id: int, user_id: int, login_id: int, reply_id: int
) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        assert set(rule.arguments) <= POST_ROUTES_NEED_ARGS, f"{rule}: teach this test its arguments"
        url = rule.rule.replace("<int:proposal_id>", str(proposal_id))
        url = url.replace("<int:meeting_id>", str(meeting_id))
        url = url.replace("<int:user_id>", str(user_id)).replace("<int:login_id>", str(login_id))
        for argument, value in PEOPLE_ARGS.items():
            url = url.replace(argument, value)
        url = url.replace("<int:file_id>", "1").replace("<any(proposal, reply):side>", "proposal")
        url = url.replace("<int:notification_id>", "1")  # issue 15
        url = url.replace("<int:follow_id>", "1")  # issue 15
        url = url.replace("<int:reply_id>", str(reply_id))  # issue 16: the published letter
        url = url.replace("<int:commitment_id>", "1")  # issue 16
        urls.append(url.replace("<int:request_id>", "1"))  # refused before any request is looked up
    return urls


@pytest.mark.parametrize("role", [None, "member", "agency", "staff", "admin"])
def test_every_post_without_a_token_is_refused(
    csrf_app: Flask, client, login, role: str | None, review_case
) -> None:
    with Session(get_engine(csrf_app)) as session:
        # the account pages act on the demo member, whose login is open
        member = session.exec(select(User).where(User.username == "member")).one()
        start_session(session=session, user=member, now=datetime.now(UTC))
        session.commit()
        member_before = (member.active, member.role, member.password_hash, member.locked_until)
        member_id = member.id
        open_login = session.exec(select(LoginSession).where(LoginSession.user_id == member_id)).one()
    with Session(get_engine(csrf_app)) as session:
        proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
        before = (proposal.status, proposal.published_at)
        meeting = session.get(Meeting, proposal.meeting_id)
        meeting_before = (meeting.name, meeting.is_open, meeting.is_current)
        log_before = session.exec(select(func.count()).select_from(AdminChange)).one()
        reply = session.exec(select(Reply).where(Reply.proposal_id == proposal.id)).first()
        reply_before = (reply.id, reply.status, reply.original_text)
    if role:
        login(client, role)
    urls = _post_urls(csrf_app, proposal.id, meeting.id, member_id, open_login.id, reply.id)
    assert f"/replies/{reply.id}/correct" in urls and f"/proposals/{proposal.id}/holding" in urls
    assert f"/admin/sessions/{meeting.id}/close" in urls  # the admin's forms are among them
    assert f"/admin/users/{member_id}/deactivate" in urls and f"/admin/users/{member_id}/password" in urls
    assert "/review/imports/upload" in urls  # the archive upload (issue 13)
    assert "/commitments/1/report" in urls and "/replies/1/commitments" in urls  # issue 16
    assert len(urls) >= 15  # every form of the app (login, proposals, review, inbox, …)
    assert f"/review/imports/{review_case.both_id}/boundaries/proposal" in urls  # issue 13
    for url in urls:
        response = client.post(
            url,
            data={
                "note": "理由",
                "title": "标题",
                "username": "staff",
                "password": "staff-demo",
                "locale": "en",
            },
        )
        assert response.status_code == 400, url
        assert "表单已失效" in response.get_data(as_text=True), url
    with Session(get_engine(csrf_app)) as session:
        proposal = session.get(Proposal, proposal.id)
        assert (proposal.status, proposal.published_at) == before
        meeting = session.get(Meeting, meeting.id)
        assert (meeting.name, meeting.is_open, meeting.is_current) == meeting_before
        assert session.exec(select(func.count()).select_from(AdminChange)).one() == log_before
        member = session.get(User, member_id)
        assert (member.active, member.role, member.password_hash, member.locked_until) == member_before
        assert session.get(LoginSession, open_login.id).ended_at is None
        corrected = session.get(Reply, reply_before[0])
        assert (corrected.id, corrected.status, corrected.original_text) == reply_before
        assert member.locale is None  # issue 15: the language switch changed nothing
        imported = session.get(ImportedFile, review_case.both_id)
        assert (imported.state, imported.found.get("corrections")) == ("review", None)
        assert session.exec(select(func.count()).select_from(Follow)).one() == 0  # issue 15


def test_a_token_from_the_page_is_accepted(csrf_app: Flask, client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token is not None
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "username": "staff", "password": "staff-demo"}
    )
    assert response.status_code == 303
    assert client.post("/logout").status_code == 400  # and the next form needs its own token


def test_every_post_form_in_the_templates_carries_a_token() -> None:
    """A form added without a token would be refused in production: catch it here."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S | re.I):
            assert "csrf_token" in form or "csrf_input()" in form, f"{path.name}: a POST form without a token"
