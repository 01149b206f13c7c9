"""The proposal form's rules: cleaning, limits, the preview of a pasted text, the composed document."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.drafting import (
    LIMITS,
    Draft,
    clean_draft,
    clean_text,
    compose,
    parse_names,
    preview,
    problems,
)
from tracker.domain.messages import RuleError
from tracker.domain.splitting import split_proposal

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
CATEGORIES = ["经济发展", "其他"]


def test_clean_text_drops_control_characters_and_keeps_layout() -> None:
    typed = "第一段\x00\x07\r\n\u3000\u3000第二段\x1b[31m\u2028第三段\ufeff\x7f\x85  \n\n"
    assert clean_text(typed) == "第一段\n\u3000\u3000第二段[31m\n第三段"
    assert clean_text("关于\t加强\n管理\x0c的建议", one_line=True) == "关于 加强 管理 的建议"
    assert clean_text(None) == ""


def test_parse_names() -> None:
    assert parse_names(" 张三、李四，王五,张三;赵六 钱七 ") == ["张三", "李四", "王五", "赵六", "钱七"]
    assert parse_names("") == []


def test_clean_draft_drops_empty_rows_and_typed_markers() -> None:
    draft = clean_draft(
        title=" 关于\x00测试的建议 ",
        category="其他",
        background="背景。",
        suggestions=["1. 第一条。", "  ", "（二）第二条。", "3．第三条。", "1.5亿元投入。"],
        cosigners="张三、李四",
    )
    assert draft.title == "关于测试的建议"
    assert draft.suggestions == ["第一条。", "第二条。", "第三条。", "1.5亿元投入。"]
    assert draft.cosigners == ["张三", "李四"]


def test_a_draft_needs_only_a_title_but_a_submission_needs_everything() -> None:
    assert [p.field for p in problems(Draft(), submitting=False, categories=CATEGORIES)] == ["title"]
    fields = [p.field for p in problems(Draft(), submitting=True, categories=CATEGORIES)]
    assert fields == ["title", "category", "background", "suggestions"]
    complete = Draft(title="题", category="其他", background="背景", suggestions=["建议。"])
    assert problems(complete, submitting=True, categories=CATEGORIES) == []


def test_limits_give_counts_in_the_message() -> None:
    draft = Draft(
        title="题" * (LIMITS.title + 1),
        category="不存在",
        suggestions=["短。", "长" * (LIMITS.suggestion + 1)],
        cosigners=[f"委员{i}" for i in range(LIMITS.cosigners + 1)],
    )
    found = {p.field: p for p in problems(draft, submitting=False, categories=CATEGORIES)}
    assert found["title"].params == {"count": LIMITS.title + 1, "limit": LIMITS.title}
    assert found["suggestions"].params == {"n": 2, "count": LIMITS.suggestion + 1, "limit": LIMITS.suggestion}
    assert found["category"].message == "Choose one of the listed categories."
    assert found["cosigners"].params["count"] == LIMITS.cosigners + 1
    many = Draft(title="题", suggestions=["建议。"] * (LIMITS.suggestions + 1))
    assert problems(many, submitting=False, categories=CATEGORIES)[0].params == {
        "limit": LIMITS.suggestions,
        "count": LIMITS.suggestions + 1,
    }


def test_preview_of_the_seed_proposal_has_its_five_suggestions() -> None:
    found = preview(SEED.read_text(encoding="utf-8"))
    assert found.numbered
    assert [s.split("。")[0] for s in found.suggestions] == [
        "设立专门的服务与管理机构",
        "实行分级服务与管理",
        "加大培训力度",
        "加强联系与沟通",
        "建立商业信息中心",
    ]
    assert found.leadin == "为此建议："
    assert found.background.startswith("提案内容、建议办法：")


def test_preview_without_numbers_keeps_the_text_as_one_suggestion() -> None:
    text = "我区停车难问题突出，群众反映强烈。建议增加公共停车位，并推广错时共享停车。"
    found = preview(text)
    assert not found.numbered
    assert len(found.suggestions) == 1
    assert "增加公共停车位" in found.suggestions[0]


def test_preview_refuses_empty_and_oversized_pastes() -> None:
    with pytest.raises(RuleError) as empty:
        preview(" \n\x00 ")
    assert empty.value.problems[0].field == "paste"
    with pytest.raises(RuleError) as large:
        preview("字" * (LIMITS.paste + 1))
    assert large.value.problems[0].params == {"count": LIMITS.paste + 1, "limit": LIMITS.paste}


def test_composed_text_holds_each_suggestion_at_its_offsets_and_splits_back() -> None:
    draft = Draft(
        title="关于校园安全的建议",
        background="我区校园安全形势总体平稳。",
        suggestions=["增设校医岗位。学校应配备校医。", "加强食堂监管。定期检查。", "完善应急预案。"],
        closing="以上建议，请予考虑。",
    )
    composed = compose(draft)
    assert [u.title for u in composed.suggestions] == ["增设校医岗位", "加强食堂监管", "完善应急预案"]
    for unit, body in zip(composed.suggestions, draft.suggestions, strict=True):
        assert composed.text[unit.start : unit.end] == body
    again = split_proposal(composed.text)
    assert [u.title for u in again.suggestions] == ["增设校医岗位", "加强食堂监管", "完善应急预案"]
    assert again.background == draft.background
    assert composed.leadin == "为此建议："
