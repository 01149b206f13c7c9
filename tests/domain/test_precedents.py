"""Ranking precedents and the text a copied answer starts with (tracker.domain.precedents)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.precedents import Candidate, rank, starting_text, weight, with_copied


def _c(
    point: int, similarity: float, rating: str | None = None, outcome: str | None = None, **kw
) -> Candidate:
    return Candidate(point_id=point, similarity=similarity, rating=rating, outcome=outcome, **kw)


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        # likeness first
        ([_c(1, 2.0), _c(2, 8.0), _c(3, 5.0)], [2, 3, 1]),
        # equally alike: the proposer's rating decides
        ([_c(1, 5.0, "dissatisfied"), _c(2, 5.0, "satisfied"), _c(3, 5.0, "basically_satisfied")], [2, 3, 1]),
        # a rated answer comes before an unrated one, an unrated one before a dissatisfying one
        ([_c(1, 5.0, "dissatisfied"), _c(2, 5.0), _c(3, 5.0, "basically_satisfied")], [3, 2, 1]),
        # then the class: A before B before C
        ([_c(1, 5.0, outcome="C"), _c(2, 5.0, outcome="A"), _c(3, 5.0, outcome="B")], [2, 3, 1]),
        # a satisfying answer to a loosely similar suggestion never overtakes a near copy's
        ([_c(1, 6.0, "satisfied", "A"), _c(2, 10.0, "dissatisfied", "C")], [2, 1]),
        # but a clearly better-rated answer to an almost as similar one does
        ([_c(1, 9.5, "satisfied", "A"), _c(2, 10.0, "dissatisfied", "C")], [1, 2]),
        # a point found through two suggestions counts once, by the more similar one
        ([_c(1, 3.0), _c(2, 5.0), _c(1, 9.0)], [1, 2]),
        # less than a quarter as alike as the best: another matter, left out
        ([_c(1, 10.0), _c(2, 2.4), _c(3, 2.5)], [1, 3]),
        # ties: the newer letter, then the lower point id
        ([_c(1, 5.0, issued=date(2020, 1, 1)), _c(2, 5.0, issued=date(2024, 1, 1)), _c(3, 5.0)], [2, 1, 3]),
        ([], []),
    ],
)
def test_rank(candidates: list[Candidate], expected: list[int]) -> None:
    assert [c.point_id for c in rank(candidates, limit=10)] == expected


def test_rank_keeps_the_best_few_with_their_weight() -> None:
    ranked = rank([_c(i, float(i)) for i in range(1, 9)], limit=3)
    assert [c.point_id for c in ranked] == [8, 7, 6]
    assert ranked[0].weight == pytest.approx(1.0)
    assert ranked[1].weight == pytest.approx(7 / 8)


@pytest.mark.parametrize(
    ("relative", "rating", "outcome", "expected"),
    [
        (1.0, None, None, 1.0),
        (1.0, "satisfied", "A", 1.3),
        (0.5, "basically_satisfied", "B", 0.575),
        (1.0, "dissatisfied", "C", 0.8),
        (1.0, "unknown", "Z", 1.0),
    ],
)
def test_weight(relative: float, rating: str | None, outcome: str | None, expected: float) -> None:
    assert weight(relative, rating, outcome) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "heading", "expected"),
    [
        ("关于设立专门机构。我局已成立服务中心。", "关于设立专门机构", "我局已成立服务中心。"),
        (
            "关于设立专门机构：\n我局已成立服务中心。\n下一步将扩大覆盖。",
            "关于设立专门机构",
            "我局已成立服务中心。\n下一步将扩大覆盖。",
        ),
        ("\u3000\u3000我局已成立服务中心。", "关于别的", "我局已成立服务中心。"),
        ("我局已成立服务中心。", "", "我局已成立服务中心。"),
    ],
)
def test_starting_text_leaves_out_the_old_heading(text: str, heading: str, expected: str) -> None:
    assert starting_text(text, heading) == expected


@pytest.mark.parametrize(
    ("current", "copied", "expected"),
    [
        ("", "旧答复。", "旧答复。"),
        ("  \n", "旧答复。", "旧答复。"),
        ("已写的内容。", "旧答复。", "已写的内容。\n\n旧答复。"),
    ],
)
def test_with_copied_never_loses_what_was_typed(current: str, copied: str, expected: str) -> None:
    assert with_copied(current, copied) == expected
