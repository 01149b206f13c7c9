"""The whole path in a real browser: Debian's chromium driven by Playwright against a real server.

A member logs in, pastes the seed proposal, sees its 5 suggestions in the preview and submits; staff
accept it (it gets its 案号) and assign it to 镇海区经信局 with a co-handling agency; the agency finds
it in its inbox. CSRF protection is on, as in production. Screenshots go to $TRACKER_SCREENSHOTS
when set (e.g. /tmp/shots3), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
TITLE = "关于加强小型微型企业分级服务与管理的建议（新提交）"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, on its own migrated and seeded copy of the database."""
    app.config["WTF_CSRF_ENABLED"] = True
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


@pytest.fixture
def browser():
    # Not a skip: CI installs chromium (`make browser`), and a missing one must fail the run.
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium fonts-wqy-microhei)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRACKER_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


def test_member_submits_staff_accept_and_assign_agency_sees_it(server: str, browser, shots: Path) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    # -- the member writes the proposal by pasting its text ----------------------------------------
    log_in(page, server, "member", "member-demo")
    assert page.url.endswith("/my")
    page.get_by_role("link", name="撰写提案").first.click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("类别").select_option("经济发展")
    page.get_by_label("粘贴提案全文").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="拆分为建议").click()
    page.wait_for_load_state()
    rows = page.locator(".suggestion-row textarea")
    assert rows.count() == 5
    assert rows.nth(0).input_value().startswith("设立专门的服务与管理机构")
    assert rows.nth(4).input_value().startswith("建立商业信息中心")
    assert "全文已拆分为 5 条建议" in page.locator(".form-notices").inner_text()
    page.screenshot(path=str(shots / "01-member-preview.png"), full_page=True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "提案已提交提案委员会办公室" in page.locator(".flashes").inner_text()
    assert page.locator("h1").inner_text() == TITLE
    page.screenshot(path=str(shots / "02-member-submitted.png"), full_page=True)
    log_out(page)

    # -- staff accept it (案号) and assign it ----------------------------------------------------
    log_in(page, server, "staff", "staff-demo")
    assert page.url.endswith("/review")
    page.screenshot(path=str(shots / "03-staff-queue.png"), full_page=True)
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    page.screenshot(path=str(shots / "04-staff-review.png"), full_page=True)
    page.get_by_role("button", name="立案", exact=True).click()
    page.wait_for_load_state()
    assert "提案已立案并编排案号" in page.locator(".flashes").inner_text()
    assert "第3号提案" in page.locator(".eyebrow").inner_text()  # the seeded session already had No. 2
    page.get_by_label("主办单位").select_option(label="镇海区经信局")
    page.get_by_label("镇海区商务局").check()
    page.get_by_role("button", name="交办", exact=True).click()
    page.wait_for_load_state()
    assert "提案已交办" in page.locator(".flashes").inner_text()
    timeline = page.locator(".timeline").inner_text()
    assert "主办：镇海区经信局" in timeline and "协办：镇海区商务局" in timeline
    page.screenshot(path=str(shots / "05-staff-assigned.png"), full_page=True)
    log_out(page)

    # -- the agency finds it in its inbox -------------------------------------------------------
    log_in(page, server, "agency", "agency-demo")
    assert page.url.endswith("/inbox")
    item = page.locator(".proposal-item", has_text=TITLE)
    assert item.count() == 1
    assert "主办" in item.inner_text() and "第3号" in item.inner_text()
    page.screenshot(path=str(shots / "06-agency-inbox.png"), full_page=True)
    context.close()

    # -- the same pages on a phone -------------------------------------------------------------------
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = phone.new_page()
    log_in(page, server, "member", "member-demo")
    page.goto(f"{server}/my/proposals/new")
    page.screenshot(path=str(shots / "07-phone-form.png"), full_page=False)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is {width}px wide on a {PHONE['width']}px phone"
    log_out(page)
    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/review?status=assigned")
    page.screenshot(path=str(shots / "08-phone-queue.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
