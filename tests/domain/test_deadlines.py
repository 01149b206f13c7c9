"""Working days with China's holidays and 调休, extension requests, publication dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.deadlines import (
    DayKind,
    WorkCalendar,
    check_extension_grant,
    check_extension_refusal,
    check_extension_request,
    check_no_pending,
    check_publication_time,
    check_still_pending,
    is_public,
    parse_day_list,
    return_ends_at,
)
from tracker.domain.messages import RuleError
from tracker.domain.workflow import ReturnWindow, check_return_window

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2025 National Day and Mid-Autumn: 1–8 October off, Sunday 28 September and Saturday 11 October
# worked instead (国务院办公厅 2025 年部分节假日安排).
NATIONAL_DAY = WorkCalendar(
    holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
    makeup_workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
)
PLAIN = WorkCalendar()


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        (PLAIN, date(2025, 11, 3), 0, date(2025, 11, 3)),  # nothing to count
        (PLAIN, date(2025, 11, 3), 5, date(2025, 11, 10)),  # Monday + 5: the next Monday
        (PLAIN, date(2025, 11, 7), 1, date(2025, 11, 10)),  # Friday + 1 skips the weekend
        (PLAIN, date(2025, 11, 8), 1, date(2025, 11, 10)),  # from a Saturday
        (PLAIN, date(2025, 9, 26), 1, date(2025, 9, 29)),  # no 调休 known: Sunday is off
        (NATIONAL_DAY, date(2025, 9, 26), 1, date(2025, 9, 28)),  # the make-up Sunday is worked
        (NATIONAL_DAY, date(2025, 9, 28), 1, date(2025, 9, 29)),
        (NATIONAL_DAY, date(2025, 9, 30), 1, date(2025, 10, 9)),  # the whole holiday skipped
        (NATIONAL_DAY, date(2025, 9, 30), 3, date(2025, 10, 11)),  # …and the make-up Saturday counted
        (NATIONAL_DAY, date(2025, 10, 3), 1, date(2025, 10, 9)),  # from inside the holiday
        (NATIONAL_DAY, date(2025, 9, 26), 7, date(2025, 10, 13)),
    ],
)
def test_add_working_days(calendar: WorkCalendar, start: date, days: int, expected: date) -> None:
    assert calendar.add_working_days(start, days) == expected


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 9, 27), False),  # Saturday
        (date(2025, 9, 28), True),  # Sunday, 调休
        (date(2025, 10, 1), False),  # National Day, a Wednesday
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday, 调休
        (date(2025, 10, 12), False),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert NATIONAL_DAY.is_working_day(day) is working


@pytest.mark.parametrize(
    ("kind", "assigned", "days", "last"),
    [
        # calendar days: exactly N × 24 hours, as before
        (DayKind.CALENDAR, datetime(2025, 9, 30, 2, tzinfo=UTC), 7, datetime(2025, 10, 7, 2, tzinfo=UTC)),
        # working days: to the end of the Nth working day in Shanghai
        (
            DayKind.WORKING,
            datetime(2025, 9, 30, 2, tzinfo=UTC),  # 10:00 in Shanghai
            1,
            datetime(2025, 10, 9, 23, 59, 59, 999999, tzinfo=SHANGHAI),
        ),
        (
            DayKind.WORKING,
            datetime(2025, 9, 25, 17, tzinfo=UTC),  # already Friday 26 September in Shanghai
            1,
            datetime(2025, 9, 28, 23, 59, 59, 999999, tzinfo=SHANGHAI),
        ),
    ],
)
def test_return_window_ends(kind: DayKind, assigned: datetime, days: int, last: datetime) -> None:
    assert return_ends_at(assigned, days, kind, NATIONAL_DAY, SHANGHAI) == last


def test_working_day_window_the_second_before_and_after() -> None:
    window = ReturnWindow(DayKind.WORKING, NATIONAL_DAY, SHANGHAI)
    assigned = datetime(2025, 9, 30, 2, tzinfo=UTC)
    last = datetime(2025, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    check_return_window(assigned, last, 1, window)
    with pytest.raises(RuleError) as late:
        check_return_window(assigned, last + timedelta(seconds=1), 1, window)
    assert late.value.problems[0].params == {"days": 1, "date": "2025-10-09"}
    assert "working days" in late.value.problems[0].message
    # the same assignment counted in calendar days would have ended on 1 October
    with pytest.raises(RuleError):
        check_return_window(assigned, datetime(2025, 10, 2, tzinfo=UTC), 1, ReturnWindow())


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], frozenset()),
        (["2025-10-01", " 2025-10-02"], frozenset({date(2025, 10, 1), date(2025, 10, 2)})),
        ([date(2025, 10, 1)], frozenset({date(2025, 10, 1)})),
    ],
)
def test_parse_day_list(values: list[str | date], expected: frozenset[date]) -> None:
    assert parse_day_list(values, "HOLIDAYS") == expected


@pytest.mark.parametrize("bad", ["2025-02-30", "10/01/2025", "国庆"])
def test_parse_day_list_names_the_bad_value(bad: str) -> None:
    with pytest.raises(ValueError, match="HOLIDAYS"):
        parse_day_list([bad], "HOLIDAYS")


CURRENT = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("requested", "reason", "fields"),
    [
        (date(2025, 7, 31), "需要跨部门协调", []),
        (CURRENT + timedelta(days=60), "理由", []),  # exactly the maximum
        (CURRENT + timedelta(days=61), "理由", ["requested_deadline"]),
        (CURRENT, "理由", ["requested_deadline"]),  # not later than now
        (CURRENT - timedelta(days=1), "理由", ["requested_deadline"]),
        (None, "理由", ["requested_deadline"]),
        (date(2025, 7, 31), "  ", ["reason"]),
        (None, "", ["reason", "requested_deadline"]),  # every problem at once
    ],
)
def test_extension_request(requested: date | None, reason: str, fields: list[str]) -> None:
    if not fields:
        check_extension_request(current_deadline=CURRENT, requested=requested, reason=reason, max_days=60)
        return
    with pytest.raises(RuleError) as refused:
        check_extension_request(current_deadline=CURRENT, requested=requested, reason=reason, max_days=60)
    assert [p.field for p in refused.value.problems] == fields


@pytest.mark.parametrize(
    ("granted", "ok"),
    [
        (CURRENT + timedelta(days=1), True),
        (CURRENT, False),
        (CURRENT + timedelta(days=31), False),
        (None, False),
    ],
)
def test_extension_grant(granted: date | None, ok: bool) -> None:
    if ok:
        check_extension_grant(current_deadline=CURRENT, granted=granted, max_days=30)
    else:
        with pytest.raises(RuleError):
            check_extension_grant(current_deadline=CURRENT, granted=granted, max_days=30)


def test_refusal_needs_a_reason_and_one_request_at_a_time() -> None:
    check_extension_refusal("时限内可以办结")
    with pytest.raises(RuleError):
        check_extension_refusal(" ")
    check_no_pending(False)
    with pytest.raises(RuleError):
        check_no_pending(True)
    check_still_pending("pending")
    for answered in ("granted", "refused"):
        with pytest.raises(RuleError):
            check_still_pending(answered)


NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("published_at", "public"),
    [
        (None, False),
        (NOW + timedelta(seconds=1), False),  # scheduled: the second before
        (NOW, True),  # the moment itself
        (NOW - timedelta(days=300), True),
    ],
)
def test_is_public(published_at: datetime | None, public: bool) -> None:
    assert is_public(published_at, NOW) is public


def test_publication_time_lies_ahead() -> None:
    check_publication_time(NOW + timedelta(minutes=1), NOW)
    for bad in (None, NOW, NOW - timedelta(days=1)):
        with pytest.raises(RuleError):
            check_publication_time(bad, NOW)
