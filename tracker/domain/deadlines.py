"""Deadlines the way offices run them: working days, extension requests (延期申请), publication dates.

Pure rules, no database: the services pass in the dates, the calendar and the limits from the
configuration (RETURN_WINDOW_KIND, HOLIDAYS, MAKEUP_WORKDAYS, EXTENSION_MAX_DAYS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from .messages import N_, Problem, RuleError


class DayKind(StrEnum):
    """How the return window counts days (config RETURN_WINDOW_KIND)."""

    CALENDAR = "calendar"  # every day counts; the window ends the same time N days later
    WORKING = "working"  # weekends and holidays skipped, 调休 make-up days counted


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday, less the public holidays, plus the make-up
    working days (调休) China's calendar moves onto weekends around long holidays."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The day on which the ``days``-th working day after ``start`` falls (``start`` itself is
        not counted, as "within five working days of the assignment" counts from the next day)."""
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def parse_day_list(values: Iterable[str | date], setting: str) -> frozenset[date]:
    """ISO dates from the configuration; a value that is not one is named in the error."""
    days: set[date] = set()
    for value in values:
        if isinstance(value, date):
            days.add(value)
            continue
        try:
            days.add(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ValueError(f"{setting}: {value!r} is not an ISO date (YYYY-MM-DD)") from None
    return frozenset(days)


def return_ends_at(
    assigned_at: datetime,
    days: int,
    kind: str = DayKind.CALENDAR,
    calendar: WorkCalendar = WorkCalendar(),
    zone: tzinfo = UTC,
) -> datetime:
    """The last moment an assignment made at ``assigned_at`` may be returned.

    Calendar days: exactly ``days`` × 24 hours later (the rule before working days existed).
    Working days: the end of the ``days``-th working day after the day of the assignment, in the
    committee's time zone, since an office's "五个工作日内" runs to the close of that day.
    """
    if kind == DayKind.WORKING:
        local = assigned_at.astimezone(zone)
        last_day = calendar.add_working_days(local.date(), days)
        return datetime.combine(last_day, time.max, zone)
    return assigned_at + timedelta(days=days)


# -- extension requests (延期申请) ----------------------------------------------------------------------


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


def check_extension_request(
    *, current_deadline: date, requested: date | None, reason: str, max_days: int
) -> None:
    """An agency asks for a later deadline: a reason, and a date after the current deadline and no
    more than ``max_days`` after it. All problems at once, each on its field."""
    problems: list[Problem] = []
    if not reason.strip():
        problems.append(Problem("reason", N_("Give the reason for the extension.")))
    problems.extend(_deadline_problems("requested_deadline", current_deadline, requested, max_days))
    if problems:
        raise RuleError(problems)


def check_extension_grant(*, current_deadline: date, granted: date | None, max_days: int) -> None:
    """Staff grant a new deadline: the requested one or another, by the same limits."""
    problems = _deadline_problems("deadline", current_deadline, granted, max_days)
    if problems:
        raise RuleError(problems)


def check_extension_refusal(reason: str) -> None:
    if not reason.strip():
        raise RuleError(Problem("reason", N_("Give the reason for refusing the extension.")))


def check_no_pending(pending: bool) -> None:
    """One request at a time per assignment: staff answer it before another is made."""
    if pending:
        raise RuleError(
            Problem(None, N_("An extension request for this assignment is already waiting for an answer."))
        )


def check_still_pending(status: str) -> None:
    if status != ExtensionStatus.PENDING:
        raise RuleError(Problem(None, N_("This extension request has already been answered.")))


def _deadline_problems(field: str, current: date, new: date | None, max_days: int) -> list[Problem]:
    if new is None:
        return [Problem(field, N_("Give the new deadline."))]
    if new <= current:
        return [
            Problem(
                field,
                N_("The new deadline must be after the current one (%(date)s)."),
                {"date": current.isoformat()},
            )
        ]
    latest = current + timedelta(days=max_days)
    if new > latest:
        return [
            Problem(
                field,
                N_("An extension may be at most %(days)d days, to %(date)s at the latest."),
                {"days": max_days, "date": latest.isoformat()},
            )
        ]
    return []


# -- scheduled publication -------------------------------------------------------------------------------


def is_public(published_at: datetime | None, now: datetime) -> bool:
    """Public from the publication moment on: a moment in the future is a scheduled publication."""
    return published_at is not None and published_at <= now


def check_publication_time(when: datetime | None, now: datetime) -> None:
    """A scheduled publication lies in the future (publishing now is the other button)."""
    if when is None:
        raise RuleError(Problem("publish_at", N_("Give the date and time of publication.")))
    if when <= now:
        raise RuleError(Problem("publish_at", N_("The time of publication must be in the future.")))
