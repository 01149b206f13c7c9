"""The whole path in a real browser: Debian's chromium driven by Playwright against a real server.

A member logs in, pastes the seed proposal, sees its 5 suggestions in the preview and submits; staff
accept it (it gets its 案号) and assign it to 镇海区经信局 with a co-handling agency; the agency finds
it in its inbox, answers the 5 suggestions in the reply editor (the coverage check blocks a submit
with one left unanswered) and submits with class A; the member rates the reply 满意; staff publish
it; the public page shows each suggestion beside its answer and the Word letter holds the 5 numbered
points in order. CSRF protection is on, as in production. Screenshots go to $TRACKER_SCREENSHOTS
when set (e.g. /tmp/shots3), else to the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
# What the agency writes under each suggestion (issue 4).
ANSWERS = [
    "区企业服务领导小组办公室设在区经信局，统筹协调小微企业服务。",
    "各行业主管部门按职能分级服务，各镇（街道）按属地服务。",
    "今年安排600人次小微企业经营管理人员培训。",
    "鼓励区内企业开展产业链合作，对本地采购给予奖励。",
    "建设镇海装备制造产业带电商平台，提供一站式服务。",
]
TITLE = "关于加强小型微型企业分级服务与管理的建议（新提交）"
PHONE = {"width": 390, "height": 844}


def test_member_submits_staff_accept_and_assign_agency_sees_it(
    server: str, browser, shots: Path, log_in, log_out
) -> None:
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

    # -- the agency answers the 5 suggestions in the editor; the coverage check blocks one missing --
    item.get_by_role("link", name="撰写答复").click()
    page.wait_for_load_state()
    proposal_id = int(page.url.split("/proposals/")[1].split("/")[0])
    answers = page.locator("textarea[name^='answer-']")
    assert answers.count() == 5
    assert page.get_by_label("称谓").input_value() == "戴培红委员"
    assert page.get_by_label("开头语").input_value().endswith("现答复如下：")
    assert "一、关于“设立专门的服务与管理机构”。" not in page.locator(".reply-sections").inner_text()
    for n in range(4):
        answers.nth(n).fill(f"{ANSWERS[n]}")
    page.get_by_label("A 类", exact=False).check()
    page.screenshot(path=str(shots / "09-agency-editor.png"), full_page=True)
    page.get_by_role("button", name="检查并提交答复").click()
    page.wait_for_load_state()
    problems = page.locator(".form-errors").inner_text()
    assert "草稿已保存，但还不能提交" in problems
    assert (
        "第5条建议尚未答复"
        in page.locator("#section-" + answers.nth(4).get_attribute("name").split("-")[1]).inner_text()
    )
    assert [answers.nth(n).input_value() for n in range(4)] == ANSWERS[:4]  # nothing typed was lost
    assert "一、关于“设立专门的服务与管理机构”。" in page.locator(".reply-sections").inner_text()
    page.screenshot(path=str(shots / "10-agency-coverage-blocks.png"), full_page=True)
    answers.nth(4).fill(ANSWERS[4])
    page.get_by_role("button", name="检查并提交答复").click()
    page.wait_for_load_state()
    assert "答复已提交" in page.locator(".flashes").inner_text()
    assert page.url.endswith(f"/proposals/{proposal_id}")
    assert "已答复" in page.locator(".doc-header .meta").first.inner_text()
    page.screenshot(path=str(shots / "11-agency-submitted.png"), full_page=True)
    log_out(page)

    # -- the member rates the reply 满意 ------------------------------------------------------------
    log_in(page, server, "member", "member-demo")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("意见（可不填）").fill("答复具体，感谢。")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state()
    assert "您的评价已记录" in page.locator(".flashes").inner_text()
    assert "您的评价：满意" in page.locator("#feedback").inner_text()
    page.screenshot(path=str(shots / "12-member-rated.png"), full_page=True)
    log_out(page)

    # -- staff publish it ----------------------------------------------------------------------------
    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/review/{proposal_id}")
    review = page.locator("#reply-review").inner_text()
    assert "戴培红" in review and "满意" in review
    page.screenshot(path=str(shots / "13-staff-reply-review.png"), full_page=True)
    page.get_by_role("button", name="公开提案及答复").click()
    page.wait_for_load_state()
    assert "提案及答复已公开" in page.locator(".flashes").inner_text()
    log_out(page)

    # -- the public page shows each suggestion beside its answer; the Word letter holds the 5 points --
    page.goto(f"{server}/proposals/{proposal_id}")
    assert page.locator("h1").inner_text() == TITLE
    pairs = page.locator(".pair")
    assert pairs.count() == 5
    for n in range(5):
        pair = pairs.nth(n)
        assert pair.locator(".pair-suggestion").count() == 1
        assert ANSWERS[n] in pair.locator(".answer").inner_text()
    assert "5 条建议，已答复 5 条" in page.locator(".pairs-summary").inner_text()
    page.screenshot(path=str(shots / "14-public-proposal.png"), full_page=True)
    with page.expect_download() as download:
        page.locator(".reply-links").get_by_role("link", name="Word").click()
    letter = Document(download.value.path())
    numbered = [p.text for p in letter.paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert [t[:2] for t in numbered] == ["一、", "二、", "三、", "四、", "五、"]
    assert [ANSWERS[n] in numbered[n] for n in range(5)] == [True] * 5
    assert numbered[0].startswith("一、关于“设立专门的服务与管理机构”。")
    # printed, both pages are the document without the app around it
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".reply-tasks").is_hidden()
    assert page.locator(".pair").first.is_visible()
    page.locator(".reply-links a").first.click()
    page.wait_for_load_state()
    assert page.locator(".letter-info").is_hidden() and page.locator(".letter").is_visible()
    page.screenshot(path=str(shots / "14b-print-letter.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(f"{server}/statistics")
    assert "办复率" in page.locator(".stats-cards").inner_text()
    page.screenshot(path=str(shots / "15-statistics.png"), full_page=True)
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
    page.goto(f"{server}/review/{proposal_id}")
    page.screenshot(path=str(shots / "16-phone-reply-review.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    log_out(page)
    for url, name in (
        (f"/proposals/{proposal_id}", "17-phone-public-proposal"),
        ("/statistics", "18-phone-statistics"),
    ):
        page.goto(f"{server}{url}")
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    log_in(page, server, "agency", "agency-demo")
    page.goto(f"{server}/proposals/{proposal_id}/reply")
    page.screenshot(path=str(shots / "19-phone-editor-locked.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.close()
