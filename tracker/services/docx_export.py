"""The reply letter and the proposal form as Word documents (python-docx).

Layout follows the usual government document format (GB/T 9704): A4, margins 3.7/3.5/2.8/2.6 cm,
title in 宋体 (bold, 22 pt), body in 仿宋 (16 pt) with a two-character first-line indent, numbered
headings in 黑体, signature centred over the date, the date four characters from the right edge, page
numbers "— 1 —" in 宋体 14 pt below the text, on the outside edge (odd pages right, even pages left).
Fonts are named, not embedded: Word and WPS substitute the installed 宋体/仿宋 variants.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from tracker.domain.glossary import zh

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
BODY_SIZE = 16.0  # 三号
PAGE_NUMBER_SIZE = 14.0  # 四号
LINE = Pt(28)  # 22 lines to the page

# The labels of the proposal form: the glossary's, which the proposal page shows too.
FORM_LABELS = {
    key: zh(key)
    for key in (
        "number",
        "session",
        "title",
        "proposer",
        "joint",
        "cosigners",
        "category",
        "submitted",
        "accepted",
        "lead",
        "co",
        "address",
        "phone",
        "background",
        "suggestions",
    )
}
NOT_STATED = "—"


@dataclass
class LetterDocument:
    title: str
    salutation: str
    preamble: str
    points: Sequence[tuple[str, str, str]]  # (marker as written, heading, body after the heading)
    closing: str = ""
    signature: str = ""
    date: str = ""
    doc_number: str = ""
    outcome: str = ""  # 办复类别 A/B/C, when the reply states one


@dataclass
class ProposalDocument:
    title: str
    number: str = ""
    session: str = ""
    proposer: str = ""
    joint_proposers: Sequence[str] = field(default_factory=list)
    cosigners: Sequence[str] = field(default_factory=list)
    category: str = ""
    submitted_on: str = ""  # as people read dates: 2026年12月2日
    accepted_on: str = ""
    lead_agencies: Sequence[str] = field(default_factory=list)
    co_agencies: Sequence[str] = field(default_factory=list)
    background: str = ""
    suggestions: Sequence[tuple[str, str]] = field(default_factory=list)  # (marker, text)


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # East Asian text takes its font from w:eastAsia, which font.name does not set
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _width(text: str, size: float) -> float:
    """Printed width in points: a CJK or full-width character is one em, anything else half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size / 2 for ch in text)


def _field_run(paragraph: Paragraph, instruction: str, shown: str, font: str, size: float) -> None:
    """A Word field (PAGE …) with ``shown`` as its last computed value; Word and LibreOffice update it."""

    def run_with(*children) -> None:
        run = paragraph.add_run()
        _font(run, font, size)
        for child in children:
            run._element.append(child)

    def char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(char("begin"))
    run_with(instr)
    run_with(char("separate"))
    _font(paragraph.add_run(shown), font, size)
    run_with(char("end"))


def _page_numbers(doc) -> None:
    """ "— 1 —" under the text, one character in from the outside edge: odd pages right, even left."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.footer_distance = Cm(2.5)
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(PAGE_NUMBER_SIZE)
        else:
            p.paragraph_format.left_indent = Pt(PAGE_NUMBER_SIZE)
        _font(p.add_run("— "), TITLE_FONT, PAGE_NUMBER_SIZE)
        _field_run(p, "PAGE", "1", TITLE_FONT, PAGE_NUMBER_SIZE)
        _font(p.add_run(" —"), TITLE_FONT, PAGE_NUMBER_SIZE)


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    # no paragraph is left with a single line at the foot or the head of a page
    normal.paragraph_format.widow_control = True
    normal.paragraph_format.space_after = Pt(0)
    _page_numbers(doc)
    return doc


def _paragraph(
    doc,
    text: str,
    *,
    indent: bool = True,
    align=None,
    font: str = BODY_FONT,
    size: float = BODY_SIZE,
    bold: bool = False,
) -> Paragraph:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    p.paragraph_format.line_spacing = LINE
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _body_paragraphs(doc, text: str) -> list[Paragraph]:
    return [_paragraph(doc, line.strip()) for line in text.split("\n") if line.strip()]


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _signature_block(doc, signature: str, date: str) -> list[Paragraph]:
    """发文机关署名 centred over the 成文日期, the date four characters in from the right edge."""
    date_indent = BODY_SIZE * 4
    date_width = _width(date, BODY_SIZE) if date else 0.0
    block: list[Paragraph] = []
    for name in [part.strip() for part in signature.split("\n") if part.strip()]:
        p = _paragraph(doc, name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        offset = (date_width - _width(name, BODY_SIZE)) / 2 if date else 0.0
        p.paragraph_format.right_indent = Pt(max(date_indent + offset, BODY_SIZE * 2))
        block.append(p)
    if date:
        p = _paragraph(doc, date, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(date_indent)
        block.append(p)
    if block:
        block[0].paragraph_format.space_before = LINE  # one blank line under the text
    return block


def reply_letter_docx(letter: LetterDocument) -> bytes:
    doc = _new_document()
    if letter.outcome:
        p = _paragraph(
            doc,
            f"办复类别：{letter.outcome}类",
            indent=False,
            align=WD_ALIGN_PARAGRAPH.RIGHT,
            font=HEADING_FONT,
        )
        p.paragraph_format.right_indent = Pt(BODY_SIZE)
    if letter.doc_number:
        _paragraph(doc, letter.doc_number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    title = _paragraph(
        doc, letter.title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, bold=True
    )
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_before = Pt(14)
    title.paragraph_format.space_after = LINE
    title.paragraph_format.keep_with_next = True
    body: list[Paragraph] = []
    if letter.salutation:
        body.append(_paragraph(doc, f"{letter.salutation}：", indent=False))
    body += _body_paragraphs(doc, letter.preamble)
    for marker, heading, text in letter.points:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(BODY_SIZE * 2)
        p.paragraph_format.line_spacing = LINE
        _font(p.add_run(f"{marker}{heading}"), HEADING_FONT, BODY_SIZE)
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if lines:
            _font(p.add_run(lines[0]), BODY_FONT, BODY_SIZE)
        else:
            p.paragraph_format.keep_with_next = True  # a heading alone: its text follows
        body.append(p)
        body += [_paragraph(doc, line) for line in lines[1:]]
    body += _body_paragraphs(doc, letter.closing)
    signed = _signature_block(doc, letter.signature, letter.date)
    # The 落款 never stands alone on a page: the last paragraph of text keeps with it (at least its
    # last two lines, by widow control) and the block itself is never split.
    if signed and body:
        body[-1].paragraph_format.keep_with_next = True
    for p in signed[:-1]:
        p.paragraph_format.keep_with_next = True
    return _save(doc)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def proposal_form_docx(form: ProposalDocument) -> bytes:
    doc = _new_document()
    heading = _paragraph(
        doc, "提案", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, bold=True
    )
    heading.paragraph_format.line_spacing = Pt(36)
    heading.paragraph_format.space_after = Pt(14)
    listed = "、".join
    rows = [
        ("number", form.number or NOT_STATED),
        ("session", form.session or NOT_STATED),
        ("title", form.title or NOT_STATED),
        ("proposer", form.proposer or NOT_STATED),
        ("joint", listed(form.joint_proposers) or NOT_STATED),
        ("cosigners", listed(form.cosigners) or NOT_STATED),
        ("category", form.category or NOT_STATED),
        ("submitted", form.submitted_on or NOT_STATED),
        ("accepted", form.accepted_on or NOT_STATED),
        ("lead", listed(form.lead_agencies) or NOT_STATED),
        ("co", listed(form.co_agencies) or NOT_STATED),
        # nothing stores how to reach the proposer: left blank to be filled in on the printed form
        ("address", ""),
        ("phone", ""),
    ]
    # the label column holds five characters (联合提案人) on one line; the value takes the rest
    label_width, value_width = Cm(3.2), Cm(12.4)
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table.columns[0].width, table.columns[1].width = label_width, value_width
    for row, (key, value) in zip(table.rows, rows, strict=True):
        row.height = Cm(1.0)
        label_cell, value_cell = row.cells
        label_cell.width, value_cell.width = label_width, value_width
        _shade(label_cell, "F2F2F2")
        for cell, text, bold, align in (
            (label_cell, FORM_LABELS[key], True, WD_ALIGN_PARAGRAPH.CENTER),
            (value_cell, value, False, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = align
            p.paragraph_format.line_spacing = Pt(22)
            _font(p.add_run(text), HEADING_FONT if bold else BODY_FONT, 14, bold=bold)
    for key, paragraphs in (
        ("background", [line for line in form.background.split("\n") if line.strip()]),
        ("suggestions", [f"{marker or ''}{text}" for marker, text in form.suggestions]),
    ):
        if not paragraphs:
            continue
        section_heading = _paragraph(doc, FORM_LABELS[key], indent=False, font=HEADING_FONT)
        section_heading.paragraph_format.space_before = Pt(14)
        section_heading.paragraph_format.keep_with_next = True
        for text in paragraphs:
            _paragraph(doc, text.strip())
    return _save(doc)
