"""Holding answers and corrections over HTTP (issue 16): correcting the published letter keeps the
original in its history, the public page and search show the corrected text only (the old words no
longer find it), the .docx of either version downloads and reads back; a holding answer is shown
until the final reply comes, then listed after it; bad input comes back as typed with a 4xx."""

from __future__ import annotations

import io

from docx import Document
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.models import ArchiveGeneration, Proposal, Reply
from tracker.services import replying

OLD_WORDS = "阿里巴巴"
NEW_WORDS = "甬易购"
REASON = "平台名称写错"


def _published(session: Session) -> tuple[Proposal, Reply]:
    proposal = session.exec(select(Proposal).where(Proposal.published_at.is_not(None))).one()
    reply = session.exec(
        select(Reply).where(Reply.proposal_id == proposal.id, Reply.status == "issued")
    ).one()
    return proposal, reply


def _textarea(page, name: str) -> str:
    area = page.find_all("textarea", name=name)[0]
    # its text as a browser reads it (the first line break after the tag is not part of it)
    return "".join(c for c in area.children if isinstance(c, str)).removeprefix("\r\n").removeprefix("\n")


def _docx_text(response) -> str:
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    return "\n".join(p.text for p in document.paragraphs)


def _found(client: FlaskClient, query: str, proposal_id: int) -> list[str]:
    body = client.get(f"/api/search?q={query}").get_json()
    return [
        unit["url"]
        for group in body["groups"]
        if group.get("url") == f"/proposals/{proposal_id}"
        for unit in group["units"]
    ]


def _generation(session: Session) -> int:
    session.expire_all()
    row = session.get(ArchiveGeneration, 1)
    return row.value if row else 0


def test_a_correction_keeps_the_original_and_the_public_page_and_search_show_the_corrected_text(
    app, client: FlaskClient, login, parse_html, session: Session
) -> None:
    proposal, original = _published(session)
    assert any("#r" in url for url in _found(client, OLD_WORDS, proposal.id))  # the letter's point
    before = _generation(session)

    login(client, "agency")
    letter_page = parse_html(client.get(f"/replies/{original.id}").data)
    assert letter_page.find_all("a", href=f"/replies/{original.id}/correct")  # offered to its agency
    form = parse_html(client.get(f"/replies/{original.id}/correct").data)
    typed = _textarea(form, "text")
    assert OLD_WORDS in typed  # the letter in force, to change
    response = client.post(
        f"/replies/{original.id}/correct",
        data={"text": typed.replace(OLD_WORDS, NEW_WORDS), "reason": REASON},
    )
    assert response.status_code == 303
    new = session.exec(select(Reply).where(Reply.proposal_id == proposal.id, Reply.status == "issued")).one()
    assert response.headers["Location"] == f"/replies/{new.id}"
    session.refresh(original)
    assert original.status == "corrected" and OLD_WORDS in original.original_text  # kept whole
    assert _generation(session) > before  # pages cached for the public are not served again

    with app.test_client() as public:  # the public, not logged in
        page = parse_html(public.get(f"/proposals/{proposal.id}").data)
        text = page.text()
        assert NEW_WORDS in text and OLD_WORDS not in text
        assert page.find_all("a", href=f"/replies/{new.id}/history")  # the history one click away
        letter = parse_html(public.get(f"/replies/{new.id}").data)
        assert REASON in letter.text() and not letter.find_all("a", href=f"/replies/{new.id}/correct")
        history = parse_html(public.get(f"/replies/{new.id}/history").data)
        versions = history.find_all("li", class_="letter-version")
        assert len(versions) == 2 and REASON in versions[0].text()
        assert [d.text() for d in history.find_all("del")] == [OLD_WORDS, OLD_WORDS]
        assert [i.text() for i in history.find_all("ins")] == [NEW_WORDS, NEW_WORDS]
        # the .docx of either version, read back
        assert NEW_WORDS in _docx_text(public.get(f"/replies/{new.id}/letter.docx"))
        old_docx = public.get(f"/replies/{original.id}/letter.docx")
        assert OLD_WORDS in _docx_text(old_docx) and NEW_WORDS not in _docx_text(old_docx)
        assert "%E7%AC%AC1%E7%89%88" in old_docx.headers["Content-Disposition"]  # 第1版
        # search: the corrected text finds the letter, the old words no longer do
        assert any("#r" in url for url in _found(public, NEW_WORDS, proposal.id))
        assert _found(public, OLD_WORDS, proposal.id) == []


def test_a_correction_without_a_reason_comes_back_as_typed_and_changes_nothing(
    client: FlaskClient, login, parse_html, session: Session
) -> None:
    _proposal, original = _published(session)
    login(client, "agency")
    typed = original.original_text + "\n补充说明。"
    response = client.post(f"/replies/{original.id}/correct", data={"text": typed, "reason": " "})
    assert response.status_code == 422
    page = parse_html(response.data)
    assert _textarea(page, "text") == typed.replace("\r\n", "\n")
    assert "请说明更正的理由" in page.text()
    session.expire_all()
    assert session.get(Reply, original.id).status == "issued"
    assert len(session.exec(select(Reply).where(Reply.proposal_id == original.proposal_id)).all()) == 1


def test_only_the_writing_agency_or_staff_may_correct_and_only_the_version_in_force(
    client: FlaskClient, login, session: Session
) -> None:
    _proposal, original = _published(session)
    login(client, "member")
    assert client.get(f"/replies/{original.id}/correct").status_code == 403
    assert (
        client.post(f"/replies/{original.id}/correct", data={"text": "x", "reason": "y"}).status_code == 403
    )
    login(client, "staff")
    assert client.get(f"/replies/{original.id}/correct").status_code == 200
    posted = client.post(
        f"/replies/{original.id}/correct",
        data={"text": original.original_text + "补。", "reason": "来函更正"},
    )
    assert posted.status_code == 303
    # the version corrected is history: a stale page's correction is refused with the reason
    again = client.post(
        f"/replies/{original.id}/correct",
        data={"text": original.original_text + "再补。", "reason": "又一次"},
    )
    assert again.status_code == 409
    assert client.get(f"/replies/{original.id}/correct").status_code == 303
    assert client.get("/replies/999999/correct").status_code == 404
    assert client.get("/replies/999999/history").status_code == 404


def test_a_holding_answer_is_shown_before_the_final_reply_and_kept_after_it(
    client: FlaskClient, login, parse_html, session: Session, assigned_case
) -> None:
    case = assigned_case
    login(client, "agency")
    proposal_page = parse_html(client.get(f"/proposals/{case.proposal_id}").data)
    assert proposal_page.find_all("a", href=f"/proposals/{case.proposal_id}/holding")
    holding_text = "戴培红委员：\n\n您的提案涉及多个部门，我局正在研究，预计6月底前正式答复。\n\n镇海区经信局\n2026年12月2日"
    response = client.post(f"/proposals/{case.proposal_id}/holding", data={"text": holding_text})
    assert response.status_code == 303
    login(client, "member")  # the proposer reads the page
    page = parse_html(client.get(f"/proposals/{case.proposal_id}").data)
    section = page.find_all("section", class_="holding-answers")[0]
    assert "预计6月底前正式答复" in section.text() and "阶段性答复" in section.text()
    assert not page.find_all("form", class_="rating-form")  # nothing to rate before the final reply

    # the final reply, issued from the editor
    state = replying.editor(
        session=session, proposal_id=case.proposal_id, actor=case.lead, today=case.assigned_on
    )
    for section_ in state.content.sections:
        section_.body = "已按建议办理完毕。"
    state.content.outcome = "A"
    result = replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=state.content,
        revision=state.revision,
        now=replying.workflow.utcnow(),
    )
    assert result.reply is not None
    session.commit()

    page = parse_html(client.get(f"/proposals/{case.proposal_id}").data)
    assert not page.find_all("section", class_="holding-answers")  # the final reply answers now
    items = page.find_all("li", class_="reply-link")
    assert [i.attrs["class"].split()[1] for i in items] == ["reply-issued", "reply-holding"]
    assert "阶段性答复" in items[1].text()
    steps = [li.attrs["class"].split()[1] for li in page.find_all("li", class_="timeline-step")]
    assert steps.index("step-holding_answer") < steps.index("step-reply")
    assert page.find_all("form", class_="rating-form")  # the final reply is the one rated


def test_an_empty_holding_answer_comes_back_with_a_message(
    client: FlaskClient, login, parse_html, session: Session, assigned_case
) -> None:
    login(client, "agency")
    response = client.post(f"/proposals/{assigned_case.proposal_id}/holding", data={"text": "  "})
    assert response.status_code == 422
    assert "请填写阶段性答复" in parse_html(response.data).text()
    assert session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all() == []
    login(client, "member")
    assert client.get(f"/proposals/{assigned_case.proposal_id}/holding").status_code == 403
