"""Scheduled publication (定时公开) with an injected clock: nothing of the proposal is public the second
before its moment — page, reply, Word letter, lists, search, API, page cache — and all of it is from
that moment on, with no one acting and no job run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.models import Proposal, Transition, User
from tracker.services import oversight, visibility
from tracker.services.errors import InvalidInput, LockedError, TransitionError
from tracker.services.visibility import ANONYMOUS, Role, Viewer

SET_AT = datetime(2030, 1, 1, 1, 0, tzinfo=UTC)  # when staff set the time
MOMENT = datetime(2030, 1, 2, 1, 0, tzinfo=UTC)  # 2030-01-02 09:00 in Shanghai
TITLE = "关于定时公开城市绿道规划的建议"


@pytest.fixture
def replied(session: Session, make) -> tuple[int, int]:
    """A replied proposal with its letter in force, not public (the commit indexes it)."""
    proposal = make.proposal(title=TITLE, status="replied")
    reply = make.reply(proposal, title="关于城市绿道规划建议的答复", status="issued")
    session.commit()
    return proposal.id, reply.id


@pytest.fixture
def at() -> Iterator[object]:
    """``with at(moment):`` judge publication by that moment."""
    yield lambda moment: visibility.clock(lambda: moment)


def _public_views(client: FlaskClient, proposal_id: int, reply_id: int) -> dict[str, bool]:
    """Where the public finds the proposal, each True when it shows."""
    found = {}
    found["page"] = client.get(f"/proposals/{proposal_id}").status_code == 200
    found["reply"] = client.get(f"/replies/{reply_id}").status_code == 200
    found["letter"] = client.get(f"/replies/{reply_id}/letter.docx").status_code == 200
    for url in ("/", "/proposals"):
        found[url] = TITLE in client.get(url).get_data(as_text=True)
    # search results mark the words found inside titles: look for the link instead
    found["/search?q=城市绿道规划"] = f'href="/proposals/{proposal_id}"' in client.get(
        "/search?q=城市绿道规划"
    ).get_data(as_text=True)
    groups = client.get("/api/search?q=城市绿道规划").get_json()["groups"]
    found["api"] = f"/proposals/{proposal_id}" in [g["url"] for g in groups]
    return found


def test_public_at_its_moment_and_not_a_second_before(
    app: Flask, client: FlaskClient, login, replied: tuple[int, int], at
) -> None:
    proposal_id, reply_id = replied
    public = app.test_client()
    with at(SET_AT):
        assert not any(_public_views(public, proposal_id, reply_id).values())  # and the cache keeps them
        login(client, "staff")
        response = client.post(
            f"/review/{proposal_id}/schedule-publication", data={"publish_at": "2030-01-02T09:00"}
        )
        assert response.status_code == 303
        panel = client.get(f"/review/{proposal_id}").get_data(as_text=True)
        assert "将于 2030年1月2日 09:00 公开" in panel
    with at(MOMENT - timedelta(seconds=1)):
        assert _public_views(public, proposal_id, reply_id) == dict.fromkeys(
            ("page", "reply", "letter", "/", "/proposals", "/search?q=城市绿道规划", "api"), False
        )
    with at(MOMENT):
        assert all(_public_views(public, proposal_id, reply_id).values())
    with at(MOMENT + timedelta(days=30)):
        assert all(_public_views(public, proposal_id, reply_id).values())
        timeline = public.get(f"/proposals/{proposal_id}").get_data(as_text=True)
        assert "将于 2030年1月2日 09:00 公开" in timeline


def test_schedule_rules(session: Session, replied: tuple[int, int]) -> None:
    proposal_id, _reply_id = replied
    staff_user = session.exec(select(User).where(User.username == "staff")).one()
    staff = Viewer(Role.STAFF, user_id=staff_user.id)

    def schedule(when: datetime | None, actor: Viewer = staff) -> Proposal:
        return oversight.schedule_publication(
            session=session, proposal_id=proposal_id, actor=actor, when=when, now=SET_AT
        )

    for bad in (None, SET_AT, SET_AT - timedelta(days=1)):
        with pytest.raises(InvalidInput):
            schedule(bad)
    with pytest.raises(TransitionError):
        schedule(MOMENT, actor=Viewer(Role.AGENCY, agency_id=1))
    proposal = schedule(MOMENT)
    assert visibility.is_published(proposal, MOMENT - timedelta(seconds=1)) is False
    assert visibility.is_published(proposal, MOMENT) is True
    # moved later; recorded each time
    schedule(MOMENT + timedelta(days=1))
    steps = session.exec(select(Transition).where(Transition.proposal_id == proposal_id)).all()
    assert [s.details.get("scheduled") for s in steps] == [
        MOMENT.isoformat(),
        (MOMENT + timedelta(days=1)).isoformat(),
    ]
    # publishing now replaces the time set; once public, no time can be set
    oversight.publish(session=session, proposal_id=proposal_id, actor=staff, now=SET_AT)
    assert visibility.is_published(proposal, SET_AT)
    with pytest.raises(LockedError):
        schedule(MOMENT + timedelta(days=2))
    # withholding takes it out (and would cancel a time set)
    oversight.withhold(session=session, proposal_id=proposal_id, actor=staff, reason="涉密", now=SET_AT)
    assert proposal.published_at is None
    assert visibility.visible_proposal(session=session, viewer=ANONYMOUS, proposal_id=proposal_id) is None


def test_a_proposal_without_a_reply_cannot_be_scheduled(session: Session, make) -> None:
    proposal = make.proposal(title="未答复", status="assigned")
    session.commit()
    with pytest.raises(LockedError):
        oversight.schedule_publication(
            session=session, proposal_id=proposal.id, actor=Viewer(Role.STAFF), when=MOMENT, now=SET_AT
        )


def test_a_time_that_is_not_one_is_refused(client: FlaskClient, login, replied: tuple[int, int]) -> None:
    proposal_id, _reply_id = replied
    login(client, "staff")
    response = client.post(
        f"/review/{proposal_id}/schedule-publication", data={"publish_at": "明天上午"}, follow_redirects=True
    )
    assert "请按格式填写公开的日期和时间" in response.get_data(as_text=True)
