"""Reference documents: clauses stored from the outline and shown as a tree with stable anchors."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.services.errors import DuplicateError
from tracker.services.library import document_view, get_document, list_documents, record_reference

CN_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]


def cn(n: int) -> str:
    """1..99 as written in clause markers: 十, 十一, 二十, 三十六."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_NUMERALS[tens - 1] + "十")
    return head + ("" if ones == 0 else CN_NUMERALS[ones - 1])


def test_zhejiang_opinions_have_clauses_one_to_thirty_six(session: Session) -> None:
    view = document_view(session=session, slug="zhejiang-small-micro-enterprises-opinions")
    assert view is not None
    sections = view.clauses
    assert [node.clause.marker for node in sections] == [f"{cn(n)}、" for n in range(1, 11)]
    clauses = [child for node in sections for child in node.children]
    assert [c.clause.marker for c in clauses] == [f"（{cn(n)}）" for n in range(1, 37)]
    assert clauses[0].anchor == "c1-1" and clauses[0].clause.title == "重要意义"
    assert clauses[-1].anchor == "c10-36" and clauses[-1].clause.title == "强化考核督查"
    assert view.preamble.startswith("各市、县（市、区）人民政府")
    # a clause's own text does not run on into the next clause
    assert "（二）" not in clauses[0].body


def test_beijing_plan_records_its_number_title_and_parts(session: Session) -> None:
    document = get_document(session=session, slug="beijing-sme-plan-2011-2015")
    assert document.doc_number == "京政发〔2011〕64号附件"
    assert document.title == "北京市“十二五”时期中小企业发展促进规划"
    assert document.issuer is None  # not stated in the text
    view = document_view(session=session, slug=document.slug)
    assert view.clauses[0].clause.marker == "第一部分"
    assert view.clauses[0].children[0].anchor == "c1-1"
    assert view.clauses[0].children[0].children[0].anchor == "c1-1-1"


def test_english_documents_have_no_clauses_and_keep_their_text(session: Session) -> None:
    view = document_view(session=session, slug="news-8000-small-micro-enterprises")
    assert view.clause_count == 0 and view.clauses == []
    assert view.preamble.startswith("8000 small and micro enterprises will get help")


def test_list_documents_counts_clauses_and_puts_chinese_first(session: Session) -> None:
    listed = [(doc.slug, doc.language, count) for doc, count in list_documents(session=session)]
    assert [language for _slug, language, _n in listed] == ["zh", "zh", "en", "en"]
    counts = {slug: n for slug, _language, n in listed}
    assert counts["zhejiang-small-micro-enterprises-opinions"] == 46
    assert counts["local-government-support-abstract"] == 0


def test_slugs_are_unique(session: Session) -> None:
    with pytest.raises(DuplicateError):
        record_reference(session=session, slug="beijing-sme-plan-2011-2015", text="一、总则\n内容。")


def test_repeated_paths_get_distinct_anchors(session: Session) -> None:
    text = "一、总则\n（一）甲。\n二、分则\n（一）乙。\n"
    record_reference(session=session, slug="tiny", text=text, description="小文件")
    view = document_view(session=session, slug="tiny")
    anchors = [node.anchor for top in view.clauses for node in [top, *top.children]]
    assert len(anchors) == len(set(anchors))
    assert document_view(session=session, slug="missing") is None
