"""延期申请 in a real browser: the agency asks from its inbox, staff see the count and grant it; the
agency asks again, staff refuse with a reason; the proposal's timeline shows the request, the grant
and the refusal with their reasons. CSRF protection is on, as in production."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.models import User
from tracker.services import workflow
from tracker.services.visibility import Role, Viewer

pytestmark = pytest.mark.browser

TITLE = "关于延期办理测试的建议"


@pytest.fixture
def assigned(app: Flask, make, session: Session) -> date:
    """A proposal assigned to 镇海区经信局 (the demo agency) as lead; returns its deadline."""
    staff = session.exec(select(User).where(User.username == "staff")).one()
    agency = session.exec(select(User).where(User.username == "agency")).one()
    proposal = make.proposal(title=TITLE, status="accepted")
    deadline = date.today() + timedelta(days=30)
    workflow.assign(
        session=session,
        proposal_ids=[proposal.id],
        actor=Viewer(Role.STAFF, user_id=staff.id),
        lead_agency_id=agency.agency_id,
        today=date.today(),
        deadline=deadline,
    )
    session.commit()
    return deadline


def _ask(page, server: str, requested: date, reason: str) -> None:
    page.goto(f"{server}/inbox")
    item = page.locator(".proposal-item", has_text=TITLE)
    item.get_by_text("申请延期").click()
    item.get_by_label("申请延至").fill(requested.isoformat())
    item.get_by_label("延期理由").fill(reason)
    item.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    assert "延期申请已提交提案委员会办公室" in page.locator(".flashes").inner_text()


def test_extension_granted_then_refused_in_the_timeline(
    server: str, browser, shots: Path, log_in, log_out, assigned: date
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    first, second = assigned + timedelta(days=30), assigned + timedelta(days=60)

    log_in(page, server, "agency", "agency-demo")
    _ask(page, server, first, "需会同区发改局、区财政局共同研究资金安排")
    assert "等待提案委员会办公室答复" in page.locator(".proposal-item", has_text=TITLE).inner_text()
    page.screenshot(path=str(shots / "ext-01-agency-asked.png"), full_page=True)
    log_out(page)

    log_in(page, server, "staff", "staff-demo")
    assert "延期申请 1" in page.locator(".queue-tabs").inner_text()
    page.get_by_role("link", name="延期申请").click()
    page.wait_for_load_state()
    assert page.get_by_label("新的期限").input_value() == first.isoformat()  # the requested date proposed
    page.get_by_label("备注").fill("同意延期")
    page.screenshot(path=str(shots / "ext-02-staff-queue.png"), full_page=True)
    page.get_by_role("button", name="同意", exact=True).click()
    page.wait_for_load_state()
    assert "已同意延期" in page.locator(".flashes").inner_text()
    log_out(page)

    log_in(page, server, "agency", "agency-demo")
    _ask(page, server, second, "调研尚未完成")
    log_out(page)

    log_in(page, server, "staff", "staff-demo")
    page.goto(f"{server}/review/extensions")
    page.get_by_role("button", name="不同意", exact=True).click()  # no reason: refused, nothing lost
    page.wait_for_load_state()
    assert "请说明不同意延期的理由" in page.content()
    page.get_by_label("不同意的理由").fill("请按期办结")
    page.get_by_role("button", name="不同意", exact=True).click()
    page.wait_for_load_state()
    assert "已不同意延期" in page.locator(".flashes").inner_text()
    page.goto(f"{server}/review?status=assigned")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    timeline = page.locator(".timeline").inner_text()
    assert timeline.count("申请延期") == 2
    assert "同意延期" in timeline and "不同意延期" in timeline
    assert "需会同区发改局、区财政局共同研究资金安排" in timeline and "请按期办结" in timeline
    assert f"新的期限 {first.year}年{first.month}月{first.day}日" in timeline
    page.screenshot(path=str(shots / "ext-03-timeline.png"), full_page=True)
    context.close()
