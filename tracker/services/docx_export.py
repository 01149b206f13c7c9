"""The reply letter and the proposal form as Word documents (python-docx).

Layout follows the usual government document format (GB/T 9704): A4, margins 3.7/3.5/2.8/2.6 cm,
title in 宋体 (bold, 22 pt), body in 仿宋 (16 pt) with a two-character first-line indent, numbered
headings in 黑体, signature and date right-aligned. Fonts are named, not embedded: Word and WPS
substitute the installed 宋体/仿宋 variants.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"


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


@dataclass
class ProposalDocument:
    title: str
    number: str = ""
    session: str = ""
    proposer: str = ""
    cosigners: Sequence[str] = field(default_factory=list)
    category: str = ""
    background: str = ""
    suggestions: Sequence[tuple[str, str]] = field(default_factory=list)  # (marker, text)
    agencies: str = ""


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # East Asian text takes its font from w:eastAsia, which font.name does not set
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return doc


def _paragraph(
    doc,
    text: str,
    *,
    indent: bool = True,
    align=None,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
) -> Paragraph:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(text), font, size, bold=bold)
    return p


def _body_paragraphs(doc, text: str) -> None:
    for line in text.split("\n"):
        if line.strip():
            _paragraph(doc, line.strip())


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def reply_letter_docx(letter: LetterDocument) -> bytes:
    doc = _new_document()
    if letter.doc_number:
        _paragraph(doc, letter.doc_number, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(
        doc, letter.title, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, bold=True
    )
    _paragraph(doc, f"{letter.salutation}：", indent=False)
    _body_paragraphs(doc, letter.preamble)
    for marker, heading, body in letter.points:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        p.paragraph_format.line_spacing = Pt(28)
        _font(p.add_run(f"{marker}{heading}"), HEADING_FONT, 16)
        lines = [line.strip() for line in body.split("\n") if line.strip()]
        if lines:
            _font(p.add_run(lines[0]), BODY_FONT, 16)
        for line in lines[1:]:
            _paragraph(doc, line)
    _body_paragraphs(doc, letter.closing)
    for line in (letter.signature, letter.date):
        if line:
            for part in line.split("\n"):
                _paragraph(doc, part, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return _save(doc)


def proposal_form_docx(form: ProposalDocument) -> bytes:
    doc = _new_document()
    _paragraph(
        doc, "提案", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22, bold=True
    )
    rows = [
        ("案号", form.number),
        ("届次", form.session),
        ("提案人", form.proposer),
        ("附议人", "、".join(form.cosigners)),
        ("类别", form.category),
        ("承办单位", form.agencies),
        ("案由", form.title),
    ]
    table = doc.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(table.rows, rows, strict=True):
        for cell, text, bold in ((row.cells[0], label, True), (row.cells[1], value or "—", False)):
            cell.paragraphs[0].text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 14, bold=bold)
        row.cells[0].width, row.cells[1].width = Cm(3), Cm(12.6)
    _paragraph(doc, "提案内容", indent=False, font=HEADING_FONT)
    _body_paragraphs(doc, form.background)
    if form.suggestions:
        _paragraph(doc, "建议", indent=False, font=HEADING_FONT)
        for marker, text in form.suggestions:
            _paragraph(doc, f"{marker or ''}{text}")
    return _save(doc)
