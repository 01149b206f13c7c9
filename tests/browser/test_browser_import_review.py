"""Issue 13's acceptance in a real browser: a staff member opens the review queue of imported
documents, corrects a wrong boundary (the splitter read the unmarked third suggestion as the rest of
the second) and a wrong link (point 二 answers suggestions 2 and 3), then publishes; the public
proposal page and the public search show the corrected version. CSRF protection is on, as in
production; axe-core checks the two new pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tracker.models import ImportedFile, PointLink, ReplyPoint, Suggestion

pytestmark = pytest.mark.browser

AXE = (Path(__file__).with_name("vendor") / "axe.min.js").read_text(encoding="utf-8")
THIRD = "同时，建立养老服务质量评估制度"


def serious_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary)}));
        }"""
    )
    return [v for v in found if v["impact"] in ("critical", "serious") or v["id"] == "landmark-unique"]


def test_staff_correct_a_boundary_and_a_link_then_publish(
    server: str, browser, shots: Path, log_in, log_out, session: Session, review_case
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pid = review_case.proposal_id

    # before: not public, and the public search does not find it
    page.goto(f"{server}/search?q=第三方机构")
    assert "关于加强社区养老服务的提案" not in page.locator("main").inner_text()
    assert page.goto(f"{server}/proposals/{pid}").status == 404
    errors.clear()  # that 404 was the point; from here on the console stays clean

    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/review")
    assert "导入文件 3" in page.locator(".queue-tabs").inner_text()
    page.get_by_role("link", name="导入文件").click()
    page.wait_for_load_state()
    queue = page.locator("main").inner_text()
    assert "3 个文件待审核" in queue and "置信度低" in queue and "答复未配对提案" in queue
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "import-01-queue.png"), full_page=True)

    page.get_by_role("link", name="关于加强社区养老服务的提案").click()
    page.wait_for_load_state()
    proposal_side = page.locator("#proposal-boundaries")
    parts = proposal_side.locator(".import-part")
    assert parts.count() == 2 and THIRD in parts.nth(1).inner_text()  # the wrong boundary, as imported
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "import-02-file-before.png"), full_page=True)

    # the boundary: line 6 starts a suggestion of its own
    line = proposal_side.locator(".import-line", has_text=THIRD)
    line.get_by_label("第 6 行").select_option(label="开始一条建议")
    proposal_side.get_by_role("button", name="重新划分建议").click()
    page.wait_for_load_state()
    assert "已按您标出的行重新划分建议" in page.locator(".flashes").inner_text()
    parts = page.locator("#proposal-boundaries .import-part")
    assert parts.count() == 3
    assert THIRD not in parts.nth(1).inner_text() and THIRD in parts.nth(2).inner_text()

    # the link: point 二 answers suggestions 2 and 3, whatever the linker proposed
    links = page.locator("#links")
    point_two = links.locator("fieldset", has_text="关于护理人才和服务评估")
    point_two.get_by_label("加强养老护理人才队伍建设").check()
    point_two.get_by_label("同时，建立养老服务质量评估制度", exact=False).check()
    point_two.get_by_label("加快社区养老服务设施建设").uncheck()
    page.screenshot(path=str(shots / "import-03-links-ticked.png"), full_page=True)
    links.get_by_role("button", name="保存对应关系").click()
    page.wait_for_load_state()
    assert "对应关系已保存" in page.locator(".flashes").inner_text()
    answers = page.locator("#reply-boundaries .import-part").nth(1).inner_text()
    assert "人工关联" in answers and "同时，建立" in answers

    page.get_by_role("button", name="公开提案及其答复").click()
    page.wait_for_load_state()
    assert "提案及答复已公开" in page.locator(".flashes").inner_text()
    assert "已审核" in page.locator("h1 + .proposal-meta").inner_text()
    page.screenshot(path=str(shots / "import-04-published.png"), full_page=True)
    page.goto(f"{server}/review/imports")
    assert "2 个文件待审核" in page.locator("main").inner_text()
    log_out(page)

    # the public sees the corrected version: three suggestions, point 二 beside 2 and 3
    page.goto(f"{server}/proposals/{pid}")
    third = page.locator("#s3")
    assert THIRD in third.inner_text() and "第三方评估" in third.inner_text()
    assert "第三方评估" in page.locator("#s2").inner_text()
    assert "第三方评估" not in page.locator("#s1").inner_text()
    page.screenshot(path=str(shots / "import-05-public-page.png"), full_page=True)
    page.goto(f"{server}/search?q=第三方机构")
    result = page.locator(".result-title", has_text="关于加强社区养老服务的提案")
    assert result.count() == 1
    assert page.locator(f"a.unit-link[href$='/proposals/{pid}#s3']").count() == 1
    page.screenshot(path=str(shots / "import-06-public-search.png"), full_page=True)
    assert errors == []
    context.close()

    # what the browser did is what the database holds
    session.expire_all()
    rows = session.exec(
        select(Suggestion)
        .where(Suggestion.proposal_id == pid, col(Suggestion.parent_id).is_(None))
        .order_by(col(Suggestion.position))
    ).all()
    assert [s.n for s in rows] == [1, 2, 3]
    point = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == review_case.reply_id, ReplyPoint.n == 2)
    ).one()
    linked = session.exec(select(PointLink).where(PointLink.reply_point_id == point.id)).all()
    assert {(ln.suggestion_id, ln.method) for ln in linked} == {
        (rows[1].id, "manual"),
        (rows[2].id, "manual"),
    }
    assert session.get(ImportedFile, review_case.both_id).state == "reviewed"
