"""Commitments in a real browser (issue 16): the agency confirms the two promises the parser found
in its class-B reply and reports one done; the public page of the session then shows one done and
one late (its due date is past), with the counts by state. CSRF protection is on, as in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from tests.services.test_commitments_service import NOW, issue_class_b
from tracker.models import Proposal
from tracker.services import oversight

pytestmark = pytest.mark.browser


def test_the_agency_confirms_and_reports_and_the_public_sees_done_and_late(
    app: Flask, session: Session, assigned_case, server: str, browser, shots: Path, log_in, log_out
) -> None:
    reply = issue_class_b(session, assigned_case)  # promises due 2025-06-30 and 2025-12-31
    oversight.publish(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.staff, now=NOW
    )
    session.commit()
    meeting_id = session.get(Proposal, assigned_case.proposal_id).meeting_id
    page = browser.new_page(locale="zh-CN")  # chromium asks for en-US otherwise: English pages (issue 15)
    log_in(page, server, "agency", "agency-demo")
    page.goto(f"{server}/replies/{reply.id}/commitments")
    items = page.locator(".commitment-list > li")
    assert items.count() == 2
    for index in range(2):
        page.locator(".commitment-list > li").nth(index).get_by_role(
            "button", name="确认", exact=True
        ).click()
        page.wait_for_load_state()
        assert "承诺事项已确认" in page.locator(".flashes").inner_text()
    first = page.locator(".commitment-list > li").first
    first.get_by_text("报告进展").click()
    first.get_by_label("已完成").check()
    first.get_by_label("说明（终止时写明理由）").fill("实施意见已于6月印发。")
    first.get_by_role("button", name="提交报告").click()
    page.wait_for_load_state()
    assert "报告已记录" in page.locator(".flashes").inner_text()
    log_out(page)

    page.goto(f"{server}/accountability")
    page.get_by_role("link", name="政协宁波市镇海区第十届委员会第三次会议").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/accountability/sessions/{meeting_id}")
    rows = page.locator(".commitment-list > li")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any(
        "已完成" in t and "力争2025年6月底前出台实施意见" in t and "实施意见已于6月印发。" in t for t in texts
    )
    assert any("已逾期" in t and "2025年12月底前建成投用" in t for t in texts)
    page.screenshot(path=str(shots / "commitments-public-session.png"), full_page=True)
