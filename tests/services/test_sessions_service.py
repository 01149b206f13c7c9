"""Sessions service: every change checked and recorded in the admin log; 立案 only into an open session."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from tracker.domain.sessions import SessionFields
from tracker.models import AdminChange, Meeting, Proposal, User
from tracker.services import admin_log, sessions, workflow
from tracker.services.admin_log import AdminActor
from tracker.services.errors import DuplicateError, InvalidInput
from tracker.services.visibility import Role, Viewer

ADMIN = AdminActor("admin", user_id=None)
NEW = SessionFields(
    body="政协",
    organisation="政协宁波市镇海区委员会",
    term="第十届",
    sitting="第四次会议",
    year=2027,
    intake="meeting",
)


def _log(session: Session) -> list[AdminChange]:
    return list(session.exec(select(AdminChange).order_by(col(AdminChange.id))).all())


def test_the_seed_session_is_current_open_and_logged(session: Session) -> None:
    current = sessions.current_session(session=session)
    assert current is not None and current.name == "政协宁波市镇海区第十届委员会第三次会议"
    assert current.is_open and current.short_name == "十届三次"
    assert [(c.actor, c.action) for c in _log(session)] == [("seed", "create"), ("seed", "make_current")]


def test_create_edit_open_close_and_make_current_are_each_logged(session: Session) -> None:
    before = len(_log(session))
    seeded = sessions.current_session(session=session)
    made = sessions.create_session(session=session, actor=ADMIN, fields=NEW)
    assert (made.name, made.short_name, made.is_open, made.is_current) == (
        "政协宁波市镇海区第十届委员会第四次会议",
        "十届四次",
        False,
        False,
    )
    assert sessions.update_session(
        session=session,
        actor=ADMIN,
        meeting_id=made.id,
        fields=NEW.__class__(**{**NEW.__dict__, "number_prefix": "Z"}),
    ).changed
    assert not sessions.update_session(
        session=session,
        actor=ADMIN,
        meeting_id=made.id,
        fields=NEW.__class__(**{**NEW.__dict__, "number_prefix": "Z"}),
    ).changed  # nothing changed: nothing logged
    assert sessions.set_open(session=session, actor=ADMIN, meeting_id=made.id, is_open=True).changed
    assert not sessions.set_open(session=session, actor=ADMIN, meeting_id=made.id, is_open=True).changed
    assert sessions.set_current(session=session, actor=ADMIN, meeting_id=made.id).changed
    assert sessions.set_open(session=session, actor=ADMIN, meeting_id=seeded.id, is_open=False).changed
    session.refresh(seeded)
    assert not seeded.is_current and made.is_current  # exactly one current
    log = _log(session)[before:]
    assert [c.action for c in log] == ["create", "update", "open", "make_current", "close"]
    update = log[1]
    assert (update.before["number_prefix"], update.after["number_prefix"]) == (None, "Z")
    assert log[3].before["previous_current"] == seeded.id
    page = admin_log.changes(session=session, kind="session", page_size=2)
    assert [c.action for c in page.items] == ["close", "make_current"]  # newest first
    assert page.pages == (len(_log(session)) + 1) // 2


def test_refused_input_writes_nothing(session: Session) -> None:
    before = (len(_log(session)), len(sessions.list_sessions(session=session)))
    with pytest.raises(InvalidInput) as raised:
        sessions.create_session(
            session=session,
            actor=ADMIN,
            fields=SessionFields(
                body="政协", full_name="", year=2027, starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 1)
            ),
        )
    assert {p.field for p in raised.value.problems} == {"full_name", "ends_on"}
    with pytest.raises(DuplicateError):
        sessions.create_session(
            session=session,
            actor=ADMIN,
            fields=SessionFields(full_name="政协宁波市镇海区第十届委员会第三次会议"),
        )
    assert (len(_log(session)), len(sessions.list_sessions(session=session))) == before


def test_accepting_into_a_closed_session_is_refused(session: Session, make) -> None:
    staff_user = session.exec(select(User).where(User.username == "staff")).one()
    staff = Viewer(Role.STAFF, user_id=staff_user.id)
    closed = sessions.create_session(session=session, actor=ADMIN, fields=NEW, is_open=False)
    proposal = make.proposal(title="待立案", status="submitted")
    with pytest.raises(InvalidInput) as raised:
        workflow.accept(
            session=session,
            proposal_id=proposal.id,
            actor=staff,
            today=date(2027, 1, 5),
            meeting_id=closed.id,
        )
    assert raised.value.problems[0].field == "meeting"
    sessions.set_open(session=session, actor=ADMIN, meeting_id=closed.id, is_open=True)
    accepted = workflow.accept(
        session=session, proposal_id=proposal.id, actor=staff, today=date(2027, 1, 5), meeting_id=closed.id
    )
    assert (accepted.meeting_id, accepted.number) == (closed.id, 1)  # numbering restarts per session
    assert session.get(Meeting, closed.id).is_open
    assert session.exec(select(Proposal).where(Proposal.meeting_id == closed.id)).one().number == 1
