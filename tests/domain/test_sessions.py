"""Sessions: what a session must state (a table of inputs → problems), its names, and its 案号."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tracker.domain.messages import RuleError
from tracker.domain.sessions import (
    SessionFields,
    case_number,
    check_one_current,
    check_takes_proposals,
    compose_full_name,
    compose_short_name,
    display_name,
    reply_title,
    validate,
)

GOOD = SessionFields(
    body="政协",
    organisation="政协宁波市镇海区委员会",
    term="第十届",
    sitting="第三次会议",
    full_name="政协宁波市镇海区第十届委员会第三次会议",
    short_name="十届三次",
    year=2026,
    starts_on=date(2026, 1, 10),
    ends_on=date(2026, 1, 13),
    intake="meeting",
    number_prefix="",
)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({}, []),
        # dates in order
        ({"ends_on": date(2026, 1, 9)}, ["ends_on"]),
        ({"ends_on": date(2026, 1, 10)}, []),  # a one-day session
        ({"starts_on": None}, []),
        ({"starts_on": date(2025, 12, 30)}, ["starts_on"]),  # not in the session's year
        # the full name is required (made from its parts when they are all there)
        ({"full_name": "", "organisation": "", "term": "", "sitting": ""}, ["full_name"]),
        ({"full_name": "   "}, []),  # composed from organisation, term, sitting
        ({"full_name": "", "sitting": ""}, ["full_name"]),
        ({"full_name": "政" * 121}, ["full_name"]),
        ({"body": "议会"}, ["body"]),
        ({"year": 1900, "starts_on": None}, ["year"]),
        ({"year": None, "starts_on": None}, []),  # an unknown year is allowed
        ({"intake": "always"}, ["intake"]),
        # prefix format
        ({"number_prefix": "Z"}, []),
        ({"number_prefix": "2026-"}, []),
        ({"number_prefix": "十届三次"}, []),
        ({"number_prefix": " Z "}, []),  # spaces trimmed
        ({"number_prefix": "Z 1"}, []),  # inner spaces removed as well
        ({"number_prefix": "A/B"}, ["number_prefix"]),
        ({"number_prefix": "第"}, ["number_prefix"]),
        ({"number_prefix": "Z号"}, ["number_prefix"]),
        ({"number_prefix": "X" * 13}, ["number_prefix"]),
        ({"number_prefix": "<b>"}, ["number_prefix"]),
        # several problems are reported at once
        (
            {"ends_on": date(2026, 1, 1), "number_prefix": "!", "body": ""},
            ["body", "ends_on", "number_prefix"],
        ),
    ],
)
def test_validation(changes: dict, fields: list[str]) -> None:
    candidate = replace(GOOD, **changes)
    if not fields:
        assert validate(candidate).full_name
        return
    with pytest.raises(RuleError) as raised:
        validate(candidate)
    assert sorted({p.field for p in raised.value.problems}) == sorted(fields)


def test_validation_fills_the_names_from_their_parts() -> None:
    made = validate(replace(GOOD, full_name="", short_name=""))
    assert made.full_name == "政协宁波市镇海区第十届委员会第三次会议"
    assert made.short_name == "十届三次"
    assert validate(replace(GOOD, number_prefix=" Z ")).number_prefix == "Z"


@pytest.mark.parametrize(
    ("organisation", "term", "sitting", "full", "short"),
    [
        (
            "政协宁波市镇海区委员会",
            "第十届",
            "第三次会议",
            "政协宁波市镇海区第十届委员会第三次会议",
            "十届三次",
        ),
        (
            "宁波市镇海区人民代表大会",
            "第十八届",
            "第二次会议",
            "宁波市镇海区第十八届人民代表大会第二次会议",
            "十八届二次",
        ),
        ("某市政协", "第五届", "第一次全体会议", "某市政协第五届第一次全体会议", "五届一次"),
        ("", "第十届", "第三次会议", "", "十届三次"),
        ("政协宁波市镇海区委员会", "", "第三次会议", "", ""),
    ],
)
def test_names_from_their_parts(organisation: str, term: str, sitting: str, full: str, short: str) -> None:
    assert compose_full_name(organisation, term, sitting) == full
    assert compose_short_name(term, sitting) == short


@pytest.mark.parametrize(
    ("flags", "ok"),
    [
        ([], True),
        ([True], True),
        ([False, True, False], True),
        ([False, False], False),
        ([True, True], False),
    ],
)
def test_exactly_one_current(flags: list[bool], ok: bool) -> None:
    if ok:
        check_one_current(flags)
    else:
        with pytest.raises(RuleError):
            check_one_current(flags)


def test_a_closed_session_takes_no_proposals() -> None:
    check_takes_proposals(True)
    with pytest.raises(RuleError) as raised:
        check_takes_proposals(False)
    assert raised.value.problems[0].field == "meeting"


@pytest.mark.parametrize(
    ("body", "name", "shown"),
    [
        ("政协", "政协宁波市镇海区第十届委员会第三次会议", "政协宁波市镇海区第十届委员会第三次会议"),
        ("人大", "宁波市镇海区第十八届人民代表大会第二次会议", "宁波市镇海区第十八届人民代表大会第二次会议"),
        ("政协", "第十届第三次会议", "政协 第十届第三次会议"),  # an older record: the body goes before
        (None, "第十届第三次会议", "第十届第三次会议"),
        ("政协", None, ""),
    ],
)
def test_display_name(body: str | None, name: str | None, shown: str) -> None:
    assert display_name(body, name) == shown


@pytest.mark.parametrize(
    ("number", "session", "prefix", "title"),
    [
        (
            1,
            "政协宁波市镇海区第十届委员会第三次会议",
            None,
            "关于政协宁波市镇海区第十届委员会第三次会议第1号提案的答复",
        ),
        (
            12,
            "政协宁波市镇海区第十届委员会第三次会议",
            "Z",
            "关于政协宁波市镇海区第十届委员会第三次会议第Z12号提案的答复",
        ),
        (3, "", None, "第3号提案的答复"),
        (None, "政协宁波市镇海区第十届委员会第三次会议", None, ""),
    ],
)
def test_reply_title_and_case_number(
    number: int | None, session: str, prefix: str | None, title: str
) -> None:
    assert reply_title(number, session, prefix) == title
    assert case_number(7, "Z") == "第Z7号" and case_number(7) == "第7号"
