"""The home page, the frame every page shares, and the error pages."""

from __future__ import annotations

import re

from flask import Flask


def test_home_shows_counts_sessions_and_latest(get_page) -> None:
    page = get_page("/")
    totals = {
        div.find_all("dt")[0].text(): div.find_all("dd")[0].text()
        for div in page.find_all("dl")[0].find_all("div")
    }
    assert totals == {"提案": "1", "建议": "5", "答复": "1", "参考资料": "4"}
    assert "政协宁波市镇海区第十届委员会第三次会议" in page.text()  # the session the manifest declares
    latest = [a.text() for a in page.find_all("a", class_="proposal-title")]
    assert latest == ["关于加强小型微型企业分级服务与管理的建议"]


def test_pages_are_chinese_by_default(get_page) -> None:
    page = get_page("/")
    assert page.find_all("html")[0].attrs["lang"] == "zh-CN"
    nav = page.find_all("nav", class_="site-nav")[0]
    assert [a.text() for a in nav.find_all("a")] == [
        "首页",
        "提案",
        "参考资料",
        "承办单位",
        "统计",
        "承诺事项",
    ]
    assert nav.find_all("a", href="/")[0].attrs.get("aria-current") == "page"


def test_no_external_assets(get_page) -> None:
    page = get_page("/")
    urls = [el.attrs.get("href", "") for el in page.find_all("link")] + [
        el.attrs.get("src", "") for el in page.find_all("script")
    ]
    assert urls and all(url.startswith("/static/") for url in urls)


def test_stylesheet_is_served_with_a_print_section(client) -> None:
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "@media print" in response.get_data(as_text=True)
    response.close()


def test_unknown_page_is_a_chinese_404(get_page) -> None:
    page = get_page("/no/such/page", status=404)
    assert page.find_all("h1")[0].text() == "页面不存在"


def test_server_errors_render_the_chinese_error_page(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "出错了" in response.get_data(as_text=True)


def test_counts_and_latest_follow_the_visibility_rule(session, make, client, login) -> None:
    hidden = make.proposal(title="尚未公开的提案", status="submitted")
    make.suggestion(hidden)
    session.commit()

    def totals() -> tuple[list[str], bool]:
        html = client.get("/").get_data(as_text=True)
        return re.findall(r"<dd>(?:<a[^>]*>)?(\d+)", html)[:2], "尚未公开的提案" in html

    assert totals() == (["1", "5"], False)  # the public: the published model case only
    login(client, "staff")
    assert totals() == (["2", "6"], True)


def _totals(page) -> dict[str, str]:
    return {
        div.find_all("dt")[0].text(): div.find_all("dd")[0].text()
        for div in page.find_all("dl")[0].find_all("div")
    }


def test_a_signed_in_members_totals_follow_a_publication_made_elsewhere(
    app: Flask, client, login, get_page
) -> None:
    """The public part of a member's totals is kept between pages, but a publication (here written
    straight to the database, as another server would) shows on the next page."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session

    from tracker.db import get_engine
    from tracker.models import Proposal, Suggestion

    login(client, "member")
    before = _totals(get_page("/"))
    again = _totals(get_page("/"))
    assert before == again
    with Session(get_engine(app)) as session:
        # written as another server's request would write it: its own transaction, the generation
        # bumped with it (tracker.generation's hook)
        published = datetime.now(UTC) - timedelta(seconds=1)
        proposal = Proposal(
            title="关于新公开的提案", status="replied", original_text="正文。", published_at=published
        )
        session.add(proposal)
        session.flush()
        session.add(
            Suggestion(proposal_id=proposal.id, position=0, n=1, marker="1.", title="建议", text="建议。")
        )
        session.commit()
    after = _totals(get_page("/"))
    assert int(after["提案"]) == int(before["提案"]) + 1
    assert int(after["建议"]) == int(before["建议"]) + 1
