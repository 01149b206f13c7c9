"""Commitments of replies (tracker.services.commitments): suggested when a class-B reply is issued,
confirmed or corrected, reported on, late by the day asked, reminded of once per point, and shown to
the public only when confirmed in a reply in force to a published proposal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from tracker.domain.notifications import Kind, ReminderPlan
from tracker.models import Commitment, CommitmentReport, Notification, Proposal, Reply
from tracker.services import commitments, oversight, replying
from tracker.services.errors import ForbiddenError, InvalidInput, NotFoundError
from tracker.services.visibility import clock

NOW = datetime(2025, 3, 20, 8, 0, tzinfo=UTC)
PROMISES = {
    0: "我局将会同有关部门研究分级服务办法，力争2025年6月底前出台实施意见。",
    1: "服务平台建设已列入2025年计划，计划于2025年12月底前建成投用。",
}


def issue_class_b(session: Session, case) -> Reply:
    """The model case answered with two class-B points making dated promises, the rest class A."""
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    content = state.content
    for index, section in enumerate(content.sections):
        section.body = PROMISES.get(index, f"第{index + 1}条建议已落实。")
        section.outcome = "B" if index in PROMISES else "A"
    content.outcome = "B"
    result = replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=content,
        revision=state.revision,
        now=NOW,
    )
    assert result.problems == [] and result.reply is not None
    return result.reply


def test_a_class_b_reply_with_two_dated_promises_yields_two_commitments(
    session: Session, assigned_case
) -> None:
    reply = issue_class_b(session, assigned_case)
    _reply, rows = commitments.of_reply(
        session=session, reply_id=reply.id, actor=assigned_case.lead, today=NOW.date()
    )
    assert [t.commitment.due_on for t in rows] == [date(2025, 6, 30), date(2025, 12, 31)]
    assert [t.commitment.when_text for t in rows] == ["2025年6月底前", "2025年12月底前"]
    assert all(not t.confirmed and t.state == "open" for t in rows)
    assert [t.point.position for t in rows] == sorted(t.point.position for t in rows)


def test_class_a_points_make_no_commitments(session: Session, assigned_case) -> None:
    state = replying.editor(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, today=NOW.date()
    )
    for section in state.content.sections:
        section.body, section.outcome = PROMISES[0], "A"
    state.content.outcome = "A"
    result = replying.submit(
        session=session,
        proposal_id=assigned_case.proposal_id,
        actor=assigned_case.lead,
        content=state.content,
        revision=state.revision,
        now=NOW,
    )
    assert result.reply is not None
    assert session.exec(select(Commitment).where(Commitment.reply_id == result.reply.id)).all() == []


def test_one_done_one_late_on_the_public_page_and_in_the_oversight_list(
    session: Session, assigned_case
) -> None:
    case = assigned_case
    reply = issue_class_b(session, case)
    _r, rows = commitments.of_reply(session=session, reply_id=reply.id, actor=case.lead, today=NOW.date())
    first, second = (t.commitment for t in rows)
    for c in (first, second):
        commitments.confirm(
            session=session, commitment_id=c.id, actor=case.lead, text=c.text, due=c.due_on, now=NOW
        )
    commitments.report(
        session=session,
        commitment_id=first.id,
        actor=case.lead,
        kind="done",
        note="实施意见已于6月印发。",
        author_name="镇海区经信局",
        today=date(2025, 6, 20),
        now=NOW,
    )
    oversight.publish(session=session, proposal_id=case.proposal_id, actor=case.staff, now=NOW)
    session.commit()
    meeting_id = session.get(Proposal, case.proposal_id).meeting_id

    def page_on(day: date) -> dict[str, str]:
        with clock(lambda: datetime.combine(day, datetime.min.time(), tzinfo=UTC)):
            page = commitments.public_page(session=session, today=day, meeting_id=meeting_id)
        assert page is not None
        return {t.commitment.when_text: t.state for t in page.rows if t.reply.id == reply.id}

    assert page_on(date(2025, 12, 31)) == {"2025年6月底前": "done", "2025年12月底前": "open"}
    assert page_on(date(2026, 1, 1)) == {"2025年6月底前": "done", "2025年12月底前": "late"}
    late = commitments.late(session=session, today=date(2026, 1, 1))
    assert [t.commitment.id for t in late] == [second.id] and late[0].days_late == 1
    assert commitments.late(session=session, today=date(2025, 12, 31)) == []
    by_agency = commitments.public_page(
        session=session, today=date(2026, 1, 1), agency_id=case.lead.agency_id
    )
    assert by_agency is not None and by_agency.counts["late"] == 1 and by_agency.counts["done"] == 1
    reports = session.exec(select(CommitmentReport).where(CommitmentReport.commitment_id == first.id)).all()
    assert [(r.kind, r.reported_on, r.author_name) for r in reports] == [
        ("done", date(2025, 6, 20), "镇海区经信局")
    ]


def test_the_public_sees_only_confirmed_commitments_of_published_proposals(
    session: Session, assigned_case
) -> None:
    case = assigned_case
    reply = issue_class_b(session, case)
    session.commit()
    meeting_id = session.get(Proposal, case.proposal_id).meeting_id
    today = date(2025, 4, 1)

    def public_ids() -> set[int]:
        page = commitments.public_page(session=session, today=today, meeting_id=meeting_id)
        return {t.commitment.id for t in page.rows} if page else set()

    _r, rows = commitments.of_reply(session=session, reply_id=reply.id, actor=case.staff, today=today)
    first = rows[0].commitment
    commitments.confirm(
        session=session,
        commitment_id=first.id,
        actor=case.staff,
        text="出台实施意见",
        due=date(2025, 7, 31),
        now=NOW,
    )
    assert public_ids() == set()  # not published yet
    oversight.publish(session=session, proposal_id=case.proposal_id, actor=case.staff, now=NOW)
    assert public_ids() == {first.id}  # the other is a suggestion nobody confirmed
    assert first.sureness is None and first.confirmed_by_id == case.staff.user_id  # a person set the day


def test_corrections_additions_and_removals(session: Session, assigned_case) -> None:
    case = assigned_case
    reply = issue_class_b(session, case)
    _r, rows = commitments.of_reply(session=session, reply_id=reply.id, actor=case.lead, today=NOW.date())
    commitments.remove(session=session, commitment_id=rows[1].commitment.id, actor=case.lead)
    added = commitments.add(
        session=session,
        reply_id=reply.id,
        point_id=rows[1].point.id,
        actor=case.lead,
        text="  建成 服务平台 ",
        due=date(2026, 3, 31),
        now=NOW,
    )
    assert added.text == "建成 服务平台" and added.confirmed_at is not None and added.sureness is None
    _r, rows = commitments.of_reply(session=session, reply_id=reply.id, actor=case.lead, today=NOW.date())
    assert [t.commitment.due_on for t in rows] == [date(2025, 6, 30), date(2026, 3, 31)]
    with pytest.raises(InvalidInput) as err:
        commitments.add(
            session=session, reply_id=reply.id, point_id=None, actor=case.lead, text="", due=None, now=NOW
        )
    assert {p.field for p in err.value.problems} == {"point", "text"}
    commitments.report(
        session=session,
        commitment_id=added.id,
        actor=case.lead,
        kind="progress",
        note="完成选址。",
        author_name="x",
        today=NOW.date(),
        now=NOW,
    )
    with pytest.raises(InvalidInput):  # reported on: dropped with a reason instead
        commitments.remove(session=session, commitment_id=added.id, actor=case.lead)
    with pytest.raises(InvalidInput) as err:
        commitments.report(
            session=session,
            commitment_id=added.id,
            actor=case.lead,
            kind="dropped",
            note=" ",
            author_name="x",
            today=NOW.date(),
            now=NOW,
        )
    assert err.value.problems[0].field == "note"


def test_only_the_replying_agency_and_the_office_manage_them(session: Session, assigned_case) -> None:
    case = assigned_case
    reply = issue_class_b(session, case)
    c = session.exec(select(Commitment).where(Commitment.reply_id == reply.id)).first()
    for outsider in (case.co, case.member):
        with pytest.raises(NotFoundError):
            commitments.confirm(
                session=session, commitment_id=c.id, actor=outsider, text="x", due=None, now=NOW
            )
    oversight.send_back(session=session, proposal_id=case.proposal_id, actor=case.staff, note="请修改")
    with pytest.raises(ForbiddenError):  # a letter sent back is no longer in force
        commitments.confirm(session=session, commitment_id=c.id, actor=case.lead, text="x", due=None, now=NOW)


def test_reminders_on_the_due_day_and_when_late_once_per_point(session: Session, assigned_case) -> None:
    case = assigned_case
    reply = issue_class_b(session, case)
    plan = ReminderPlan(before=(15, 3), overdue_every=7)

    def remind_on(day: date) -> list[str]:
        return [r.point for r in commitments.remind(session=session, today=day, plan=plan, now=NOW)]

    assert remind_on(date(2025, 6, 29)) == []
    assert remind_on(date(2025, 6, 30)) == ["2025-06-30/before-0"]
    assert remind_on(date(2025, 6, 30)) == []  # once
    assert remind_on(date(2025, 7, 1)) == ["2025-06-30/overdue-1"]
    assert remind_on(date(2025, 7, 8)) == ["2025-06-30/overdue-8"]
    told = session.exec(select(Notification).where(Notification.kind == Kind.COMMITMENT.value)).all()
    assert told and {n.user_id for n in told} == {case.lead.user_id}
    assert told[0].params["promise"].startswith("我局将会同有关部门") and told[0].path == "/commitments"
    first = session.exec(
        select(Commitment).where(Commitment.reply_id == reply.id, Commitment.due_on == date(2025, 6, 30))
    ).one()
    commitments.report(
        session=session,
        commitment_id=first.id,
        actor=case.lead,
        kind="done",
        note="",
        author_name="x",
        today=date(2025, 7, 9),
        now=NOW,
    )
    assert remind_on(date(2025, 7, 15)) == []  # done: no more reminders


def test_an_archive_letter_is_followed_up_only_once_its_commitments_are_confirmed(
    session: Session, make, assigned_case
) -> None:
    """A letter recorded from a document has the parser's guesses only: no 督办, no reminders, until
    someone confirms them (a letter issued through the editor is followed from the start)."""
    proposal = session.get(Proposal, assigned_case.proposal_id)
    reply = make.reply(
        proposal, agency_id=assigned_case.lead.agency_id, outcome="B", date_on=date(2024, 6, 20)
    )
    point = make.point(reply, text="一、关于设施。我局力争2024年底前建成。")
    (found,) = commitments.suggest(session=session, reply=reply, points=[point])
    assert found.due_on == date(2024, 12, 31) and reply.issued_at is None
    today = date(2025, 3, 1)
    plan = ReminderPlan()
    assert commitments.late(session=session, today=today) == []
    assert commitments.remind(session=session, today=today, plan=plan, now=NOW) == []
    commitments.confirm(
        session=session,
        commitment_id=found.id,
        actor=assigned_case.staff,
        text=found.text,
        due=found.due_on,
        now=NOW,
    )
    assert [t.commitment.id for t in commitments.late(session=session, today=today)] == [found.id]
    assert [
        r.commitment_id for r in commitments.remind(session=session, today=today, plan=plan, now=NOW)
    ] == [found.id]
