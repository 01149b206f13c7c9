"""Sessions (届次/会议) as the administration manages them: create, edit, open, close, make current.

Every change is checked by tracker.domain.sessions and recorded in the admin log
(tracker.services.admin_log.record_change) in the same flush. Functions take an explicit session and
never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.sessions import SessionFields, check_one_current, validate
from tracker.models import AdminAction, AdminKind, Meeting
from tracker.services.admin_log import AdminActor, record_change, snapshot
from tracker.services.errors import DuplicateError, InvalidInput, NotFoundError
from tracker.services.people import all_meetings

# What the log keeps of a session, before and after a change.
LOGGED = (
    "name",
    "short_name",
    "body",
    "organisation",
    "term",
    "sitting",
    "year",
    "starts_on",
    "ends_on",
    "is_open",
    "intake",
    "is_current",
    "number_prefix",
)


@dataclass(frozen=True)
class Outcome:
    """A session after an action, and whether the action changed anything."""

    meeting: Meeting
    changed: bool


def list_sessions(*, session: Session) -> list[Meeting]:
    """Every session, latest first."""
    return all_meetings(session=session)


def open_sessions(*, session: Session) -> list[Meeting]:
    """The sessions that take proposals now, the current one first, then latest first."""
    return sorted((m for m in all_meetings(session=session) if m.is_open), key=lambda m: not m.is_current)


def current_session(*, session: Session) -> Meeting | None:
    return session.exec(select(Meeting).where(col(Meeting.is_current).is_(True))).first()


def get(*, session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError(N_("There is no such session."), field="meeting")
    return meeting


def find(*, session: Session, key: str) -> Meeting:
    """A session by id, full name or short name (for the command line)."""
    key = " ".join(key.split())
    if key.isdigit():
        found = session.get(Meeting, int(key))
        if found is not None:
            return found
    rows = session.exec(
        select(Meeting).where((Meeting.name == key) | (Meeting.short_name == key)).order_by(col(Meeting.id))
    ).all()
    if len(rows) == 1:
        return rows[0]
    if rows:
        raise InvalidInput(
            [Problem("meeting", N_('Several sessions are called "%(name)s"; use the id.'), {"name": key})]
        )
    raise NotFoundError(N_('There is no session "%(name)s".'), field="meeting", params={"name": key})


def fields_of(meeting: Meeting) -> SessionFields:
    """The session as the form shows it."""
    return SessionFields(
        body=meeting.body or "",
        organisation=meeting.organisation or "",
        term=meeting.term or "",
        sitting=meeting.sitting or "",
        full_name=meeting.name or "",
        short_name=meeting.short_name or "",
        year=meeting.year,
        starts_on=meeting.starts_on,
        ends_on=meeting.ends_on,
        intake=meeting.intake,
        number_prefix=meeting.number_prefix or "",
    )


def _checked(session: Session, fields: SessionFields, meeting_id: int | None) -> SessionFields:
    try:
        clean = validate(fields)
    except RuleError as error:
        raise InvalidInput(error.problems) from None
    same = session.exec(select(Meeting).where(Meeting.name == clean.full_name)).first()
    if same is not None and same.id != meeting_id:
        raise DuplicateError(
            N_("A session called %(name)s already exists."),
            field="full_name",
            params={"name": clean.full_name},
        )
    return clean


def _assign(meeting: Meeting, fields: SessionFields) -> None:
    meeting.name = fields.full_name
    meeting.short_name = fields.short_name or None
    meeting.body = fields.body
    meeting.organisation = fields.organisation or None
    meeting.term = fields.term or None
    meeting.sitting = fields.sitting or None
    meeting.year = fields.year
    meeting.starts_on = fields.starts_on
    meeting.ends_on = fields.ends_on
    meeting.intake = fields.intake
    meeting.number_prefix = fields.number_prefix or None


def _log(
    session: Session, actor: AdminActor, meeting: Meeting, action: AdminAction, before: dict | None
) -> None:
    record_change(
        session=session,
        actor=actor,
        kind=AdminKind.SESSION,
        object_id=meeting.id,
        action=action,
        before=before,
        after=snapshot(meeting, LOGGED),
    )


def create_session(
    *,
    session: Session,
    actor: AdminActor,
    fields: SessionFields,
    is_open: bool = False,
    make_current: bool = False,
) -> Meeting:
    """A new session. The first session there is becomes the current one whatever was asked."""
    clean = _checked(session, fields, None)
    meeting = Meeting(is_open=is_open, is_current=False)
    _assign(meeting, clean)
    session.add(meeting)
    session.flush()
    _log(session, actor, meeting, AdminAction.CREATE, None)
    if make_current or current_session(session=session) is None:
        set_current(session=session, actor=actor, meeting_id=meeting.id or 0)
    return meeting


def update_session(*, session: Session, actor: AdminActor, meeting_id: int, fields: SessionFields) -> Outcome:
    """Save edited fields (open and current have their own actions); logged only when something changed."""
    meeting = get(session=session, meeting_id=meeting_id)
    clean = _checked(session, fields, meeting.id)
    before = snapshot(meeting, LOGGED)
    _assign(meeting, clean)
    if snapshot(meeting, LOGGED) == before:
        return Outcome(meeting, changed=False)
    session.add(meeting)
    session.flush()
    _log(session, actor, meeting, AdminAction.UPDATE, before)
    return Outcome(meeting, changed=True)


def set_open(*, session: Session, actor: AdminActor, meeting_id: int, is_open: bool) -> Outcome:
    """Open a session for proposals (立案) or close it; nothing happens (and nothing is logged) when it
    already is so."""
    meeting = get(session=session, meeting_id=meeting_id)
    if meeting.is_open == is_open:
        return Outcome(meeting, changed=False)
    before = snapshot(meeting, LOGGED)
    meeting.is_open = is_open
    session.add(meeting)
    session.flush()
    _log(session, actor, meeting, AdminAction.OPEN if is_open else AdminAction.CLOSE, before)
    return Outcome(meeting, changed=True)


def set_current(*, session: Session, actor: AdminActor, meeting_id: int) -> Outcome:
    """Make this the one current session (the one preselected at 立案); the previous one stops being
    current in the same step."""
    meeting = get(session=session, meeting_id=meeting_id)
    if meeting.is_current:
        return Outcome(meeting, changed=False)
    before = snapshot(meeting, LOGGED)
    previous = current_session(session=session)
    if previous is not None:
        previous.is_current = False
        session.add(previous)
        session.flush()  # before the new one is set: at most one current row at any moment
        before["previous_current"] = previous.id
    meeting.is_current = True
    session.add(meeting)
    session.flush()
    try:
        check_one_current(m.is_current for m in all_meetings(session=session))
    except RuleError as error:  # a concurrent change got in between: refuse rather than store it
        raise InvalidInput(error.problems) from None
    _log(session, actor, meeting, AdminAction.MAKE_CURRENT, before)
    return Outcome(meeting, changed=True)
