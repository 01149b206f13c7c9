"""Atom feeds (issue 15): the proposals list with its filters (an agency, a category, a session), a
search, and a saved search by its token; parsed with feedparser. Public proposals only, whoever asks;
text escaped; every list page names its feed in <head>."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from tracker.models import Agency, Category, Follow, Meeting, Proposal, User
from tracker.services import oversight
from tracker.services.visibility import Role, Viewer

NOW = datetime.now(UTC)


@pytest.fixture
def world(session: Session, make) -> dict[str, Any]:
    """Two proposals on lifts in one session, category and agency: one published, one not; and a
    published one elsewhere."""
    users = {u.username: u for u in session.exec(select(User)).all()}
    staff = Viewer(Role.STAFF, user_id=users["staff"].id)
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    category = session.exec(select(Category).where(col(Category.active).is_(True))).first()
    meeting = make.meeting(name="第十届第四次会议", year=2026, number_prefix=None)
    other_meeting = make.meeting(name="第十届第五次会议", year=2027)

    def proposal(title: str, number: int, where: Meeting, agency_id: int, category_name: str) -> Proposal:
        row = make.proposal(
            title=title, status="replied", number=number, meeting_id=where.id, category=category_name
        )
        make.suggestion(row, text=f"{title}：简化审批流程，加大财政补助。")
        make.reply(row, agency_id=agency_id, status="issued", role="lead")
        return row

    public = proposal("关于老旧小区加装电梯的建议", 12, meeting, agency.id, category.name)
    hidden = proposal("关于学校加装电梯的建议", 13, meeting, agency.id, category.name)
    elsewhere = proposal("关于垃圾分类的建议", 14, other_meeting, make.agency(name="区测试局").id, "其他以外")
    session.commit()
    for row in (public, elsewhere):
        oversight.publish(session=session, proposal_id=row.id, actor=staff, now=NOW - timedelta(hours=1))
    session.commit()
    return {
        "public": public.id,
        "hidden": hidden.id,
        "elsewhere": elsewhere.id,
        "agency": agency.id,
        "category": category.id,
        "session": meeting.id,
        "users": users,
    }


def _feed(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def _ids(feed: Any) -> set[int]:
    return {int(e.link.rsplit("/", 1)[1]) for e in feed.entries}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"public", "elsewhere"}),
        ("?agency={agency}", {"public"}),
        ("?category={category}", {"public"}),
        ("?session={session}", {"public"}),
        ("?category=999999", set()),  # a category that does not exist lists nothing
        (
            "?session=abc",
            {"public", "elsewhere"},
        ),  # a filter that cannot be read is no filter, as on the list
    ],
)
@pytest.mark.parametrize("role", [None, "staff", "member"])
def test_the_proposals_feed_shows_public_proposals_only(
    app: Flask,
    client: FlaskClient,
    login,
    world: dict[str, Any],
    query: str,
    expected: set[str],
    role: str | None,
) -> None:
    if role:
        login(client, role)  # staff see everything on the pages; the feed is the public's all the same
    feed = _feed(client, "/proposals/feed.atom" + query.format(**world))
    wanted = {world[name] for name in expected}
    assert _ids(feed) & {world["public"], world["hidden"], world["elsewhere"]} == wanted
    assert world["hidden"] not in _ids(feed)


def test_an_entry_has_its_title_case_number_link_date_and_summary(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    feed = _feed(client, "/proposals/feed.atom?session={session}".format(**world))
    assert feed.feed.title.startswith("提案")
    assert any(link.rel == "alternate" and "/proposals?session=" in link.href for link in feed.feed.links)
    (entry,) = feed.entries
    assert entry.link == f"http://localhost/proposals/{world['public']}"
    assert "第12号" in entry.title and "关于老旧小区加装电梯的建议" in entry.title
    assert [t.term for t in entry.tags] == ["第12号"]
    assert entry.summary.startswith("关于老旧小区加装电梯的建议：简化审批流程")
    assert abs(datetime(*entry.updated_parsed[:6], tzinfo=UTC) - (NOW - timedelta(hours=1))) < timedelta(
        seconds=2
    )


def test_a_search_feed_finds_public_proposals_only(client: FlaskClient, world: dict[str, Any]) -> None:
    feed = _feed(client, "/search/feed.atom?q=加装电梯")
    assert _ids(feed) == {world["public"]}
    assert _ids(_feed(client, "/search/feed.atom?q=电梯&session={session}".format(**world))) == {
        world["public"]
    }
    assert _ids(_feed(client, "/search/feed.atom")) == set()  # nothing asked, nothing found


def test_text_is_escaped_and_characters_xml_cannot_carry_are_dropped(
    session: Session, make, client: FlaskClient, world: dict[str, Any]
) -> None:
    proposal = session.get(Proposal, world["public"])
    proposal.title = "<script>alert(1)</script> & 电梯\x0b"
    session.add(proposal)
    session.commit()
    response = client.get("/proposals/feed.atom?session={session}".format(**world))
    body = response.get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body
    feed = feedparser.parse(response.data)
    assert not feed.bozo
    assert feed.entries[0].title == "第12号 <script>alert(1)</script> & 电梯"


def test_a_saved_search_has_a_feed_by_its_token_without_login(
    app: Flask, client: FlaskClient, login, session: Session, world: dict[str, Any]
) -> None:
    login(client, "member")
    response = client.post("/follows/searches", data={"q": "加装电梯", "name": "电梯"})
    assert response.status_code == 303
    token = session.exec(select(Follow.token)).one()
    assert len(token) >= 32
    reader = app.test_client()  # a feed reader: no cookie
    feed = _feed(reader, f"/feeds/{token}.atom")
    assert feed.feed.title == "电梯"
    assert _ids(feed) == {world["public"]}
    # a new address: the old one stops working
    follow_id = session.exec(select(Follow.id)).one()
    assert client.post(f"/follows/{follow_id}/feed").status_code == 303
    assert reader.get(f"/feeds/{token}.atom").status_code == 404
    for bad in ("nope", "x" * 300, "%00"):
        assert reader.get(f"/feeds/{bad}.atom").status_code == 404


def test_a_follows_feed_of_an_agency(app: Flask, client: FlaskClient, login, session: Session, world) -> None:
    login(client, "agency")
    assert client.post("/follows", data={"kind": "agency", "target": str(world["agency"])}).status_code == 303
    token = session.exec(select(Follow.token)).one()
    assert _ids(_feed(app.test_client(), f"/feeds/{token}.atom")) == {world["public"]}


def test_list_pages_name_their_feeds_in_head(client: FlaskClient, get_page, world: dict[str, Any]) -> None:
    page = get_page("/proposals?session={session}".format(**world))
    (link,) = page.find_all("link", rel="alternate", type="application/atom+xml")
    assert link.attrs["href"] == "/proposals/feed.atom?session={session}".format(**world)
    assert _ids(_feed(client, link.attrs["href"])) == {world["public"]}
    page = get_page("/search?q=电梯")
    (link,) = page.find_all("link", rel="alternate", type="application/atom+xml")
    assert link.attrs["href"].startswith("/search/feed.atom?q=")
    assert _ids(_feed(client, link.attrs["href"])) == {world["public"]}
    assert get_page("/search").find_all("link", rel="alternate") == []  # no search, no feed
