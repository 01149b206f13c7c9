"""What a query asks before the engine sees it: 案号 patterns and broader rewrites."""

from __future__ import annotations

import pytest

from tracker.search.query import (
    CaseNumber,
    broader_queries,
    chinese_number,
    parse_case_number,
    session_matches,
    terms,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("第2号", CaseNumber(2)),
        ("2号提案", CaseNumber(2)),
        ("第 2 号提案", CaseNumber(2)),
        ("第十二号", CaseNumber(12)),
        ("No. 15", CaseNumber(15)),
        ("#7", CaseNumber(7)),
        ("2024年第3号", CaseNumber(3, year=2024)),
        ("十届三次会议第2号", CaseNumber(2, session="十届三次会议")),
        ("政协2017年第105号提案", CaseNumber(105, year=2017, session="政协")),
    ],
)
def test_case_numbers(text: str, expected: CaseNumber) -> None:
    assert parse_case_number(text) == expected


@pytest.mark.parametrize("text", ["培训", "2015年", "第2号提案的答复", "培训，第2号", "号", "第号"])
def test_other_queries_are_not_case_numbers(text: str) -> None:
    assert parse_case_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("二", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一〇五", 105), ("一百零五", 105)]
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert chinese_number(text) == value


def test_a_session_is_matched_without_the_words_every_session_has() -> None:
    assert session_matches("十届三次", "政协", "第十届第三次会议")
    assert not session_matches("十届四次", "政协", "第十届第三次会议")
    assert not session_matches("人大", "政协", "第十届第三次会议")
    # a session's full name (issue 12)
    assert session_matches("十届三次", "政协", "政协宁波市镇海区第十届委员会第三次会议")
    assert not session_matches("十届四次", "政协", "政协宁波市镇海区第十届委员会第三次会议")
    assert session_matches("十八届二次", "人大", "宁波市镇海区第十八届人民代表大会第二次会议")
    assert session_matches("政协", "政协", None)


def test_terms_leave_out_operators_and_exclusions() -> None:
    assert terms('培训 NOT 高校 -补贴 "服务与管理" OR 融资') == ["培训", '"服务与管理"', "融资"]


def test_broader_queries() -> None:
    assert broader_queries("小微企业融资难") == ["小微企业 融资难", "小微企业 OR 融资难"]
    assert broader_queries('"服务与管理"') == ["服务 与 管理", "服务 OR 与 OR 管理"]
    assert broader_queries("阿里巴巴 韩国") == ["韩国", "阿里巴巴", "阿里巴巴 OR 韩国"]
    assert broader_queries("培训") == []
