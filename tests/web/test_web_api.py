"""The open-data API (/api/v1) by the Flask client: what it answers, what it never answers (checked
against the anonymous pages), its filters, errors, rate limit, CORS, document and docs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tracker import create_app, generation
from tracker.db import get_engine
from tracker.search import get_backend

PAGE_LINK = re.compile(r'href="/proposals/(\d+)"')
REPLY_LINK = re.compile(r'href="/replies/(\d+)"')


@pytest.fixture
def scene(session: Session, make) -> dict[str, Any]:
    """Beside the seeded public proposal (id 1): one public and one unpublished proposal of a new
    session, a withheld one, one scheduled for tomorrow, two merged ones (into a public and into an
    unpublished proposal), and letters the public may not read (sent back, draft)."""
    now = datetime.now(UTC)
    meeting = make.meeting(name="第十届第四次会议", year=2025, number_prefix="Z")
    transport = make.agency(name="区交通局")
    public = make.proposal(
        title="关于公交线路的建议",
        meeting_id=meeting.id,
        number=3,
        category="城建",
        status="replied",
        submitted_on=date(2025, 1, 10),
        published_at=now - timedelta(hours=1),
        original_text="增开夜间公交。",
    )
    first = make.suggestion(public, title="增开夜间线路")
    sub = make.suggestion(public, title="细则", parent_id=first.id, position=1, n=None, marker="（一）")
    reply = make.reply(public, agency_id=transport.id, outcome="B", date_on=date(2025, 5, 1))
    point = make.point(reply)
    make.link(point, first, method="title", confidence=0.9)
    returned = make.reply(public, agency_id=transport.id, status="returned", title="被退回的答复")
    draft = make.reply(public, agency_id=transport.id, status="draft", title="草稿答复")
    unpublished = make.proposal(title="未公开的提案", meeting_id=meeting.id, number=4, category="城建")
    hidden_reply = make.reply(unpublished, agency_id=transport.id, title="未公开提案的答复")
    withheld = make.proposal(
        title="暂不公开的提案", meeting_id=meeting.id, number=5, withheld_reason="涉密", withheld_at=now
    )
    scheduled = make.proposal(
        title="明日公开的提案", meeting_id=meeting.id, published_at=now + timedelta(days=1)
    )
    merged_public = make.proposal(
        title="并入公开提案",
        meeting_id=meeting.id,
        status="merged",
        merged_into_id=public.id,
        published_at=now,
    )
    merged_hidden = make.proposal(
        title="并入未公开提案",
        meeting_id=meeting.id,
        status="merged",
        merged_into_id=unpublished.id,
        published_at=now,
    )
    generation.bump(session)
    session.commit()
    return {
        "meeting": meeting.id,
        "agency": transport.id,
        "public": public.id,
        "suggestion": first.id,
        "sub": sub.id,
        "reply": reply.id,
        "point": point.id,
        "returned": returned.id,
        "draft": draft.id,
        "unpublished": unpublished.id,
        "hidden_reply": hidden_reply.id,
        "withheld": withheld.id,
        "scheduled": scheduled.id,
        "merged_public": merged_public.id,
        "merged_hidden": merged_hidden.id,
    }


def _json(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype == "application/json", url
    return response.get_json()


def _anonymous_list_ids(client: FlaskClient) -> set[int]:
    ids: set[int] = set()
    page = 1
    while True:
        html = client.get(f"/proposals?page={page}").get_data(as_text=True)
        found = {int(i) for i in PAGE_LINK.findall(html)}
        if not found - ids:
            return ids
        ids |= found
        page += 1


def _api_list_ids(client: FlaskClient, query: str = "") -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        body = _json(client, f"/api/v1/proposals?page_size=100&page={page}{query}")
        ids += [item["id"] for item in body["items"]]
        if page >= body["pages"]:
            return ids
        page += 1


# -- what the public may see, and nothing else ----------------------------------------------------


def test_the_list_holds_exactly_what_the_anonymous_list_shows(client: FlaskClient, scene) -> None:
    api_ids = _api_list_ids(client)
    assert len(api_ids) == len(set(api_ids))
    assert set(api_ids) == _anonymous_list_ids(client)
    assert {scene["public"], scene["merged_public"], scene["merged_hidden"], 1} <= set(api_ids)
    for hidden in ("unpublished", "withheld", "scheduled"):
        assert scene[hidden] not in api_ids


@pytest.mark.parametrize(
    "name", ["public", "unpublished", "withheld", "scheduled", "merged_public", "merged_hidden"]
)
def test_a_proposal_answers_as_its_anonymous_page_does(client: FlaskClient, scene, name: str) -> None:
    pid = scene[name]
    page = client.get(f"/proposals/{pid}").status_code
    assert page in (200, 404)
    assert client.get(f"/api/v1/proposals/{pid}").status_code == page
    assert client.get(f"/api/v1/proposals/{pid}/replies").status_code == page


def test_a_merge_target_the_public_may_not_see_is_not_named(client: FlaskClient, scene) -> None:
    assert _json(client, f"/api/v1/proposals/{scene['merged_public']}")["merged_into_id"] == scene["public"]
    assert _json(client, f"/api/v1/proposals/{scene['merged_hidden']}")["merged_into_id"] is None
    target = _json(client, f"/api/v1/proposals/{scene['public']}")
    assert target["merged_from_ids"] == [scene["merged_public"]]


def test_replies_are_the_letters_the_anonymous_page_links(client: FlaskClient, scene) -> None:
    html = client.get(f"/proposals/{scene['public']}").get_data(as_text=True)
    on_page = {int(i) for i in REPLY_LINK.findall(html)}
    body = _json(client, f"/api/v1/proposals/{scene['public']}/replies")
    assert {r["id"] for r in body["items"]} == on_page == {scene["reply"]}
    for hidden in ("returned", "draft", "hidden_reply"):
        assert client.get(f"/replies/{scene[hidden]}").status_code == 404
    letter = body["items"][0]
    assert letter["agency"] == "区交通局" and letter["outcome"] == "B" and letter["status"] == "issued"
    assert letter["date_on"] == "2025-05-01"
    assert letter["url"].endswith(f"/replies/{scene['reply']}")
    [point] = letter["points"]
    assert point["id"] == scene["point"]
    assert point["links"] == [{"suggestion_id": scene["suggestion"], "method": "title", "confidence": 0.9}]


def test_a_proposal_has_its_suggestions_nested(client: FlaskClient, scene) -> None:
    body = _json(client, f"/api/v1/proposals/{scene['public']}")
    assert body["case_number"] == "第Z3号"
    assert body["title"] == "关于公交线路的建议"
    assert body["session_id"] == scene["meeting"]
    assert body["reply_ids"] == [scene["reply"]]
    assert body["replies_url"].endswith(f"/api/v1/proposals/{scene['public']}/replies")
    [top] = body["suggestions"]
    assert top["id"] == scene["suggestion"] and top["title"] == "增开夜间线路"
    assert [s["id"] for s in top["sub_points"]] == [scene["sub"]]


def test_sessions_count_public_proposals_only(client: FlaskClient, scene) -> None:
    items = {s["id"]: s for s in _json(client, "/api/v1/sessions")["items"]}
    # public, and the two merged ones; not the unpublished, withheld or scheduled
    assert items[scene["meeting"]]["proposal_count"] == 3
    assert items[scene["meeting"]]["download_url"].endswith(
        f"/api/v1/sessions/{scene['meeting']}/download.zip"
    )
    one = _json(client, f"/api/v1/sessions/{scene['meeting']}")
    assert one == items[scene["meeting"]]
    _json(client, "/api/v1/sessions/999999", 404)


def test_agencies_are_those_named_on_public_pages(client: FlaskClient, scene, make, session: Session) -> None:
    unseen = make.agency(name="只答复了未公开提案的局")
    make.reply(session.get(type(make.proposal()), scene["unpublished"]), agency_id=unseen.id)
    session.commit()
    names = {a["name"]: a for a in _json(client, "/api/v1/agencies")["items"]}
    assert names["区交通局"]["proposal_count"] == 1
    assert "只答复了未公开提案的局" not in names


# -- filters and pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&session={meeting}", {"public", "merged_public", "merged_hidden"}),
        ("&category=城建", {"public"}),
        ("&status=merged&session={meeting}", {"merged_public", "merged_hidden"}),
        ("&outcome=B", {"public"}),
        ("&agency={agency}", {"public"}),
        ("&submitted_from=2025-01-10&submitted_to=2025-01-10", {"public"}),
        ("&submitted_from=2025-01-11&session={meeting}", set()),
        ("&q=夜间 公交", {"public"}),
        ("&q=夜间 地铁", set()),
        ("&q=未公开的提案", set()),  # the unpublished proposal's title: no search finds it
        ("&q=100%", set()),  # LIKE's wildcards are plain text
    ],
)
def test_filters(client: FlaskClient, scene, query: str, expected: set[str]) -> None:
    ids = set(_api_list_ids(client, query.format(**scene)))
    assert ids == {scene[name] for name in expected}


def test_pages(client: FlaskClient, scene) -> None:
    everything = _api_list_ids(client)
    first = _json(client, "/api/v1/proposals?page_size=2")
    assert first["total"] == len(everything) and first["pages"] == -(-len(everything) // 2)
    assert [i["id"] for i in first["items"]] == everything[:2]
    past = _json(client, "/api/v1/proposals?page_size=2&page=99")
    assert past["items"] == [] and past["page"] == 99


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=x",
        "page_size=101",
        "session=-1",
        "status=secret",
        "outcome=D",
        "submitted_from=2025-02-30",
        "submitted_from=yesterday",
        "q=%00",
        "category=" + "长" * 41,
    ],
)
def test_a_bad_parameter_is_a_400_with_a_json_error(client: FlaskClient, query: str) -> None:
    body = _json(client, f"/api/v1/proposals?{query}", 400)
    assert body["status"] == 400 and body["error"]
    assert body["details"] and body["details"][0]["loc"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/nothing", 404),
        ("get", "/api/v1/proposals/0", 404),
        ("get", "/api/v1/proposals/99999999999", 404),
        ("get", "/api/v1/proposals/abc/replies", 404),
        ("post", "/api/v1/proposals", 405),
        ("delete", "/api/v1/sessions", 405),
    ],
)
def test_errors_are_json(client: FlaskClient, method: str, url: str, status: int) -> None:
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["status"] == status
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_the_search_api_is_unchanged(client: FlaskClient) -> None:
    response = client.get("/api/search?q=小微企业")
    assert response.status_code == 200 and response.get_json()["total"] >= 1


# -- statistics -------------------------------------------------------------------------------------


def test_statistics_are_the_figures_of_the_statistics_page(client: FlaskClient, scene) -> None:
    body = _json(client, "/api/v1/statistics")
    csv = client.get("/statistics/summary.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    page = dict(line.rsplit(",", 1) for line in csv[1:])
    assert str(body["overall"]["submitted"]) in page.values()
    assert body["overall"]["submitted"] == int(
        next(v for k, v in page.items() if "提交" in k or "submitted" in k.lower())
    )
    scoped = _json(client, f"/api/v1/statistics?session={scene['meeting']}")
    assert scoped["session_id"] == scene["meeting"]
    assert scoped["overall"]["submitted"] < body["overall"]["submitted"] or body["overall"]["submitted"] == 0
    assert {s["session_id"] for s in body["sessions"]} >= {scene["meeting"]}


# -- rate limit, CORS, document, docs --------------------------------------------------------------


def test_the_rate_limit_is_counted_where_every_server_sees_it(app: Flask) -> None:
    app.config["API_RATE_LIMIT"] = "3 per minute"
    # a second server on the same database
    shared = ("DATABASE_URL", "SEARCH_INDEX_DIR", "SEARCH_BACKEND", "OPEN_DATA_DIR", "SECRET_KEY")
    other = create_app(
        {
            "TESTING": True,
            "SEARCH_CHECK_ON_START": False,
            "WTF_CSRF_ENABLED": False,
            "API_RATE_LIMIT": "3 per minute",
            **{key: app.config[key] for key in shared},
        }
    )
    try:
        first, second = app.test_client(), other.test_client()
        assert first.get("/api/v1/sessions").status_code == 200
        assert second.get("/api/v1/sessions").status_code == 200
        assert first.get("/api/v1/agencies").status_code == 200
        # the fourth request from this address, on the other server
        refused = second.get("/api/v1/sessions")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert refused.get_json()["status"] == 429
        assert refused.headers["Access-Control-Allow-Origin"] == "*"
        # another address has its own count; the document and the docs are not counted
        assert first.get("/api/v1/sessions", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200
        assert first.get("/api/openapi.json").status_code == 200
        # failed logins from the same address are another count
        assert first.post("/login", data={"username": "x", "password": "y"}).status_code != 429
    finally:
        get_backend(other).close()
        get_engine(other).dispose()


def test_every_answer_may_be_read_from_any_origin(client: FlaskClient) -> None:
    for url in ("/api/v1/sessions", "/api/v1/proposals/424242", "/api/openapi.json"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options("/api/v1/proposals", headers={"Origin": "https://example.org"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    # the pages are not opened to other origins
    assert "Access-Control-Allow-Origin" not in client.get("/proposals").headers


def test_the_document_describes_every_operation(client: FlaskClient) -> None:
    document = _json(client, "/api/openapi.json")
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/proposals",
        "/api/v1/proposals/{proposal_id}",
        "/api/v1/proposals/{proposal_id}/replies",
        "/api/v1/agencies",
        "/api/v1/statistics",
    }
    parameters = {p["name"] for p in document["paths"]["/api/v1/proposals"]["get"]["parameters"]}
    assert parameters >= {"page", "page_size", "session", "category", "agency", "status", "outcome", "q"}
    for path in document["paths"].values():
        assert "429" in path["get"]["responses"]


def test_the_docs_page_uses_local_files_only(client: FlaskClient, get_page) -> None:
    page = get_page("/api/docs")
    sources = [s.attrs["src"] for s in page.find_all("script")] + [
        link.attrs["href"] for link in page.find_all("link") if link.attrs.get("rel") == "stylesheet"
    ]
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert not [s for s in page.find_all("script") if s.children]  # no inline script (CSP)
    for source in sources:
        with client.get(source) as response:
            assert response.status_code == 200, source
    assert page.by_id("swagger-ui").attrs["data-spec-url"] == "/api/openapi.json"
    assert client.get("/api/docs/assets/index.html").status_code == 404
