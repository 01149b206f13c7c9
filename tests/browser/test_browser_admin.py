"""Issue 12 in a real browser: the admin creates a session and makes it current; a member submits a
proposal; staff accept it, with the new session preselected, as its 第1号; its page names the session
in full. CSRF protection is on, as in production."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
TITLE = "关于小微企业服务体系的建议（十一届一次）"
FULL_NAME = "政协宁波市镇海区第十一届委员会第一次会议"


def test_admin_creates_a_current_session_and_staff_accept_into_it(
    server: str, browser, shots: Path, log_in, log_out
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    # -- the admin creates the session and makes it current ---------------------------------------
    log_in(page, server, "admin", "admin-demo")
    page.get_by_role("link", name="系统管理").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="新建会议").first.click()
    page.wait_for_load_state()
    page.get_by_label("机构类别", exact=True).select_option("政协")
    page.get_by_label("机构全称", exact=True).fill("政协宁波市镇海区委员会")
    page.get_by_label("届次", exact=True).fill("第十一届")
    page.get_by_label("次会议", exact=True).fill("第一次会议")
    page.get_by_label("年份", exact=True).fill("2027")
    page.get_by_label("开放：工作人员现可将提案立案到本会议").check()
    page.get_by_label("设为当前会议").check()
    page.get_by_role("button", name="新建会议").click()
    page.wait_for_load_state()
    assert f"已新建会议：{FULL_NAME}。" in page.locator(".flashes").inner_text()
    row = page.locator("tr.current")
    assert FULL_NAME in row.inner_text() and "十一届一次" in row.inner_text()
    page.screenshot(path=str(shots / "admin-01-sessions.png"), full_page=True)
    page.get_by_role("link", name="管理日志").click()
    page.wait_for_load_state()
    log = page.locator("table.admin-log tbody tr")
    assert "设为当前会议" in log.nth(0).inner_text() and "新建" in log.nth(1).inner_text()
    log_out(page)

    # -- a member submits a proposal ----------------------------------------------------------------
    log_in(page, server, "member", "member-demo")
    page.get_by_role("link", name="撰写提案").first.click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("类别").select_option("经济发展")
    page.get_by_label("粘贴提案全文").fill(SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="拆分为建议").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "提案已提交提案委员会办公室" in page.locator(".flashes").inner_text()
    log_out(page)

    # -- staff accept it into the new session: 第1号 ------------------------------------------------
    log_in(page, server, "staff", "staff-demo")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    choice = page.locator("form[action$='/accept'] select")
    assert choice.locator("option:checked").inner_text() == FULL_NAME  # the current one, preselected
    assert choice.locator("option").all_inner_texts() == [FULL_NAME, "政协宁波市镇海区第十届委员会第三次会议"]
    page.get_by_role("button", name="立案", exact=True).click()
    page.wait_for_load_state()
    assert "提案已立案并编排案号" in page.locator(".flashes").inner_text()
    assert "第1号提案" in page.locator(".eyebrow").inner_text()  # numbering restarts in the new session
    page.get_by_role("link", name="查看提案全文页面").click()
    page.wait_for_load_state()
    header = page.locator("header.doc-header").inner_text()
    assert FULL_NAME in header and TITLE in header
    page.screenshot(path=str(shots / "admin-02-proposal.png"), full_page=True)
    context.close()
