"""Reference documents split into their numbered clauses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.outline import outline

LIBRARY = Path(__file__).resolve().parents[2] / "seeds" / "library"


def test_clauses_continue_across_sections() -> None:
    text = "一、总体要求\n（一）重要意义。甲。\n（二）目标。乙。\n二、主要措施\n（三）优化结构。丙。\n（四）鼓励创新。丁。"
    clauses = outline(text)
    assert [(c.level, c.marker) for c in clauses] == [
        (1, "一、"),
        (2, "（一）"),
        (2, "（二）"),
        (1, "二、"),
        (2, "（三）"),
        (2, "（四）"),
    ]
    assert clauses[4].anchor == "c2-3"
    assert clauses[4].title == "优化结构"


def test_parts_sections_and_restarting_subsections() -> None:
    text = "第一部分  发展回顾\n一、发展成就\n（一）总量增长。\n二、发展环境\n（一）政策改善。\n第二部分  发展形势\n一、机遇"
    clauses = outline(text)
    assert [(c.level, c.marker, c.number_path) for c in clauses] == [
        (1, "第一部分", (1,)),
        (2, "一、", (1, 1)),
        (3, "（一）", (1, 1, 1)),
        (2, "二、", (1, 2)),
        (3, "（一）", (1, 2, 1)),
        (1, "第二部分", (2,)),
        (2, "一、", (2, 1)),
    ]


def test_numerals_inside_lines_are_not_clauses() -> None:
    text = "一、总体要求\n覆盖一、二、三次产业，实施（一）期工程。\n二、措施"
    assert [c.marker for c in outline(text)] == ["一、", "二、"]


@pytest.mark.parametrize(
    ("slug", "level", "first", "last", "count"),
    [
        ("zhejiang-small-micro-enterprises-opinions", 2, "（一）", "（三十六）", 36),
        ("beijing-sme-plan-2011-2015", 1, "第一部分", "第六部分", 6),
    ],
)
def test_seed_reference_documents(slug: str, level: int, first: str, last: str, count: int) -> None:
    clauses = [c for c in outline((LIBRARY / f"{slug}.txt").read_text(encoding="utf-8")) if c.level == level]
    assert (clauses[0].marker, clauses[-1].marker, len(clauses)) == (first, last, count)
    assert [c.n for c in clauses] == list(range(1, count + 1))
