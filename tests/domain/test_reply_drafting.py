"""The reply editor's rules: the standard frame, limits, links confirmed or corrected, the letter's
numbered points, and what blocks a submit."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.letters import Exemption, Waiver, compose_letter
from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import (
    REPLY_LIMITS,
    ChosenLink,
    DraftContent,
    Frame,
    Mode,
    Section,
    clean_content,
    date_text,
    default_frame,
    digest,
    exemptions_from_json,
    exemptions_to_json,
    letter_parts,
    limit_problems,
    links_from_json,
    links_to_json,
    pasted_problem,
    resolve_links,
    sections_from_json,
    sections_to_json,
    session_name,
    submit_problems,
)

IDS = [11, 12, 13]
LABELS = {11: "1", 12: "2", 13: "3"}
TITLES = {11: "设立专门机构", 12: "实行分级服务", 13: "加大培训力度"}


def _content(*bodies: str, outcome: str | None = "A", **frame: str) -> DraftContent:
    return DraftContent(
        frame=Frame(salutation="戴培红委员", signature="镇海区经信局", **frame),
        outcome=outcome,
        sections=[Section(sid, body) for sid, body in zip(IDS, bodies, strict=False)],
    )


def test_the_standard_frame() -> None:
    frame = default_frame(
        number=3,
        proposal_title="关于加强小型微型企业分级服务与管理的建议",
        proposer="戴培红",
        proposer_kind="member",
        agency="镇海区经信局",
        today=date(2025, 3, 10),
    )
    assert frame.title == "第3号提案的答复"  # no session stated
    assert frame.salutation == "戴培红委员"
    assert (
        frame.preamble
        == "您提出的关于加强小型微型企业分级服务与管理的建议的提案收悉，经我们研究，现答复如下："
    )
    assert frame.closing.startswith("感谢您对我们工作的关心和支持")
    assert (frame.signature, frame.date) == ("镇海区经信局", "2025年3月10日")
    deputy = default_frame(
        number=None,
        proposal_title="交通",
        proposer="王",
        proposer_kind="deputy",
        agency="局",
        today=date(2025, 1, 2),
    )
    assert (deputy.title, deputy.salutation, deputy.date) == (
        "关于“交通”提案的答复",
        "王代表",
        "2025年1月2日",
    )
    assert date_text(date(2025, 12, 31)) == "2025年12月31日"


@pytest.mark.parametrize(
    ("body", "name", "number", "title"),
    [
        ("政协", "第十届第三次会议", 3, "关于政协第十届第三次会议第3号提案的答复"),
        ("镇海区政协", "十届五次会议", 12, "关于镇海区政协十届五次会议第12号提案的答复"),
        ("政协", None, 4, "关于政协第4号提案的答复"),
        (None, None, 4, "第4号提案的答复"),
        ("政协", "第十届第三次会议", None, "关于“交通”提案的答复"),
        (
            "政协",
            "政协宁波市镇海区第十届委员会第三次会议",
            2,
            "关于政协宁波市镇海区第十届委员会第三次会议第2号提案的答复",
        ),
    ],
)
def test_the_default_title_names_the_session(
    body: str | None, name: str | None, number: int | None, title: str
) -> None:
    frame = default_frame(
        number=number,
        proposal_title="交通",
        proposer="王",
        proposer_kind="member",
        agency="局",
        today=date(2025, 1, 2),
        session_name=session_name(body, name),
    )
    assert frame.title == title


def test_a_complete_draft_can_be_submitted() -> None:
    assert submit_problems(_content("甲", "乙", "丙"), IDS, LABELS, point_count=3) == []


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        (_content("甲", "乙", ""), ["answer-13"]),
        (_content("甲", "乙", "丙", outcome=None), ["outcome"]),
        (_content("甲", "乙", "丙", outcome="D"), []),  # cleaned away below, then missing
        (
            DraftContent(frame=Frame(), outcome="A", sections=[Section(i, "x") for i in IDS]),
            ["salutation", "signature"],
        ),
        (_content("", "", ""), [None, "answer-11", "answer-12", "answer-13"]),
    ],
)
def test_what_blocks_a_submit(content: DraftContent, fields: list[str | None]) -> None:
    if content.outcome == "D":
        content = clean_content(content)
        fields = ["outcome"]
    points = sum(1 for s in content.sections if s.body)
    assert [p.field for p in submit_problems(content, IDS, LABELS, point_count=points)] == fields


def test_coverage_messages_name_the_suggestion() -> None:
    (problem,) = submit_problems(_content("甲", "乙", ""), IDS, LABELS, point_count=2)
    assert problem.params == {"label": "3"}
    assert "has no answer" in str(problem)


@pytest.mark.parametrize(
    ("exemption", "fields"),
    [
        (Exemption(13, Waiver.NOT_ANSWERABLE, "不属本单位职责"), []),
        (Exemption(13, Waiver.NOT_ANSWERABLE, "  "), ["answer-13"]),
        (Exemption(13, Waiver.TOGETHER, "一并答复", 12), []),
        (Exemption(13, Waiver.TOGETHER, "一并答复", None), ["answer-13"]),
    ],
)
def test_an_exemption_needs_a_reason_and_an_answered_partner(exemption: Exemption, fields: list[str]) -> None:
    content = _content("甲", "乙", "")
    content.exemptions = [exemption]
    assert [p.field for p in submit_problems(content, IDS, LABELS, point_count=2)] == fields


def test_limits_name_the_field() -> None:
    content = _content("甲" * (REPLY_LIMITS.answer + 1), "乙", "丙", title="题" * 201)
    content.exemptions = [Exemption(13, Waiver.NOT_ANSWERABLE, "因" * (REPLY_LIMITS.reason + 1))]
    assert sorted(p.field for p in limit_problems(content)) == ["answer-11", "reason-13", "title"]
    assert pasted_problem("字" * REPLY_LIMITS.pasted) is None
    problem = pasted_problem("字" * (REPLY_LIMITS.pasted + 1))
    assert problem.field == "pasted" and problem.params == {"count": 100_001, "limit": 100_000}


def test_cleaning_collapses_one_line_fields_and_drops_unknown_classes() -> None:
    content = _content("第一行\r\n第二行  ", "乙\x00", "丙", title=" 第3号\n提案的答复 ")
    content.sections[0].outcome = "b"
    content.sections[1].outcome = "Z"
    cleaned = clean_content(content)
    assert cleaned.frame.title == "第3号 提案的答复"
    assert [s.body for s in cleaned.sections] == ["第一行\n第二行", "乙", "丙"]
    assert [s.outcome for s in cleaned.sections] == ["B", None, None]


def test_a_proposed_link_kept_keeps_its_method_and_a_changed_one_is_manual() -> None:
    proposed = [
        ChosenLink(0, 11, "title", 1.0),
        ChosenLink(1, 12, "similarity", 0.62),
        ChosenLink(2, 13, "number", 0.5),
    ]
    chosen = {0: [11], 1: [12, 13], 2: []}
    assert resolve_links(proposed, chosen) == [
        ChosenLink(0, 11, "title", 1.0),
        ChosenLink(1, 12, "similarity", 0.62),
        ChosenLink(1, 13, "manual", 1.0),
    ]


def test_the_letter_numbers_the_answered_suggestions_in_order_and_parses_back() -> None:
    content = _content("甲的办理情况。", "", "丙的办理情况。")
    content.exemptions = [Exemption(12, Waiver.TOGETHER, "与第一条一并答复", 11)]
    parts = letter_parts(content, TITLES)
    assert [(s.suggestion, p.n, p.heading) for s, p in parts] == [
        (11, 1, "关于“设立专门机构”。"),
        (13, 2, "关于“加大培训力度”。"),
    ]
    letter = compose_letter(
        title="第3号提案的答复",
        salutation="戴培红委员",
        preamble="您提出的提案收悉，现答复如下：",
        points=[p for _s, p in parts],
        closing="感谢您的关心。",
        signature="镇海区经信局",
        date="2025年3月10日",
    )
    parsed = parse_reply(letter)
    assert [(u.marker, u.heading) for u in parsed.points] == [
        ("一、", "关于“设立专门机构”"),
        ("二、", "关于“加大培训力度”"),
    ]


def test_the_json_columns_round_trip() -> None:
    sections = [Section(11, "甲", "A"), Section(12, "", None)]
    links = [ChosenLink(0, 11, "title", 0.93)]
    exemptions = [Exemption(12, Waiver.TOGETHER, "一并", 11), Exemption(13, Waiver.NOT_ANSWERABLE, "无法")]
    assert sections_from_json(sections_to_json(sections)) == sections
    assert links_from_json(links_to_json(links)) == links
    assert exemptions_from_json(exemptions_to_json(exemptions)) == exemptions
    assert exemptions_from_json([{"suggestion": 1, "kind": "bogus"}, "junk"]) == []


def test_a_digest_ignores_trailing_blanks_but_not_edits() -> None:
    assert digest("一、甲。  \n二、乙。") == digest("一、甲。\n二、乙。")
    assert digest("一、甲。") != digest("一、乙。")
    assert DraftContent(mode=Mode.PASTED).mode == "pasted"
