"""Duplicates where they matter (issue 16), in a real browser: a member pastes a reworded copy of a
proposal another member has submitted; after the split preview the form lists the original first
(title and state only: it is not public); the member submits anyway; staff open the copy, see the
original at the top of its similar list and merge (并案) the copy into it in one step. CSRF is on.
Screenshots go to $TRACKER_SCREENSHOTS when set, else to the test's temporary folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, select

from tracker.bench.corpus import generate
from tracker.bench.run import SEEDS_DIR, load_corpus
from tracker.domain.drafting import Draft
from tracker.models import Proposal, User
from tracker.services import drafting
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import Role, Viewer

pytestmark = pytest.mark.browser

ORIGINAL = Draft(
    title="关于加快老旧小区加装电梯的提案",
    category="社会民生",
    background="我区老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。",
    suggestions=[
        "简化加装电梯的审批程序。由住建部门牵头实行联合审批，一次性告知所需材料，缩短审批时间。",
        "加大财政补助力度。对每台加装电梯给予定额补助，并允许提取住房公积金用于加装电梯。",
        "做好居民协商工作。发挥社区居委会作用，组织低层与高层住户协商分摊费用，化解邻里矛盾。",
    ],
)
COPY_TITLE = "关于推进老旧小区增设电梯工作的建议"
COPY_TEXT = """老年人上下楼难的问题日益突出，加装电梯呼声很高。
为此建议：
1. 发挥社区居委会作用做好居民协商。组织高层与低层住户协商分摊费用，化解邻里之间的矛盾。
2. 优化加装电梯审批流程。实行由住建部门牵头的联合审批，缩短审批时间，一次性告知所需材料。
3. 强化财政补助。每台加装电梯给予定额补助，允许提取住房公积金用于加装电梯。
"""


@pytest.fixture
def original(app: Flask, make, session: Session) -> int:
    """A small generated archive (indexed), 戴培红's pending proposal, and a second member 乙."""
    load_corpus(app.config["DATABASE_URL"], generate(proposals=40, seed=3, seeds_dir=SEEDS_DIR))
    get_keeper(app).rebuild(procs=1)
    make.user(username="yi", role="member", member_id=make.member(name="乙委员").id)
    dai = session.exec(select(User).where(User.username == "member")).one()
    proposal = drafting.create(
        session=session,
        author=Viewer(Role.MEMBER, member_id=dai.member_id, user_id=dai.id),
        draft=ORIGINAL,
        form_token="e" * 32,
        submit=True,
        categories=["社会民生"],
        today=date.today(),
    ).proposal
    session.commit()
    return proposal.id


def test_a_reworded_copy_finds_the_original_and_staff_merge_it(
    original: int, server: str, browser, shots: Path, log_in, log_out, session: Session
) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)

    # -- the second member writes the same proposal in other words ----------------------------------
    log_in(page, server, "yi", "password-for-tests")
    page.goto(f"{server}/my/proposals/new")
    assert page.locator("#similar").count() == 0  # nothing to compare yet
    page.get_by_label("标题").fill(COPY_TITLE)
    page.get_by_label("类别").select_option("社会民生")
    page.get_by_label("粘贴提案全文").fill(COPY_TEXT)
    page.get_by_role("button", name="拆分为建议").click()
    page.wait_for_load_state()
    first = page.locator("#similar .similar-item").first
    assert ORIGINAL.title in first.inner_text()
    assert "已提交" in first.inner_text()  # its state, and nothing of its text
    assert first.locator("a").count() == 0
    assert ORIGINAL.suggestions[0] not in page.content()
    page.locator("#similar").screenshot(path=str(shots / "dup-01-member-form-similar.png"))
    page.screenshot(path=str(shots / "dup-02-member-form.png"), full_page=True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert "提案已提交提案委员会办公室" in page.locator(".flashes").inner_text()
    log_out(page)

    # -- staff find the original at the top of the copy's list and merge the copy into it -----------
    log_in(page, server, "staff", "staff-demo")
    page.get_by_role("link", name=COPY_TITLE).click()
    page.wait_for_load_state()
    first = page.locator("#similar .similar-item").first
    assert first.locator("a").first.inner_text() == ORIGINAL.title
    page.locator("#similar").screenshot(path=str(shots / "dup-03-staff-review-similar.png"))
    first.get_by_role("button", name="并入此提案").click()
    page.wait_for_load_state()
    # the browser itself refuses without the confirmation box ticked: still on the copy
    assert page.locator("h1").inner_text() == COPY_TITLE
    first = page.locator("#similar .similar-item").first
    first.get_by_label("将本提案并入", exact=False).check()
    first.get_by_role("button", name="并入此提案").click()
    page.wait_for_load_state()
    assert "本提案已并入所选提案" in page.locator(".flashes").inner_text()
    assert page.locator("h1").inner_text() == ORIGINAL.title
    assert "已立案" in page.locator(".eyebrow").inner_text()
    page.screenshot(path=str(shots / "dup-04-staff-merged.png"), full_page=True)

    session.expire_all()
    copy = session.exec(select(Proposal).where(Proposal.title == COPY_TITLE)).one()
    assert (copy.status, copy.merged_into_id) == ("merged", original)
    context.close()
