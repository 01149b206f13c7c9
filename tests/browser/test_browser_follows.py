"""Following in a real browser (issue 15): the demo member saves a search from its results and follows an
agency from the filtered proposals list; both are on "我的关注" with feed addresses a feed reader can
fetch without logging in. CSRF protection is on, as in production."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from sqlmodel import Session, select

from tracker.models import Agency, Follow

pytestmark = pytest.mark.browser


def test_save_a_search_and_follow_an_agency(
    server: str, browser, shots: Path, log_in, session: Session
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区经信局")).one()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "member", "member-demo")

    page.goto(f"{server}/search?q=建议")
    form = page.locator("form.save-search")
    form.get_by_label("名称").fill("我关心的建议")
    form.get_by_role("button", name="保存此搜索").click()
    page.wait_for_load_state()
    assert "搜索已保存" in page.locator(".flashes").inner_text()

    page.goto(f"{server}/proposals?agency={agency.id}")
    page.get_by_role("button", name=f"关注“{agency.name}”").click()
    page.wait_for_load_state()
    assert "已关注" in page.locator(".flashes").inner_text()
    assert page.url == f"{server}/proposals?agency={agency.id}"
    assert "您已关注" in page.locator(".follow-buttons").inner_text()

    page.get_by_role("banner").get_by_role("link", name="我的关注").click()
    page.wait_for_load_state()
    assert page.locator(".follow-item", has_text="我关心的建议").count() == 1
    assert page.locator(".follow-item", has_text=agency.name).count() == 1
    page.screenshot(path=str(shots / "follows.png"), full_page=True)

    # the feeds, fetched as a feed reader would: a new context, no cookie
    reader = browser.new_context()
    hrefs = page.locator(".feed-link a").evaluate_all("links => links.map(a => a.href)")
    session.expire_all()
    tokens = set(session.exec(select(Follow.token)).all())
    assert len(hrefs) == 2 and {h.rsplit("/", 1)[1].removesuffix(".atom") for h in hrefs} == tokens
    for href in hrefs:
        response = reader.request.get(href)
        assert response.status == 200
        assert not feedparser.parse(response.body()).bozo
    reader.close()
    context.close()
