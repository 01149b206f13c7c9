"""Pages after the workflow moved on, in a real browser (issue 11): a reply redone after 不满意 shows
the letter in force first with the superseded answer collapsed as history (item 8), and a pasted
letter, once read, is still there after the drafter leaves the page and comes back (item 14).

Screenshots go to $TRACKER_SCREENSHOTS when set, else to the test's temporary folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from tracker.models import Reply
from tracker.services import feedback, oversight, replying

pytestmark = pytest.mark.browser

SEED_REPLY = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "reply.txt"


def _submit_reply(session: Session, case, text: str, outcome: str) -> Reply:
    now = datetime.now(UTC)
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=now.date())
    for n, section in enumerate(state.content.sections, start=1):
        section.body = f"{text}（第{n}条）"
    state.content.outcome = outcome
    result = replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=state.content,
        revision=state.revision,
        now=now,
    )
    assert result.reply is not None, result.problems
    session.commit()
    return result.reply


def test_a_redone_reply_shows_the_letter_in_force_first(
    server: str, browser, shots: Path, log_in, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    first = _submit_reply(session, assigned_case, "第一次答复", "B")
    feedback.rate(
        session=session,
        proposal_id=pid,
        actor=assigned_case.member,
        rating="dissatisfied",
        comment="没有回应融资问题",
        now=datetime.now(UTC),
    )
    oversight.reopen(
        session=session,
        proposal_id=pid,
        actor=assigned_case.staff,
        note="请就融资问题重新办理",
        today=datetime.now(UTC).date(),
    )
    session.commit()
    second = _submit_reply(session, assigned_case, "重新办理后的答复", "A")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "member", "member-demo")
    page.goto(f"{server}/proposals/{pid}")

    letters = page.locator(".reply-links li")
    assert letters.count() == 2
    assert letters.nth(0).locator("a").first.get_attribute("href") == f"/replies/{second.id}"
    assert "现行有效" in letters.nth(0).inner_text()
    assert "已被重新办理的答复取代" in letters.nth(1).inner_text()

    pair = page.locator("#s1 .pair-answers")
    current = pair.locator("> .answer")
    assert current.count() == 1 and "重新办理后的答复（第1条）" in current.first.inner_text()
    earlier = pair.locator("details.earlier-answers")
    old_answer = earlier.get_by_text("第一次答复（第1条）")
    assert old_answer.is_hidden()  # collapsed: history, not a second answer
    summary = earlier.locator("summary")
    assert "此前的答复 1 条（已被取代）" in summary.inner_text()
    # the current answer is above the history on the screen
    assert current.first.bounding_box()["y"] < summary.bounding_box()["y"]
    page.screenshot(path=str(shots / "pages-01-redone-reply.png"), full_page=True)
    summary.click()
    assert old_answer.is_visible()
    assert "已被重新办理的答复取代" in earlier.locator(".history-note").first.inner_text()
    page.screenshot(path=str(shots / "pages-02-history-open.png"), full_page=True)

    # the superseded letter is reachable and points to the letter in force
    page.goto(f"{server}/replies/{first.id}")
    page.get_by_role("link", name="查看现行有效的答复").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/replies/{second.id}")
    context.close()


def test_a_read_letter_survives_leaving_the_page(
    server: str, browser, shots: Path, log_in, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, server, "agency", "agency-demo")
    page.goto(f"{server}/proposals/{pid}/reply?mode=pasted")
    page.get_by_label("粘贴答复函").fill(SEED_REPLY.read_text(encoding="utf-8"))
    page.get_by_role("button", name="识别答复函").click()
    page.wait_for_load_state()
    assert "已保存为草稿" in page.locator(".form-notices").inner_text()
    assert page.locator(".pasted-point").count() == 5
    ticked = page.locator(".pasted-point input[type=checkbox]:checked").count()
    assert ticked >= 5
    page.screenshot(path=str(shots / "pages-03-letter-read.png"), full_page=True)

    # away to the inbox (no save button pressed), then back through the inbox's link
    page.goto(f"{server}/inbox")
    page.get_by_role("link", name="撰写答复").first.click()
    page.wait_for_load_state()
    # the editor opens in the mode the draft was saved in: the pasted letter
    assert page.get_by_label("粘贴答复函").input_value().startswith("第2号提案的答复")
    assert page.locator(".pasted-point").count() == 5
    assert page.locator(".pasted-point input[type=checkbox]:checked").count() == ticked
    page.screenshot(path=str(shots / "pages-04-letter-kept.png"), full_page=True)
    context.close()
