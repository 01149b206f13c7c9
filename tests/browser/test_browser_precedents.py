"""Issue 16 in a real browser: the agency drafting a reply to a proposal whose suggestions resemble
those of the published proposal No. 2 sees No. 2's answers as precedents beside each suggestion;
one click copies the best into the answer (what was typed elsewhere stays); it cites a related
policy clause under that answer and submits; staff publish; the public letter page and the proposal
page show the cited clause under that answer, linking to the clause in the library."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tracker.models import Proposal, Reply, ReplyPoint, ReplyStatus

pytestmark = pytest.mark.browser


def _seed_first_answer(session: Session) -> ReplyPoint:
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    return session.exec(
        select(ReplyPoint)
        .join(Reply, Reply.id == ReplyPoint.reply_id)
        .where(Reply.proposal_id == proposal.id, Reply.status == ReplyStatus.ISSUED.value, ReplyPoint.n == 1)
    ).one()


def test_a_precedent_is_copied_a_clause_cited_and_the_published_letter_shows_it(
    server, browser, shots, log_in, log_out, session: Session, assigned_case
) -> None:
    page = browser.new_page(locale="zh-CN")
    first, *others = assigned_case.suggestion_ids
    precedent = _seed_first_answer(session)
    session.close()  # the server writes from here on

    # -- the agency opens the editor: No. 2's answer to the same suggestion is the first precedent --
    log_in(page, server, "agency", "agency-demo")
    page.goto(f"{server}/proposals/{assigned_case.proposal_id}/reply")
    section = page.locator(f"#section-{first}")
    best = section.locator(".precedent").first
    assert best.get_attribute("id") == f"precedent-{first}-{precedent.id}"
    assert "镇海区经信局" in best.inner_text()
    assert best.get_by_role("link", name="查看答复全文").get_attribute("href").endswith(f"#r{precedent.n}")
    page.screenshot(path=str(shots / "precedents-01-editor.png"), full_page=True)

    # -- one click copies it into the answer; the title typed meanwhile is kept --------------------
    page.get_by_label("标题", exact=True).fill("关于小微企业服务的答复")
    best.get_by_role("button", name="复制到答复").click()
    page.wait_for_load_state()
    assert "已将该答复复制到草稿中" in page.locator(".flashes").inner_text()
    answer = page.locator(f"#f-answer-{first}").input_value()
    assert answer and answer in precedent.text  # the old point's text, without its old heading
    assert page.get_by_label("标题", exact=True).input_value() == "关于小微企业服务的答复"
    assert "以已有答复为底稿" in page.locator(f"#section-{first}").inner_text()

    # -- it cites the first related clause under that answer and submits --------------------------
    clauses = page.locator(f"#section-{first} details.related-clauses")
    clauses.locator("summary").click()
    box = clauses.locator(f"input[name='cite-{first}']").first
    clause_title = box.locator("xpath=../following-sibling::a[1]").inner_text()
    box.check()
    for n, sid in enumerate(others, 2):
        page.locator(f"#f-answer-{sid}").fill(f"第{n}条已按建议办理。")
    page.get_by_label("A 类", exact=False).check()
    page.screenshot(path=str(shots / "precedents-02-copied-and-cited.png"), full_page=True)
    page.get_by_role("button", name="检查并提交答复").click()
    page.wait_for_load_state()
    assert "答复已提交" in page.locator(".flashes").inner_text()
    log_out(page)

    # -- staff publish -----------------------------------------------------------------------------
    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/review/{assigned_case.proposal_id}")
    page.get_by_role("button", name="公开提案及答复").click()
    page.wait_for_load_state()
    assert "提案及答复已公开" in page.locator(".flashes").inner_text()
    log_out(page)

    # -- the public proposal page and letter page show the cited clause under that answer ----------
    page.goto(f"{server}/proposals/{assigned_case.proposal_id}")
    cited = page.locator("#s1 .cited-clauses")
    assert clause_title in cited.inner_text()
    assert page.locator("#s2 .cited-clauses").count() == 0
    page.screenshot(path=str(shots / "precedents-03-public-proposal.png"), full_page=True)
    page.locator("#s1 .answer .marker").first.click()
    page.wait_for_load_state()
    assert "/replies/" in page.url
    link = page.locator("#r1 .cited-clauses a").first
    assert link.inner_text() == clause_title or clause_title in link.inner_text()
    page.screenshot(path=str(shots / "precedents-04-public-letter.png"), full_page=True)
    link.click()
    page.wait_for_load_state()
    assert "/library/" in page.url and "#c" in page.url
    page.close()
