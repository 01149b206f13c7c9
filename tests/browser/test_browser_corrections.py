"""A correction (更正) in a real browser (issue 16): the agency corrects its published letter from the
letter page, the letter in force shows the reason, the version history shows both versions with the
words removed and added, and the public proposal page shows the corrected text.

Screenshots go to $TRACKER_SCREENSHOTS when set, else to the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from tracker.models import Proposal, Reply

pytestmark = pytest.mark.browser


def test_the_agency_corrects_its_letter_and_the_history_shows_both_versions(
    server: str, browser, shots: Path, log_in, log_out, session: Session
) -> None:
    proposal = session.exec(select(Proposal).where(Proposal.published_at.is_not(None))).one()
    letter = session.exec(
        select(Reply).where(Reply.proposal_id == proposal.id, Reply.status == "issued")
    ).one()
    page = browser.new_page(locale="zh-CN", viewport={"width": 1200, "height": 1000})
    log_in(page, server, "agency", "agency-demo")
    page.goto(f"{server}/replies/{letter.id}")
    page.get_by_role("link", name="更正此答复函").click()
    text = page.get_by_label("更正后的答复函")
    text.fill(text.input_value().replace("阿里巴巴", "甬易购"))
    page.get_by_label("更正理由", exact=True).fill("平台名称写错")
    page.get_by_role("button", name="发出更正后的答复函").click()
    page.wait_for_load_state()
    assert "答复函已更正" in page.content()
    assert "平台名称写错" in page.locator(".correction-note").inner_text()
    page.get_by_role("link", name="全部版本及改动").click()
    page.wait_for_load_state()
    versions = page.locator("li.letter-version")
    assert versions.count() == 2
    assert page.locator(".diff-text del").first.inner_text() == "阿里巴巴"
    assert page.locator(".diff-text ins").first.inner_text() == "甬易购"
    assert page.locator(".diff-gap").count() >= 1  # the unchanged paragraphs are cut short
    page.screenshot(path=str(shots / "corrections-history.png"), full_page=True)

    log_out(page)
    page.goto(f"{server}/proposals/{proposal.id}")
    body = page.locator("main").inner_text()
    assert "甬易购" in body and "阿里巴巴" not in body
    page.get_by_role("link", name="版本记录").click()
    page.wait_for_load_state()
    assert page.locator("li.letter-version").count() == 2  # one click away for the public too
    page.close()
