"""The language switch in a real browser (issue 15): a visitor switches to English and back on the
same page; a member's choice follows them to another device."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_the_language_switch(browser, server: str, shots: Path, log_in) -> None:
    visitor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = visitor.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server}/proposals/1")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".brand").inner_text() == "提案办理追踪"
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url == f"{server}/proposals/1"  # the same page, now in English
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".brand").inner_text() == "Proposal Tracker"
    assert page.get_by_role("link", name="Proposals", exact=True).is_visible()
    page.screenshot(path=str(shots / "language-en-proposal.png"), full_page=False)
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".brand").inner_text() == "提案办理追踪"
    visitor.close()

    # A member chooses English on one device ...
    laptop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = laptop.new_page()
    log_in(page, server, "member", "member-demo")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).first.inner_text() == "My proposals"
    laptop.close()
    # ... and another device, whose browser asks for Chinese, shows English once they log in.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    log_in(page, server, "member", "member-demo")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).first.inner_text() == "My proposals"
    page.screenshot(path=str(shots / "language-en-phone.png"), full_page=False)
    phone.close()
