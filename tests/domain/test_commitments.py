"""Commitments in a reply point (tracker.domain.commitments): the dated promises found, with the
last day of the period each names, relative times resolved against the letter's date, and the
dates that are no promise at all. Wording from the seeds' letters (../shared/seeds) and variants."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.commitments import (
    LATE,
    ReportKind,
    State,
    Sureness,
    check_report,
    clean_commitment,
    counts_by_state,
    days_late,
    find_commitments,
    state_on,
)
from tracker.domain.messages import RuleError

LETTER = date(2026, 8, 15)  # the letter's date relative times are read against
H, M, L = Sureness.HIGH, Sureness.MEDIUM, Sureness.LOW

# (text, letter date, [(due, sureness), ...] in order)
CASES: list[tuple[str, date | None, list[tuple[date | None, Sureness]]]] = [
    # absolute periods: the last day of each
    ("力争2027年6月底前出台实施意见。", LETTER, [(date(2027, 6, 30), H)]),
    ("力争2027年6月末前出台实施意见。", LETTER, [(date(2027, 6, 30), H)]),
    ("该平台将于2027年上半年建成。", LETTER, [(date(2027, 6, 30), H)]),
    ("该平台将于2027年下半年建成。", LETTER, [(date(2027, 12, 31), H)]),
    ("我局将于2027年第三季度完成平台建设。", LETTER, [(date(2027, 9, 30), H)]),
    ("预计2027年一季度完成招标。", LETTER, [(date(2027, 3, 31), H)]),
    ("计划于2027年3月完成改造。", LETTER, [(date(2027, 3, 31), H)]),
    ("计划于2027年2月完成改造。", LETTER, [(date(2027, 2, 28), H)]),
    ("计划于2028年2月底前完成改造。", LETTER, [(date(2028, 2, 29), H)]),
    ("确保2027年5月20日前全部到位。", LETTER, [(date(2027, 5, 20), H)]),
    ("2027年底前实现全覆盖。", LETTER, [(date(2027, 12, 31), H)]),
    ("力争2027年年底前出台相关办法。", LETTER, [(date(2027, 12, 31), H)]),
    ("争取2027年6月上旬完成验收。", LETTER, [(date(2027, 6, 10), H)]),
    ("争取2027年6月中旬完成验收。", LETTER, [(date(2027, 6, 20), H)]),
    ("二〇二七年六月底前建成投用。", LETTER, [(date(2027, 6, 30), H)]),
    ("２０２７年６月底前建成投用。", LETTER, [(date(2027, 6, 30), H)]),
    ("到2028年，基本建成覆盖全区的服务体系。", LETTER, [(date(2028, 12, 31), H)]),
    ("2027年前完成全覆盖。", LETTER, [(date(2026, 12, 31), M)]),
    ("“十五五”期间逐步推广。", LETTER, [(date(2030, 12, 31), H)]),
    # plans with their year
    ("该项目已列入2027年计划。", LETTER, [(date(2027, 12, 31), H)]),
    ("已将该路段改造列入2027年度城建计划。", LETTER, [(date(2027, 12, 31), H)]),
    ("该事项已纳入明年度工作计划。", LETTER, [(date(2027, 12, 31), M)]),
    # relative to the letter's date
    ("计划于明年3月完成改造。", LETTER, [(date(2027, 3, 31), M)]),
    ("年底前完成全部验收。", LETTER, [(date(2026, 12, 31), M)]),
    ("年内完成全部验收。", LETTER, [(date(2026, 12, 31), M)]),
    ("下半年启动试点工作。", LETTER, [(date(2026, 12, 31), M)]),
    ("上半年启动试点工作。", date(2026, 3, 1), [(date(2026, 6, 30), M)]),
    ("上半年启动试点工作。", LETTER, [(date(2027, 6, 30), M)]),  # this year's is over
    ("3月底前印发实施细则。", LETTER, [(date(2027, 3, 31), M)]),
    ("10月底前印发实施细则。", LETTER, [(date(2026, 10, 31), M)]),
    ("第四季度完成改造。", LETTER, [(date(2026, 12, 31), M)]),
    ("明年上半年将出台扶持办法。", LETTER, [(date(2027, 6, 30), M)]),
    ("后年完成二期工程。", LETTER, [(date(2028, 12, 31), M)]),
    ("今年年底前完成首批认定。", LETTER, [(date(2026, 12, 31), M)]),
    # several promises in one point
    (
        "下半年启动试点工作；2027年上半年全面推开。",
        LETTER,
        [(date(2026, 12, 31), M), (date(2027, 6, 30), H)],
    ),
    (
        "我局已于2026年3月完成调研，力争2026年12月底前出台政策，2027年底前全面推开。",
        LETTER,
        [(date(2026, 12, 31), H), (date(2027, 12, 31), H)],
    ),
    # relative without the letter's date: a promise, its day unsettled
    ("年底前完成全部验收。", None, [(None, L)]),
    ("计划于明年3月完成改造。", None, [(None, L)]),
    # promises with no time
    ("力争在各类权利质押、集体土地使用权抵押等方面取得突破。", LETTER, [(None, L)]),
    ("已列入计划，待资金落实后实施。", LETTER, [(None, L)]),
    # dates that are no promise (the seeds' wording)
    ("2012年4月底，国务院出台《国务院关于进一步支持小型微型企业健康发展的意见》。", LETTER, []),
    ("2012年4月底，国务院出台《国务院关于进一步支持小型微型企业健康发展的意见》。", None, []),
    ("自创立之日起3年内免征、第4-5年减半征收水利建设专项基金。", LETTER, []),
    ("其人事关系5年内可保留在原单位，由原单位继续为其缴纳单位部分的社会保险。", LETTER, []),
    ("浙江网上技术市场签约项目优先列入各级科技计划项目。", LETTER, []),
    ("指导小型微型企业积极参与高技能人才振兴计划，加强技能人才队伍建设工作。", LETTER, []),
    (
        "2013年11月，市首个特色产业带电商平台—阿里巴巴·镇海装备制造产业带平台项目日前正式启动建设。",
        date(2014, 6, 1),
        [],
    ),
    (
        "对区内整机装备制造企业年内采购区内装备制造企业产品实际额度首次合计达到500万元及以上，经认定给予奖励。",
        LETTER,
        [],
    ),
    ("自2012年1月1日至2015年12月31日，对年应纳税所得额低于30万元的小型微利企业给予奖励。", LETTER, []),
    ("我区大学生创业园于2009年6月成立，园区分为两个区块。", LETTER, []),
    ("该项目已于2026年3月底前完成。", LETTER, []),  # before the letter: history
    ("力争2025年底前完成。", LETTER, []),  # a date already past when the letter was written
    ("", LETTER, []),
]


@pytest.mark.parametrize(("text", "letter", "expected"), CASES)
def test_found_commitments(
    text: str, letter: date | None, expected: list[tuple[date | None, Sureness]]
) -> None:
    found = find_commitments(text, letter)
    assert [(f.due, f.sureness) for f in found] == expected
    for f in found:
        assert f.sentence == text[f.start : f.end]
        assert f.when and f.when in f.sentence


def test_a_plan_and_its_date_are_one_promise() -> None:
    found = find_commitments("已列入2027年计划，计划于2027年12月底前建成投用。", LETTER)
    assert [(f.when, f.due) for f in found] == [("2027年12月底前", date(2027, 12, 31))]


def test_sentences_are_the_promises_own() -> None:
    text = "一是加强调研。二是力争2027年6月底前出台实施意见。三是已列入2027年计划，逐步推开。"
    found = find_commitments(text, LETTER)
    assert [f.sentence for f in found] == [
        "二是力争2027年6月底前出台实施意见。",
        "三是已列入2027年计划，逐步推开。",
    ]
    assert [f.when for f in found] == ["2027年6月底前", "列入2027年计划"]


@pytest.mark.parametrize(
    ("state", "due", "today", "shown", "late_days"),
    [
        (State.OPEN, date(2027, 6, 30), date(2027, 6, 30), State.OPEN, 0),  # the due day itself
        (State.OPEN, date(2027, 6, 30), date(2027, 7, 1), LATE, 1),
        (State.OPEN, None, date(2030, 1, 1), State.OPEN, 0),
        (State.DONE, date(2027, 6, 30), date(2027, 7, 1), State.DONE, 1),
        (State.DROPPED, date(2027, 6, 30), date(2027, 7, 1), State.DROPPED, 1),
    ],
)
def test_state_on_a_day(state: str, due: date | None, today: date, shown: str, late_days: int) -> None:
    assert state_on(state, due, today) == shown
    assert days_late(due, today) == late_days


@pytest.mark.parametrize(
    ("kind", "note", "state", "problem_field"),
    [
        ("done", "", State.OPEN, None),
        ("progress", "完成招标", State.OPEN, None),
        ("progress", "  ", State.OPEN, "note"),
        ("dropped", "", State.OPEN, "note"),
        ("dropped", "上级政策调整", State.OPEN, None),
        ("finished", "x", State.OPEN, "kind"),
        ("progress", "x" * 2001, State.OPEN, "note"),
        ("progress", "again", State.DONE, None),
    ],
)
def test_reports(kind: str, note: str, state: str, problem_field: str | None) -> None:
    if state != State.OPEN:
        with pytest.raises(RuleError) as err:
            check_report(kind, note, state)
        assert err.value.problems[0].field is None
    elif problem_field:
        with pytest.raises(RuleError) as err:
            check_report(kind, note, state)
        assert err.value.problems[0].field == problem_field
    else:
        report, cleaned = check_report(kind, note, state)
        assert report == ReportKind(kind) and cleaned == note.strip()


@pytest.mark.parametrize(
    ("text", "due", "fields"),
    [
        ("  出台 实施意见 ", date(2027, 6, 30), []),
        ("", date(2027, 6, 30), ["text"]),
        ("x" * 501, None, ["text"]),
        ("出台", date(1900, 1, 1), ["due"]),
    ],
)
def test_clean_commitment(text: str, due: date | None, fields: list[str]) -> None:
    if fields:
        with pytest.raises(RuleError) as err:
            clean_commitment(text, due)
        assert [p.field for p in err.value.problems] == fields
    else:
        assert clean_commitment(text, due) == " ".join(text.split())


def test_counts_name_every_state() -> None:
    assert counts_by_state(["open", "late", "late", "done"]) == {
        "open": 1,
        "late": 2,
        "done": 1,
        "dropped": 0,
    }
