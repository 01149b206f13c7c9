"""Word downloads: the reply letter and the proposal form open with python-docx and hold what the pages
show, in order."""

from __future__ import annotations

import io
from urllib.parse import unquote

from docx import Document
from sqlmodel import Session, select

from tracker.models import Proposal, Reply

NUMERALS = ("一、", "二、", "三、", "四、", "五、")


def _model(session: Session) -> tuple[Proposal, Reply]:
    proposal = session.exec(select(Proposal).where(Proposal.number == 2)).one()
    return proposal, session.exec(select(Reply).where(Reply.proposal_id == proposal.id)).one()


def test_the_reply_letter_as_word_holds_the_five_points_in_order(client, session: Session) -> None:
    _proposal, reply = _model(session)
    response = client.get(f"/replies/{reply.id}/letter.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "第2号提案的答复.docx" in unquote(disposition)
    letter = Document(io.BytesIO(response.data))
    texts = [p.text for p in letter.paragraphs if p.text.strip()]
    assert texts[0] == "第2号提案的答复"
    assert texts[1] == "戴培红委员："
    numbered = [t for t in texts if t[:2] in NUMERALS]
    assert [t[:2] for t in numbered] == list(NUMERALS)
    assert numbered[0].startswith("一、关于“设立专门的服务与管理机构”。我区目前有专门的企业服务领导小组")
    assert numbered[4].startswith("五、关于“商业信息中心”。2013年11月")
    assert texts[-1] == "镇海区经信局"
    fonts = {run.font.name for p in letter.paragraphs for run in p.runs}
    assert {"宋体", "仿宋", "黑体"} <= fonts
    section = letter.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_the_proposal_form_as_word(client, session: Session) -> None:
    proposal, _reply = _model(session)
    response = client.get(f"/proposals/{proposal.id}/form.docx")
    assert response.status_code == 200
    form = Document(io.BytesIO(response.data))
    cells = {row.cells[0].text: row.cells[1].text for row in form.tables[0].rows}
    assert cells["案号"] == "第2号"
    assert cells["提案人"] == "戴培红"
    assert cells["标题"] == proposal.title  # 案由 is the background, as on the proposal page (the glossary)
    assert cells["届次"] and cells["类别"]
    texts = [p.text for p in form.paragraphs]
    suggestions = texts[texts.index("建议") + 1 :]
    assert len(suggestions) == 5
    assert suggestions[0].startswith("1.设立专门的服务与管理机构。")
    assert suggestions[4].startswith("5．建立商业信息中心")  # the marker as written


def test_the_proposal_page_links_both_downloads(client, get_page, session: Session) -> None:
    proposal, reply = _model(session)
    page = get_page(f"/proposals/{proposal.id}")
    hrefs = {a.attrs.get("href") for a in page.find_all("a")}
    assert f"/proposals/{proposal.id}/form.docx" in hrefs
    assert f"/replies/{reply.id}/letter.docx" in hrefs


def test_the_reply_letter_as_word_prints_its_outcome_class(client, session: Session) -> None:
    _proposal, reply = _model(session)
    reply.outcome = "B"
    session.add(reply)
    session.commit()
    letter = Document(io.BytesIO(client.get(f"/replies/{reply.id}/letter.docx").data))
    texts = [p.text for p in letter.paragraphs if p.text.strip()]
    assert texts[:2] == ["办复类别：B类", "第2号提案的答复"]
