"""Word documents: they open with python-docx and hold the letter's parts in order."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from tracker.domain.replies import parse_reply
from tracker.domain.splitting import split_proposal
from tracker.services.docx_export import (
    LetterDocument,
    ProposalDocument,
    proposal_form_docx,
    reply_letter_docx,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002"


def _open(data: bytes):
    return Document(io.BytesIO(data))


def test_reply_letter_holds_the_five_points_in_order() -> None:
    reply = parse_reply((SEED / "reply.txt").read_text(encoding="utf-8"))
    data = reply_letter_docx(
        LetterDocument(
            title=reply.title,
            doc_number="镇经信〔2016〕8号",
            salutation=reply.salutation,
            preamble=reply.preamble,
            points=[(p.marker or "", p.title, p.text[len(p.title) :]) for p in reply.points],
            closing=reply.closing,
            signature=reply.signature,
            date="2016年6月30日",
        )
    )
    doc = _open(data)
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["镇经信〔2016〕8号", "第2号提案的答复", "戴培红委员："]
    point_paragraphs = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert [t[:2] for t in point_paragraphs] == ["一、", "二、", "三、", "四、", "五、"]
    assert point_paragraphs[4].startswith("五、关于“商业信息中心”")
    assert texts[-2:] == ["镇海区经信局", "2016年6月30日"]
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 2.8
    title_run = doc.paragraphs[1].runs[0]
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert doc.paragraphs[3].runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"


def test_proposal_form_lists_fields_and_numbered_suggestions() -> None:
    split = split_proposal((SEED / "proposal.txt").read_text(encoding="utf-8"))
    doc = _open(
        proposal_form_docx(
            ProposalDocument(
                title="关于加强小型微型企业分级服务与管理的建议",
                number="第2号",
                proposer="戴培红",
                background=split.background,
                suggestions=[(s.marker or "", s.text) for s in split.suggestions],
                agencies="镇海区经信局（主办）",
            )
        )
    )
    table = doc.tables[0]
    cells = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert cells["案号"] == "第2号" and cells["提案人"] == "戴培红" and cells["附议人"] == "—"
    texts = [p.text for p in doc.paragraphs]
    numbered = [t for t in texts if t[:2] in ("1.", "2.", "3．", "4．", "5．")]
    assert len(numbered) == 5 and numbered[4].startswith("5．建立商业信息中心")
