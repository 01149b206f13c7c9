"""The search page and its JSON twin: results, links to exact anchors, facets, escaping, visibility."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session

from tracker.search import Sort, get_backend
from tracker.services.search_sync import get_keeper
from tracker.web.search import _args, _toggle_urls, _toggled, _url

SCRIPT_TITLE = "<script>alert(1)</script>"


def test_the_header_has_a_search_box(get_page) -> None:
    page = get_page("/")
    form = page.find_all("form", class_="header-search")[0]
    assert form.attrs["action"] == "/search" and form.attrs["method"] == "get"
    assert form.find_all("input", name="q")


def test_results_link_to_the_exact_suggestion_reply_point_and_clause(get_page) -> None:
    page = get_page("/search?q=培训")
    links = {a.attrs["href"] for a in page.find_all("a", class_="unit-link")}
    assert {"/proposals/1#s3", "/proposals/1#r3"} <= links
    assert "/library/zhejiang-small-micro-enterprises-opinions#c5-16" in links
    titles = [a.text() for a in page.find_all("h2", class_="result-title")]
    assert titles[0] == "关于加强小型微型企业分级服务与管理的建议"
    marks = [m.text() for m in page.find_all("mark")]
    assert marks and set(marks) == {"培训"}


def test_a_case_number_goes_straight_to_the_proposal(client: FlaskClient) -> None:
    for query in ("第2号", "2号提案"):
        response = client.get(f"/search?q={query}")
        assert response.status_code == 302
        assert response.headers["Location"] == "/proposals/1"


def test_the_json_search(client: FlaskClient) -> None:
    body = client.get("/api/search?q=电子商务平台").get_json()
    assert body["total"] == 3 and body["page"] == 1
    proposal = body["groups"][0]
    assert proposal["kind"] == "proposal" and proposal["number"] == 2 and proposal["url"] == "/proposals/1"
    urls = [u["url"] for u in proposal["units"]]
    assert urls == ["/proposals/1#s5", "/proposals/1#r5"]
    assert "<mark>" in proposal["units"][0]["fragments"][0]["html"]
    assert {f["value"] for f in body["facets"]["type"]} >= {"suggestion", "reply_point", "clause"}
    jump = client.get("/api/search?q=第2号").get_json()
    assert jump["jump"] == {"proposal_id": 1, "number": 2, "url": "/proposals/1"}


def test_facet_links_narrow_and_combine(client: FlaskClient, get_page) -> None:
    page = get_page("/search?q=培训")
    facet_links = {a.text(): a.attrs["href"] for a in page.find_all("aside")[0].find_all("a")}
    clause_link = next(href for text, href in facet_links.items() if text == "政策条款")
    assert parse_qs(urlsplit(clause_link).query) == {"q": ["培训"], "type": ["clause"]}
    narrowed = get_page(clause_link)
    assert {a.attrs["href"].split("#")[0] for a in narrowed.find_all("a", class_="unit-link")} == {
        "/library/zhejiang-small-micro-enterprises-opinions",
        "/library/beijing-sme-plan-2011-2015",
    }
    both = client.get("/api/search?q=培训&type=clause&type=suggestion").get_json()
    assert {u["type"] for g in both["groups"] for u in g["units"]} == {"clause", "suggestion"}
    selected = [f for f in both["facets"]["type"] if f["selected"]]
    assert {f["value"] for f in selected} == {"clause", "suggestion"}


def test_unknown_filter_values_are_ignored(client: FlaskClient) -> None:
    body = client.get("/api/search?q=培训&type=secret&status=nonsense&sort=sideways&page=-3").get_json()
    assert body["filters"] == {} and body["sort"] == "relevance" and body["total"] == 3


def test_pages_keep_the_query_and_filters(app, client: FlaskClient, get_page) -> None:
    app.config["SEARCH_PAGE_SIZE"] = 1
    page = get_page("/search?q=培训&type=clause&sort=date")
    next_link = page.find_all("a", rel="next")[0].attrs["href"]
    assert parse_qs(urlsplit(next_link).query) == {
        "q": ["培训"],
        "type": ["clause"],
        "sort": ["date"],
        "page": ["2"],
    }


def test_nothing_found_offers_broader_queries(get_page) -> None:
    page = get_page("/search?q=小微企业融资难")
    hints = [a.text() for a in page.find_all("ul", class_="hints")[0].find_all("a")]
    assert hints[0] == "小微企业 融资难"


def test_an_empty_query_asks_for_words(get_page) -> None:
    page = get_page("/search")
    assert not page.find_all("ol", class_="result-list")
    assert page.find_all("input", id="search-q")


def _script_proposal(make: Any, session: Session, published: bool) -> None:
    proposal = make.proposal(
        title=SCRIPT_TITLE, number=66, published_at=datetime.now(UTC) if published else None
    )
    make.suggestion(proposal, title="<b>加粗</b>", text="<img src=x onerror=alert(2)> alert 培训补贴")
    session.commit()


def test_markup_in_a_title_is_found_and_shown_escaped(
    client: FlaskClient, session: Session, make: Any
) -> None:
    _script_proposal(make, session, published=True)
    html = client.get("/search?q=alert").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>加粗" not in html
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=<mark>alert</mark>(2)&gt;" in html

    body = client.get("/api/search?q=alert").get_json()
    group = body["groups"][0]
    assert group["title"] == SCRIPT_TITLE  # data, for the client to escape
    assert group["title_html"] == "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"
    unit_html = [f["html"] for u in group["units"] for f in u["fragments"]]
    assert all("<img" not in h and "<script" not in h for h in unit_html)


def test_an_unpublished_proposal_is_not_found_anonymously(
    client: FlaskClient, get_page, session: Session, make: Any
) -> None:
    _script_proposal(make, session, published=False)
    assert client.get("/api/search?q=alert").get_json()["total"] == 0
    page = get_page("/search?q=alert")
    assert not page.find_all("li", class_="result") and page.find_all("div", class_="empty")
    assert client.get("/search?q=第66号").status_code == 200  # no jump to what may not be seen


def test_the_proposal_page_lists_similar_proposals(get_page, session: Session, make: Any) -> None:
    similar = make.proposal(title="关于小微企业培训的建议", number=9, published_at=datetime.now(UTC))
    make.suggestion(
        similar,
        title="加大培训力度",
        text="加大培训力度。为小型微型企业提供创业和管理知识培训，开展岗前培训。",
    )
    session.commit()
    # the page renders a slot and fetches the section afterwards, off its own render path
    slot = get_page("/proposals/1").find_all(class_="similar-slot")[0]
    assert slot.attrs["data-similar"] == "/proposals/1/similar"
    section = get_page("/proposals/1/similar").by_id("similar-heading").parent
    assert [a.attrs["href"] for a in section.find_all("a")] == [f"/proposals/{similar.id}"]


def test_a_proposal_with_nothing_similar_has_no_such_section(get_page) -> None:
    assert not get_page("/proposals/1/similar").find_all(id="similar-heading")


def test_similar_proposals_of_what_may_not_be_seen_are_404(
    client: FlaskClient, make: Any, session: Session
) -> None:
    hidden = make.proposal(title="未公开的提案")
    session.commit()
    assert client.get(f"/proposals/{hidden.id}/similar").status_code == 404
    assert client.get("/proposals/999999/similar").status_code == 404


def test_a_failing_index_gives_503_and_is_checked_again(app, client: FlaskClient, monkeypatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("index file vanished")

    monkeypatch.setattr(get_backend(app), "search", broken)
    keeper = get_keeper(app)
    keeper.ready.clear()
    keeper.ready_wait = 0.01
    assert client.get("/search?q=培训").status_code == 503
    assert client.get("/api/search?q=培训").status_code == 503
    assert client.get("/proposals/1").status_code == 200  # the pages do not need the index
    assert keeper.wait_ready(10) and keeper.last_check == "up to date"


def test_a_signed_in_proposer_and_staff_find_an_unpublished_proposal(
    app, client: FlaskClient, login, session: Session, make: Any
) -> None:
    member = login(client, "member")  # the demo member, 戴培红
    draft = make.proposal(title="关于增设公交专用道的建议", number=31, proposer_id=member.member_id)
    make.suggestion(draft, title="增设公交专用道", text="增设公交专用道。在拥堵路段增设公交专用道。")
    session.commit()

    assert client.get("/api/search?q=公交专用道").get_json()["total"] == 1
    assert client.get("/search?q=第31号").headers["Location"] == f"/proposals/{draft.id}"
    login(client, "agency")
    assert client.get("/api/search?q=公交专用道").get_json()["total"] == 0
    login(client, "staff")
    assert client.get("/api/search?q=公交专用道").get_json()["total"] == 1
    anonymous = app.test_client()
    assert anonymous.get("/api/search?q=公交专用道").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("q", "filters", "sort"),
    [
        ("中小 企业 &x=1", {"category": ("经济 建设", "a/b")}, Sort.DATE),
        ("", {}, Sort.RELEVANCE),
        ("a+b", {"agency": ("镇海区经信局",)}, Sort.RELEVANCE),
        ("", {"session": ("3",), "outcome": ("A", "B")}, Sort.RELEVANCE),
    ],
)
def test_facet_urls_are_built_as_url_for_builds_them(
    app: Flask, q: str, filters: dict[str, tuple[str, ...]], sort: Sort
) -> None:
    with app.test_request_context():
        args = _args(q, filters, sort)
        assert _url(url_for("search.index"), args) == url_for("search.index", **args)


@pytest.mark.parametrize(
    ("q", "filters", "sort", "path"),
    [
        ("中小 企业 &x=1", {"category": ("经济 建设", "a/b")}, Sort.DATE, "/search"),
        ("", {}, Sort.RELEVANCE, "/search"),
        ("a+b", {"agency": ("镇海区经信局",), "status": ("replied",)}, Sort.RELEVANCE, "/search?history=1"),
        ("", {"session": ("3",), "outcome": ("A", "B")}, Sort.RELEVANCE, "/search"),
    ],
)
@pytest.mark.parametrize(
    ("name", "value"), [("category", "a/b"), ("category", "新 类"), ("outcome", "A"), ("session", "9")]
)
def test_facet_toggle_urls_are_the_urls_of_the_toggled_filters(
    app: Flask, q: str, filters: dict[str, tuple[str, ...]], sort: Sort, path: str, name: str, value: str
) -> None:
    """The page's shortcut for its hundred facet links gives exactly the address the long way would
    (a value already chosen is taken off, a new one added; the rest kept in order)."""
    with app.test_request_context(path):
        base = url_for("search.index")
        expected = _url(base, _args(q, _toggled(filters, name, value), sort))
        assert _toggle_urls(base, q, filters, sort)(name, value) == expected


def test_a_results_page_reads_the_sessions_once_however_many_it_names(
    app: Flask, client: FlaskClient, session: Session, make: Any
) -> None:
    """Ten results from ten sessions: their 案号 prefixes are read in one query, not one a result."""
    for year in range(2010, 2020):
        meeting = make.meeting(name=f"第{year}次会议", year=year, number_prefix=f"Z{year}-")
        make.proposal(
            title=f"关于社区食堂的提案{year}", meeting=meeting, number=1, published_at=datetime.now(UTC)
        )
    session.commit()
    get_keeper(app).rebuild()
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/search?q=社区食堂")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(f"Z{year}-" in text for year in range(2010, 2020))
    assert sum("FROM meeting" in s for s in statements) <= 2


def test_a_changed_session_prefix_shows_in_the_next_results(
    app: Flask, client: FlaskClient, session: Session, make: Any
) -> None:
    """The prefixes are kept per archive state: an office renumbering a session's 案号 (Z → ZX) is
    on the next results page, though the index itself keeps only the session's id."""
    meeting = make.meeting(name="第十届第九次会议", year=2031, number_prefix="Z")
    make.proposal(title="关于城市书房的提案", meeting=meeting, number=7, published_at=datetime.now(UTC))
    session.commit()
    get_keeper(app).rebuild()
    assert "第Z7号" in client.get("/search?q=城市书房").get_data(as_text=True)
    meeting.number_prefix = "ZX"
    session.add(meeting)
    session.commit()
    text = client.get("/search?q=城市书房").get_data(as_text=True)
    assert "第ZX7号" in text and "第Z7号" not in text
