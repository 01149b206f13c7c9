"""The rules of holding answers and corrections (tracker.domain.corrections): what a correction must
state, how two versions differ, and which point of the version corrected each new point stands for."""

from __future__ import annotations

import pytest

from tracker.domain.corrections import (
    Change,
    Piece,
    check_correction,
    check_holding,
    match_points,
    text_diff,
)
from tracker.domain.messages import RuleError
from tracker.domain.notifications import KIND_NAMES, KINDS_BY_ROLE, MESSAGES, Kind, default_channel

CURRENT = "一、关于培训。已完成。\n二、关于平台。已上线。"


@pytest.mark.parametrize(
    ("text", "reason", "fields"),
    [
        (None, "理由", {"text"}),
        ("", "理由", {"text"}),
        ("  \n ", "理由", {"text"}),
        (CURRENT, "理由", {"text"}),  # unchanged
        (CURRENT + "   \n", "理由", {"text"}),  # unchanged but for blanks at the end
        (CURRENT.replace("\n", "\r\n"), "理由", {"text"}),  # unchanged but for the line breaks
        (CURRENT + "补。", "", {"reason"}),
        (CURRENT + "补。", " \t", {"reason"}),
        (CURRENT + "补。", None, {"reason"}),
        ("", "", {"text", "reason"}),
        ("长" * 100_001, "理由", {"text"}),
        (CURRENT + "补。", "长" * 2_001, {"reason"}),
    ],
)
def test_a_correction_needs_a_changed_letter_and_a_reason(text, reason, fields) -> None:
    with pytest.raises(RuleError) as raised:
        check_correction(text, reason, CURRENT)
    assert {p.field for p in raised.value.problems} == fields


@pytest.mark.parametrize(
    ("text", "reason", "expected"),
    [
        (CURRENT + "补。", "时间有误", (CURRENT + "补。", "时间有误")),
        (
            "\r\n" + CURRENT.replace("已上线", "将上线") + "  ",
            " 平台状态 ",
            (CURRENT.replace("已上线", "将上线"), "平台状态"),
        ),
        ("新\x00文", "理由", ("新文", "理由")),  # control characters dropped
    ],
)
def test_a_correction_is_cleaned(text, reason, expected) -> None:
    assert check_correction(text, reason, CURRENT) == expected


@pytest.mark.parametrize(
    ("text", "ok"),
    [("我局正在研究，预计六月底前答复。", True), ("", False), (" \n", False), ("长" * 20_001, False)],
)
def test_a_holding_answer_needs_a_text_of_reasonable_size(text, ok) -> None:
    if ok:
        assert check_holding(text) == text
    else:
        with pytest.raises(RuleError):
            check_holding(text)


@pytest.mark.parametrize(
    ("old", "new", "pieces"),
    [
        ("abc", "abc", [Piece(Change.SAME, "abc")]),
        (
            "今年完成",
            "去年完成",
            [Piece(Change.REMOVED, "今"), Piece(Change.ADDED, "去"), Piece(Change.SAME, "年完成")],
        ),
        ("已上线。", "已上线。补充。", [Piece(Change.SAME, "已上线。"), Piece(Change.ADDED, "补充。")]),
        ("甲乙丙", "甲丙", [Piece(Change.SAME, "甲"), Piece(Change.REMOVED, "乙"), Piece(Change.SAME, "丙")]),
        ("", "新", [Piece(Change.ADDED, "新")]),
        ("旧", "", [Piece(Change.REMOVED, "旧")]),
        # blanks at line ends and CRLF are no change a reader sees
        ("一行   \r\n二行", "一行\n二行", [Piece(Change.SAME, "一行\n二行")]),
    ],
)
def test_text_diff(old, new, pieces) -> None:
    assert text_diff(old, new) == pieces


def test_text_diff_puts_the_new_text_back_together() -> None:
    old, new = (
        "一、关于培训。已完成。\n二、关于平台。已上线。",
        "一、关于培训。正在进行。\n二、关于平台。已上线，见附件。",
    )
    pieces = text_diff(old, new)
    assert "".join(p.text for p in pieces if p.change != Change.REMOVED) == new
    assert "".join(p.text for p in pieces if p.change != Change.ADDED) == old


@pytest.mark.parametrize(
    ("old", "new", "matched"),
    [
        ([1, 2, 3], [1, 2, 3], {0: 0, 1: 1, 2: 2}),  # the same points, by number
        ([1, 2, 3], [1, 3], {0: 0, 1: 2}),  # a point taken out: the rest keep their numbers' links
        ([1, 2], [1, 2, 3], {0: 0, 1: 1}),  # a point added: matched to nothing (the linker proposes)
        ([None, None], [None, None], {0: 0, 1: 1}),  # unnumbered, as many: by place
        ([None, None], [None], {}),  # unnumbered, not as many: nothing to go by
        ([1, 2], [2, 1], {0: 1, 1: 0}),  # reordered: by number, not by place
        ([], [1], {}),
    ],
)
def test_points_are_matched_by_number_else_by_place(old, new, matched) -> None:
    assert match_points(old, new) == matched


@pytest.mark.parametrize("kind", [Kind.HOLDING_ANSWER, Kind.REPLY_CORRECTED])
def test_the_new_notification_kinds_are_in_every_table(kind) -> None:
    assert kind in MESSAGES and kind in KIND_NAMES
    assert kind in KINDS_BY_ROLE["member"] and kind in KINDS_BY_ROLE["staff"]
    # the committee office reads these in the daily digest; the proposer is mailed at once
    assert default_channel(kind, "staff") == "digest" and default_channel(kind, "member") == "email"
