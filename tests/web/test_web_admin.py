"""The administration pages (issue 12): sessions and the admin log, and the session choice at 立案."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from tracker.domain.drafting import Draft
from tracker.models import AdminChange, Meeting, Proposal, User
from tracker.services import drafting
from tracker.services.visibility import Role, Viewer

FORM = {
    "body": "政协",
    "organisation": "政协宁波市镇海区委员会",
    "term": "第十一届",
    "sitting": "第一次会议",
    "full_name": "",
    "short_name": "",
    "year": "2027",
    "starts_on": "2027-01-08",
    "ends_on": "2027-01-11",
    "intake": "meeting",
    "number_prefix": "",
    "is_open": "y",
}
NEW_NAME = "政协宁波市镇海区第十一届委员会第一次会议"


def _meeting(session: Session, name: str) -> Meeting:
    session.expire_all()
    return session.exec(select(Meeting).where(Meeting.name == name)).one()


def test_admin_creates_a_session_and_it_is_logged(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    response = client.post("/admin/sessions/new", data={**FORM, "make_current": "y"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/sessions")
    made = _meeting(session, NEW_NAME)
    assert (made.short_name, made.year, made.starts_on, made.is_open, made.is_current) == (
        "十一届一次",
        2027,
        date(2027, 1, 8),
        True,
        True,
    )
    listing = parse_html(client.get("/admin/sessions").data)
    assert NEW_NAME in listing.text() and "十一届一次" in listing.text()
    log = parse_html(client.get("/admin/log").data)
    rows = log.find_all("tbody")[0].find_all("tr")
    assert "设为当前会议" in rows[0].text() and "admin" in rows[0].text()  # newest first: made current
    assert "新建" in rows[1].text() and NEW_NAME in rows[1].text()
    overview = parse_html(client.get("/admin/").data).text()
    assert NEW_NAME in overview


def test_a_refused_form_comes_back_as_typed(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    count = len(session.exec(select(AdminChange)).all())
    typed = {
        **FORM,
        "organisation": "",
        "term": "",
        "full_name": "",
        "ends_on": "2027-01-01",
        "number_prefix": "Z 号",
    }
    response = client.post("/admin/sessions/new", data=typed)
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("sitting").attrs["value"] == "第一次会议"  # what was typed is kept
    assert page.by_id("ends_on").attrs["value"] == "2027-01-01"
    assert page.by_id("number_prefix").attrs["value"] == "Z 号"
    for field in ("full_name", "ends_on", "number_prefix"):
        assert page.by_id(f"{field}-errors").text(), field
    assert page.find_all(class_="form-errors")
    session.expire_all()
    assert len(session.exec(select(AdminChange)).all()) == count  # nothing written
    # a year that is not one is refused the same way
    response = client.post("/admin/sessions/new", data={**FORM, "year": "二〇二七"})
    assert response.status_code == 422
    assert parse_html(response.data).by_id("year").attrs["value"] == "二〇二七"


def test_edit_open_close_and_make_current(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    seeded = _meeting(session, "政协宁波市镇海区第十届委员会第三次会议")
    page = parse_html(client.get(f"/admin/sessions/{seeded.id}").data)
    assert page.by_id("full_name").attrs["value"] == seeded.name
    edited = {
        **FORM,
        "organisation": seeded.organisation,
        "term": seeded.term,
        "sitting": seeded.sitting,
        "full_name": seeded.name,
        "year": "",
        "starts_on": "",
        "ends_on": "",
        "number_prefix": "Z",
    }
    assert client.post(f"/admin/sessions/{seeded.id}", data=edited).status_code == 303
    assert _meeting(session, seeded.name).number_prefix == "Z"
    assert client.post(f"/admin/sessions/{seeded.id}/close").status_code == 303
    assert not _meeting(session, seeded.name).is_open
    assert client.post(f"/admin/sessions/{seeded.id}/open").status_code == 303
    assert _meeting(session, seeded.name).is_open
    client.post("/admin/sessions/new", data=FORM)
    other = _meeting(session, NEW_NAME)
    assert not other.is_current
    assert client.post(f"/admin/sessions/{other.id}/current").status_code == 303
    session.expire_all()
    assert [m.name for m in session.exec(select(Meeting).where(col(Meeting.is_current).is_(True)))] == [
        NEW_NAME
    ]
    actions = [c.action for c in session.exec(select(AdminChange).order_by(col(AdminChange.id))).all()]
    assert actions[-5:] == ["update", "close", "open", "create", "make_current"]


def test_the_log_is_paginated_and_filtered_by_kind(app, client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    seeded = _meeting(session, "政协宁波市镇海区第十届委员会第三次会议")
    for _ in range(3):
        client.post(f"/admin/sessions/{seeded.id}/close")
        client.post(f"/admin/sessions/{seeded.id}/open")
    app.config["ADMIN_LOG_PAGE_SIZE"] = 3
    first = parse_html(client.get("/admin/log?kind=session").data)
    assert len(first.find_all("tbody")[0].find_all("tr")) == 3
    assert (
        "共 3 页" in first.text()
        or "第 1 页，共 3 页" in first.text()
        or "3" in first.find_all(class_="page-status")[0].text()
    )
    last = parse_html(client.get("/admin/log?kind=session&page=3").data)
    assert "新建" in last.find_all("tbody")[0].find_all("tr")[-1].text()  # the oldest: the seed's create
    assert client.get("/admin/log?kind=nonsense").status_code == 200  # an unknown kind: no filter


@pytest.fixture
def submitted_id(session: Session) -> int:
    user = session.exec(select(User).where(User.username == "member")).one()
    saved = drafting.create(
        session=session,
        author=Viewer(Role.MEMBER, member_id=user.member_id, user_id=user.id),
        draft=Draft(
            title="关于停车的建议", category="其他", background="背景。", suggestions=["建议一。内容。"]
        ),
        form_token="f" * 32,
        submit=True,
        categories=["其他"],
        today=date(2026, 1, 5),
    )
    session.commit()
    return saved.proposal.id


def test_accept_offers_open_sessions_with_the_current_one_chosen(
    client, login, session: Session, submitted_id: int, parse_html
) -> None:
    login(client, "admin")
    client.post("/admin/sessions/new", data={**FORM, "make_current": "y"})  # open and current
    client.post("/admin/sessions/new", data={**FORM, "sitting": "第二次会议", "is_open": ""})  # closed
    login(client, "staff")
    page = parse_html(client.get(f"/review/{submitted_id}").data)
    form = next(f for f in page.find_all("form") if f.attrs["action"].endswith("/accept"))
    options = form.find_all("option")
    assert [o.text() for o in options] == [NEW_NAME, "政协宁波市镇海区第十届委员会第三次会议"]
    assert [o.text() for o in options if "selected" in o.attrs] == [NEW_NAME]


def test_accept_into_a_closed_session_is_refused_on_the_server(
    client, login, session: Session, submitted_id: int
) -> None:
    login(client, "admin")
    client.post("/admin/sessions/new", data={**FORM, "is_open": ""})
    closed = _meeting(session, NEW_NAME)
    login(client, "staff")
    response = client.post(
        f"/review/{submitted_id}/accept", data={"meeting": closed.id}, follow_redirects=True
    )
    assert "该会议现不受理提案，请选择开放的会议。" in response.get_data(as_text=True)
    session.expire_all()
    proposal = session.get(Proposal, submitted_id)
    assert (proposal.status, proposal.number, proposal.meeting_id) == ("submitted", None, None)
    response = client.post(
        f"/review/{submitted_id}/accept",
        data={"meeting": _meeting(session, "政协宁波市镇海区第十届委员会第三次会议").id},
    )
    session.expire_all()
    proposal = session.get(Proposal, submitted_id)
    assert proposal.status == "accepted" and proposal.number is not None
