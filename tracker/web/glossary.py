"""The glossary's dates and 案号 in templates (tracker.domain.glossary): one way to write each."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from flask import Flask
from flask_babel import get_locale, gettext, to_user_timezone
from sqlmodel import Session, select

from tracker.db import get_session
from tracker.domain.glossary import GLOSSARY, case_number, people_date, people_datetime
from tracker.models import Meeting, Proposal
from tracker.search.documents import GroupFacts
from tracker.web import public_facts


def date_for_people(value: date | datetime | str | None) -> str:
    """2026年12月2日. A datetime is read in the office's time zone first (stored in UTC); an ISO
    string (a deadline kept in a timeline step's details) is parsed; anything else is shown as is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return _english_date(value) if _english() else people_date(value)


def datetime_for_people(value: datetime | None) -> str:
    """2026年12月2日 12:39, in the office's time zone."""
    if value is None:
        return ""
    moment = to_user_timezone(value)
    if _english():
        return f"{_english_date(moment)} {moment.hour:02d}:{moment.minute:02d}"
    return people_datetime(moment)


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _english_date(day: date) -> str:
    """2 December 2026: the English pages' way (issue 15); Word files and CSVs keep the glossary's."""
    return format_date(day, "d MMMM y", locale="en")


def case_no(number: int | None, meeting: Meeting | int | None = None) -> str:
    """第N号 with the prefix of the session (a Meeting or its id); "" without a number."""
    if number is None:
        return ""
    if isinstance(meeting, int):
        return case_number(number, _prefix_of(meeting))
    return case_number(number, meeting.number_prefix if meeting is not None else None)


def _prefix_of(meeting_id: int) -> str | None:
    """A session's 案号 prefix. A results page names up to ten sessions: every session's prefix is
    read in one light query (sessions are a few dozen over decades), kept per archive state."""
    return _number_prefixes().get(meeting_id)


def _read_prefixes(session: Session) -> dict[int, str | None]:
    rows = session.exec(select(Meeting.id, Meeting.number_prefix)).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


# sessions are public rows: a change of a prefix moves the archive's generation, which keys this
_number_prefixes = public_facts.kept("number_prefixes", _read_prefixes)


def proposal_no(proposal: Proposal) -> str:
    """The 案号 of a proposal as every page shows it: 第N号, 第Z12号; "" before 立案."""
    return case_no(proposal.number, proposal.meeting)


def proposal_no_by_id(proposal_id: int | None, number: int | None) -> str:
    """The 案号 a timeline step names (并案 into proposal ``proposal_id``, numbered ``number`` then)."""
    found = get_session().get(Proposal, proposal_id) if proposal_id else None
    return case_no(number, found.meeting_id if found is not None else None)


def facts_case_no(facts: GroupFacts) -> str:
    """The 案号 of a search result (the index keeps the session's id, not its prefix)."""
    return case_no(facts.number, facts.meeting_id)


def term(concept: str) -> str:
    """A concept's label on a page: the glossary's message id, translated."""
    return gettext(GLOSSARY[concept].msgid)


def init_app(app: Flask) -> None:
    app.add_template_filter(date_for_people, "people_date")
    app.add_template_filter(datetime_for_people, "people_datetime")
    app.add_template_global(case_no)
    app.add_template_global(term)
    app.add_template_global(proposal_no)
    app.add_template_global(facts_case_no)
    app.add_template_global(proposal_no_by_id)
