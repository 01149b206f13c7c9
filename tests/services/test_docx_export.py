"""Word documents: they open with python-docx and hold the letter's parts in order."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
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
                lead_agencies=["镇海区经信局"],
                co_agencies=["镇海区商务局", "镇海区财政局"],
                submitted_on="2016年1月5日",
                accepted_on="2016年1月20日",
            )
        )
    )
    table = doc.tables[0]
    cells = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert cells["案号"] == "第2号" and cells["提案人"] == "戴培红" and cells["联名人"] == "—"
    assert cells["标题"] == "关于加强小型微型企业分级服务与管理的建议"
    assert (cells["提交日期"], cells["立案日期"]) == ("2016年1月5日", "2016年1月20日")
    assert (cells["主办单位"], cells["协办单位"]) == ("镇海区经信局", "镇海区商务局、镇海区财政局")
    assert (cells["通讯地址"], cells["联系电话"]) == ("", "")  # blank, to be filled in by hand
    texts = [p.text for p in doc.paragraphs]
    numbered = [t for t in texts if t[:2] in ("1.", "2.", "3．", "4．", "5．")]
    assert len(numbered) == 5 and numbered[4].startswith("5．建立商业信息中心")


def _letter(**extra) -> LetterDocument:
    return LetterDocument(
        title="关于政协第十届第三次会议第2号提案的答复",
        salutation="戴培红委员",
        preamble="您提出的提案收悉，现答复如下：",
        points=[("一、", "关于“甲”。", "已落实。"), ("二、", "关于“乙”。", "在推进。")],
        closing="感谢您对我们工作的关心和支持。",
        signature="镇海区经信局",
        date="2016年6月30日",
        **extra,
    )


def _page_field(footer) -> str:
    """The footer's text with its PAGE field shown as {PAGE}."""
    out = []
    for run in footer.paragraphs[0].runs:
        instr = run._element.find(qn("w:instrText"))
        if instr is not None:
            out.append("{" + instr.text.strip() + "}")
        elif run._element.find(qn("w:fldChar")) is None:
            out.append(run.text)
    return "".join(out)


def test_the_letter_numbers_its_pages_on_the_outside_edge() -> None:
    doc = _open(reply_letter_docx(_letter()))
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer, section.even_page_footer
    # the last computed value (1) sits between the separate and end marks, as Word writes it
    assert _page_field(odd).replace("1", "") == "— {PAGE} —" == _page_field(even).replace("1", "")
    assert odd.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert even.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT


def test_the_signature_and_date_keep_with_the_last_lines_of_text() -> None:
    doc = _open(reply_letter_docx(_letter()))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert texts[-3:] == ["感谢您对我们工作的关心和支持。", "镇海区经信局", "2016年6月30日"]
    closing, signature, _date = paragraphs[-3:]
    assert closing.paragraph_format.keep_with_next and signature.paragraph_format.keep_with_next
    assert doc.styles["Normal"].paragraph_format.widow_control  # at least two lines go along
    # only the end is bound: the points still break across pages as they fall
    assert not any(p.paragraph_format.keep_with_next for p in paragraphs[2:-3])


@pytest.mark.parametrize(
    ("outcome", "first"), [("B", "办复类别：B类"), ("", "关于政协第十届第三次会议第2号提案的答复")]
)
def test_the_outcome_class_is_printed_above_the_title(outcome: str, first: str) -> None:
    doc = _open(reply_letter_docx(_letter(outcome=outcome)))
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    assert paragraphs[0].text == first
    if outcome:
        assert paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_the_form_label_column_is_narrow_and_bold() -> None:
    table = _open(proposal_form_docx(ProposalDocument(title="关于X的建议", number="第1号"))).tables[0]
    label_width, value_width = (col.width for col in table.columns)
    assert label_width * 3 < value_width
    for row in table.rows:
        assert all(run.font.bold for run in row.cells[0].paragraphs[0].runs)
        assert not any(run.font.bold for run in row.cells[1].paragraphs[0].runs)
