"""Page anchors: the names the pages give suggestions, reply points and clauses (the index links to them)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tracker.domain.anchors import clause_anchors, point_anchor, suggestion_anchor


@dataclass
class Item:
    n: int | None
    position: int
    id: int | None = None


@pytest.mark.parametrize(("n", "position", "anchor"), [(3, 0, "s3"), (None, 0, "s-1"), (None, 4, "s-5")])
def test_suggestion_anchor(n: int | None, position: int, anchor: str) -> None:
    assert suggestion_anchor(Item(n, position)) == anchor


@pytest.mark.parametrize(
    ("n", "position", "lead", "anchor"),
    [(3, 2, True, "r3"), (3, 2, False, "r12-3"), (None, 2, True, "r-3"), (None, 0, False, "r12--1")],
)
def test_point_anchor(n: int | None, position: int, lead: bool, anchor: str) -> None:
    assert point_anchor(Item(n, position), reply=Item(None, 0, id=12), lead=lead) == anchor


@pytest.mark.parametrize(
    ("clauses", "anchors"),
    [
        ([], []),
        ([("1", 0), ("1.2", 1), ("5.16", 2)], ["c1", "c1-2", "c5-16"]),
        # an outline that restarts its numbering: the repeated path takes its position
        ([("1", 0), ("2", 1), ("1", 2)], ["c1", "c2", "c1_2"]),
    ],
)
def test_clause_anchors(clauses: list[tuple[str, int]], anchors: list[str]) -> None:
    assert clause_anchors(clauses) == anchors
