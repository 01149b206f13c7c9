"""How much a stored proposal resembles a draft (issue 16): suggestions matched one by one whatever
their order, and the title; the ranking the similar-proposals lists use."""

from __future__ import annotations

import pytest

from tracker.domain.duplicates import resemblance

TITLE = "关于加快老旧小区加装电梯的提案"
ROWS = [
    "简化加装电梯的审批程序。实行联合审批，缩短审批时间。",
    "加大财政补助力度。对每台加装电梯给予定额补助。",
    "做好居民协商工作。组织住户协商分摊费用。",
]


@pytest.mark.parametrize(
    ("title", "rows", "low", "high"),
    [
        (TITLE, ROWS, 1.0, 1.0),  # the same proposal
        (TITLE, list(reversed(ROWS)), 1.0, 1.0),  # the order of the suggestions does not matter
        ("关于推进老旧小区增设电梯工作的建议", ROWS, 0.8, 0.95),  # another title only
        ("加装电梯", ROWS[:1], 0.3, 0.7),  # one of three suggestions: the rest is missing both ways
        ("关于加强校园安全的提案", ["增设校医岗位。学校应配备专职校医。"], 0.0, 0.15),  # another subject
        (TITLE, [], 1.0, 1.0),  # no suggestions yet: the title alone
        ("", [], 0.0, 0.0),
    ],
    ids=["same", "reordered", "retitled", "partial", "unrelated", "title-only", "empty"],
)
def test_resemblance_table(title: str, rows: list[str], low: float, high: float) -> None:
    score = resemblance(title, rows, TITLE, ROWS).score
    assert low <= score <= high


def test_a_reworded_copy_beats_a_proposal_sharing_one_suggestion() -> None:
    copy = ["居民协商工作要做好。组织住户协商费用分摊。", "财政补助力度要加大。每台加装电梯定额补助。"]
    original = resemblance("老旧小区增设电梯的建议", copy, TITLE, ROWS)
    neighbour = resemblance(
        "老旧小区增设电梯的建议",
        copy,
        "关于改善社区养老服务的提案",
        ["做好居民协商工作。组织住户协商分摊费用。"],
    )
    assert original.score > neighbour.score
    assert original.suggestions > neighbour.suggestions and original.title > neighbour.title
