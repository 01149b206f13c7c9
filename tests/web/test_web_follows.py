"""The follows pages (issue 15): saving a search from /search, following from the lists and the follows
page, renaming and deleting; a form that fails comes back as typed; nobody reaches another's follows."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.models import Agency, Category, Follow, Meeting


def _rows(session: Session) -> list[Follow]:
    session.expire_all()
    return list(session.exec(select(Follow).order_by(Follow.id)).all())


@pytest.mark.parametrize("role", ["member", "agency", "staff", "admin"])
def test_any_account_saves_the_search_it_sees(
    client: FlaskClient, login, get_page, session: Session, role: str
) -> None:
    login(client, role)
    page = get_page("/search?q=电梯&category=其他&status=bogus")
    (form,) = page.find_all("form", class_="save-search")
    data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    assert (data["q"], data["category"]) == ("电梯", "其他")
    assert "status" not in data  # what the page did not read is not saved either
    data["name"] = "  电梯  提案 "
    response = client.post(form.attrs["action"], data=data)
    assert response.status_code == 303
    (row,) = _rows(session)
    assert (row.kind, row.name, row.query, row.filters) == (
        "search",
        "电梯 提案",
        "电梯",
        {"category": ["其他"]},
    )
    page = get_page("/follows")
    assert "电梯 提案" in page.by_id(f"follow-{row.id}").text()


def test_a_search_saved_without_a_name_is_named_by_its_words(client: FlaskClient, login, session) -> None:
    login(client, "member")
    assert client.post("/follows/searches", data={"q": "加装 电梯", "name": ""}).status_code == 303
    assert _rows(session)[0].name == "加装 电梯"


def test_a_save_that_fails_comes_back_as_typed(client: FlaskClient, login, parse_html, session) -> None:
    login(client, "member")
    typed = "名" * 81
    response = client.post("/follows/searches", data={"q": "电梯", "category": "其他", "name": typed})
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("pending-name").attrs["value"] == typed
    assert page.by_id("pending-name").attrs["aria-invalid"] == "true"
    (form,) = [f for f in page.find_all("form") if f.attrs.get("action") == "/follows/searches"]
    kept = {(i.attrs["name"], i.attrs.get("value")) for i in form.find_all("input", type="hidden")}
    assert {("q", "电梯"), ("category", "其他")} <= kept
    assert "81" in page.text()
    response = client.post("/follows/searches", data={"q": "", "name": "空的"})
    assert response.status_code == 422
    assert _rows(session) == []


def test_a_rename_that_fails_comes_back_as_typed(client: FlaskClient, login, parse_html, session) -> None:
    login(client, "member")
    client.post("/follows/searches", data={"q": "电梯", "name": "电梯"})
    (row,) = _rows(session)
    response = client.post(f"/follows/{row.id}/rename", data={"name": "   "})
    assert response.status_code == 422
    assert parse_html(response.data).by_id(f"name-{row.id}").attrs["value"] == "   "
    assert client.post(f"/follows/{row.id}/rename", data={"name": "加装电梯"}).status_code == 303
    assert _rows(session)[0].name == "加装电梯"


def test_following_from_the_proposals_list_and_back(client: FlaskClient, login, get_page, session) -> None:
    agency = session.exec(select(Agency)).first()
    meeting = session.exec(select(Meeting)).first()
    url = f"/proposals?session={meeting.id}&agency={agency.id}"
    assert get_page(url).find_all("div", class_="follow-buttons") == []  # visitors are not offered it
    login(client, "member")
    forms = get_page(url).find_all("form", action="/follows")
    assert sorted(f.find_all("input", name="kind")[0].attrs["value"] for f in forms) == ["agency", "session"]
    for form in forms:
        data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
        response = client.post("/follows", data=data)
        assert response.status_code == 303
        assert response.headers["Location"] == url
    assert sorted((r.kind, r.target_id) for r in _rows(session)) == [
        ("agency", agency.id),
        ("session", meeting.id),
    ]
    page = get_page(url)
    assert page.find_all("form", action="/follows") == []
    assert agency.name in page.find_all("div", class_="follow-buttons")[0].text()


def test_following_from_the_follows_page_and_a_narrowed_search(
    client: FlaskClient, login, get_page, session
) -> None:
    login(client, "agency")
    category = session.exec(select(Category).where(Category.name == "其他")).one()
    page = get_page("/search?q=建议&category=其他")
    (form,) = [f for f in page.find_all("form", action="/follows")]
    data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    assert (data["kind"], data["target"]) == ("category", str(category.id))
    assert client.post("/follows", data=data).status_code == 303
    page = get_page("/follows")
    # what is followed already is not offered again
    options = [o.attrs["value"] for o in page.by_id("follow-category").find_all("option")]
    assert str(category.id) not in options
    agency_id = page.by_id("follow-agency").find_all("option")[0].attrs["value"]
    assert client.post("/follows", data={"kind": "agency", "target": agency_id}).status_code == 303
    assert len(_rows(session)) == 2


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "agency", "target": "999999"},
        {"kind": "agency", "target": "abc"},
        {"kind": "search", "target": "1"},
        {"kind": "planet", "target": "1"},
        {},
    ],
)
def test_following_what_is_not_there_is_404(client: FlaskClient, login, session, data: dict) -> None:
    login(client, "member")
    assert client.post("/follows", data=data).status_code == 404
    assert _rows(session) == []


def test_a_next_address_off_the_site_is_not_followed(client: FlaskClient, login, session) -> None:
    login(client, "member")
    agency = session.exec(select(Agency)).first()
    response = client.post(
        "/follows", data={"kind": "agency", "target": agency.id, "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/follows"


def test_nobody_touches_another_accounts_follows(client: FlaskClient, login, get_page, session) -> None:
    login(client, "member")
    client.post("/follows/searches", data={"q": "电梯", "name": "戴的电梯"})
    (row,) = _rows(session)
    login(client, "agency")
    assert "戴的电梯" not in get_page("/follows").text()
    for action, data in (("rename", {"name": "改"}), ("feed", {}), ("delete", {})):
        assert client.post(f"/follows/{row.id}/{action}", data=data).status_code == 404
    assert _rows(session)[0].name == "戴的电梯"
    login(client, "member")
    assert client.post(f"/follows/{row.id}/delete").status_code == 303
    assert _rows(session) == []


def test_control_characters_are_not_stored(client: FlaskClient, login, session) -> None:
    """NUL and other control characters typed or sent are dropped (PostgreSQL refuses NUL in text)."""
    login(client, "member")
    data = {"q": "电\x00梯", "category": ["其\x00他", "\x00"], "name": "我的\x00电梯"}
    assert client.post("/follows/searches", data=data).status_code == 303
    (row,) = _rows(session)
    assert (row.name, row.query, row.filters) == ("我的电梯", "电梯", {"category": ["其他"]})
    assert client.post(f"/follows/{row.id}/rename", data={"name": "新\x00名"}).status_code == 303
    assert _rows(session)[0].name == "新名"
