"""Extension requests over the database: who may ask and answer, one pending per assignment, the
new deadline recorded, the timeline entries; and the working-day return window in the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from tracker.domain.deadlines import DayKind, ExtensionStatus, WorkCalendar
from tracker.domain.drafting import Draft
from tracker.domain.workflow import ProposalStatus, ReturnWindow
from tracker.models import Assignment, ExtensionRequest
from tracker.services import drafting, extensions, workflow
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError, NotFoundError, TransitionError
from tracker.services.visibility import Role, Viewer
from tracker.services.workflow import Event, WorkflowSettings

TODAY = date(2025, 3, 10)
DEADLINE = date(2025, 6, 10)
NOW = datetime(2025, 3, 20, 2, 0, tzinfo=UTC)


@dataclass
class Office:
    session: Session
    proposer: Viewer
    staff: Viewer
    lead: Viewer
    co: Viewer
    other_agency: Viewer
    proposal_id: int

    def assignment(self, agency: Viewer) -> Assignment:
        rows = workflow.current_assignments(session=self.session, proposal_id=self.proposal_id)
        return next(a for a in rows if a.agency_id == agency.agency_id)

    def ask(
        self, agency: Viewer, requested: date | None = date(2025, 7, 10), reason: str = "需跨部门协调"
    ) -> ExtensionRequest:
        return extensions.request(
            session=self.session,
            proposal_id=self.proposal_id,
            actor=agency,
            requested_deadline=requested,
            reason=reason,
            now=NOW,
        )


@pytest.fixture
def office(session: Session, make) -> Office:
    proposer = make.member(name="甲委员")
    lead, co, other = make.agency(name="区交通局"), make.agency(name="区水务局"), make.agency(name="区教育局")
    meeting = make.meeting(name="第十届第三次会议", year=2025)
    users = {
        "staff": make.user(username="officer", role="staff"),
        "member": make.user(username="jia", role="member", member_id=proposer.id),
        "lead": make.user(username="jiaotong", role="agency", agency_id=lead.id),
        "co": make.user(username="shuiwu", role="agency", agency_id=co.id),
        "other": make.user(username="jiaoyu", role="agency", agency_id=other.id),
    }
    member = Viewer(Role.MEMBER, member_id=proposer.id, user_id=users["member"].id)
    staff = Viewer(Role.STAFF, user_id=users["staff"].id)
    saved = drafting.create(
        session=session,
        author=member,
        draft=Draft(
            title="关于测试的建议", category="其他", background="背景。", suggestions=["第一条。内容。"]
        ),
        form_token="a" * 32,
        submit=True,
        categories=["其他"],
        today=TODAY,
    )
    pid = saved.proposal.id
    workflow.accept(session=session, proposal_id=pid, actor=staff, today=TODAY, meeting_id=meeting.id)
    workflow.assign(
        session=session,
        proposal_ids=[pid],
        actor=staff,
        lead_agency_id=lead.id,
        co_agency_ids=[co.id],
        today=TODAY,
        deadline=DEADLINE,
    )
    return Office(
        session=session,
        proposer=member,
        staff=staff,
        lead=Viewer(Role.AGENCY, agency_id=lead.id, user_id=users["lead"].id),
        co=Viewer(Role.AGENCY, agency_id=co.id, user_id=users["co"].id),
        other_agency=Viewer(Role.AGENCY, agency_id=other.id, user_id=users["other"].id),
        proposal_id=pid,
    )


def test_lead_asks_staff_grant_the_new_deadline(office: Office) -> None:
    asked = office.ask(office.lead)
    assert (asked.status, asked.previous_deadline, asked.requested_deadline) == (
        ExtensionStatus.PENDING,
        DEADLINE,
        date(2025, 7, 10),
    )
    assert extensions.pending_count(session=office.session) == 1
    assert office.assignment(office.lead).deadline == DEADLINE  # nothing changes before the answer
    extensions.grant(session=office.session, request_id=asked.id, actor=office.staff, note="同意", now=NOW)
    assert office.assignment(office.lead).deadline == date(2025, 7, 10)
    assert office.assignment(office.co).deadline == DEADLINE  # the co-agency's own deadline stays
    assert (asked.status, asked.granted_deadline, asked.decided_by) == (
        ExtensionStatus.GRANTED,
        date(2025, 7, 10),
        office.staff.user_id,
    )
    assert extensions.pending_count(session=office.session) == 0
    # answered, so another may be asked (from the new deadline on)
    again = office.ask(office.lead, requested=date(2025, 8, 1))
    assert again.previous_deadline == date(2025, 7, 10)


def test_staff_may_grant_another_date_within_the_limits(office: Office) -> None:
    asked = office.ask(office.co)
    settings = WorkflowSettings(extension_max_days=30)
    with pytest.raises(InvalidInput) as too_far:
        extensions.grant(
            session=office.session,
            request_id=asked.id,
            actor=office.staff,
            deadline=DEADLINE + timedelta(days=31),
            now=NOW,
            settings=settings,
        )
    assert too_far.value.field == "deadline"
    extensions.grant(
        session=office.session,
        request_id=asked.id,
        actor=office.staff,
        deadline=date(2025, 6, 30),
        now=NOW,
        settings=settings,
    )
    assert office.assignment(office.co).deadline == date(2025, 6, 30)


def test_refusal_keeps_the_deadline_and_needs_a_reason(office: Office) -> None:
    asked = office.ask(office.lead)
    with pytest.raises(InvalidInput) as no_reason:
        extensions.refuse(
            session=office.session, request_id=asked.id, actor=office.staff, reason=" ", now=NOW
        )
    assert no_reason.value.field == "reason"
    assert asked.status == ExtensionStatus.PENDING
    extensions.refuse(
        session=office.session, request_id=asked.id, actor=office.staff, reason="时限内可办结", now=NOW
    )
    assert (asked.status, asked.decision_note) == (ExtensionStatus.REFUSED, "时限内可办结")
    assert office.assignment(office.lead).deadline == DEADLINE
    with pytest.raises(LockedError):  # answered once
        extensions.grant(session=office.session, request_id=asked.id, actor=office.staff, now=NOW)


def test_one_pending_request_per_assignment(office: Office) -> None:
    office.ask(office.lead)
    with pytest.raises(LockedError):
        office.ask(office.lead, requested=date(2025, 8, 1))
    office.ask(office.co)  # the co-agency's assignment is its own
    assert extensions.pending_count(session=office.session) == 2


@pytest.mark.parametrize(
    ("requested", "reason", "field"),
    [
        (DEADLINE, "理由", "requested_deadline"),
        (DEADLINE + timedelta(days=91), "理由", "requested_deadline"),
        (None, "理由", "requested_deadline"),
        (date(2025, 7, 1), "", "reason"),
    ],
)
def test_bad_requests_store_nothing(office: Office, requested: date | None, reason: str, field: str) -> None:
    with pytest.raises(InvalidInput) as bad:
        office.ask(office.lead, requested=requested, reason=reason)
    assert field in [p.field for p in bad.value.problems]
    assert office.session.exec(select(ExtensionRequest)).all() == []


def test_only_the_assigned_agencies_ask_and_only_staff_answer(office: Office) -> None:
    with pytest.raises(NotFoundError):  # not assigned to it: it does not even see the proposal
        office.ask(office.other_agency)
    with pytest.raises(ForbiddenError):
        office.ask(office.proposer)
    with pytest.raises(ForbiddenError):
        office.ask(office.staff)
    asked = office.ask(office.lead)
    for someone in (office.lead, office.co, office.proposer):
        with pytest.raises(ForbiddenError):
            extensions.grant(session=office.session, request_id=asked.id, actor=someone, now=NOW)
        with pytest.raises(ForbiddenError):
            extensions.refuse(
                session=office.session, request_id=asked.id, actor=someone, reason="不", now=NOW
            )
    with pytest.raises(NotFoundError):
        extensions.grant(session=office.session, request_id=asked.id + 100, actor=office.staff, now=NOW)


def test_no_request_once_replied(office: Office) -> None:
    workflow.mark_replied(session=office.session, proposal_id=office.proposal_id, actor=office.lead)
    with pytest.raises(LockedError):
        office.ask(office.lead)


def test_a_returned_assignment_cannot_be_extended(office: Office) -> None:
    asked = office.ask(office.co)
    workflow.return_assignment(
        session=office.session, proposal_id=office.proposal_id, actor=office.lead, reason="非我单位职责"
    )
    with pytest.raises(LockedError):
        extensions.grant(session=office.session, request_id=asked.id, actor=office.staff, now=NOW)


def test_timeline_shows_request_grant_and_refusal(office: Office) -> None:
    first = office.ask(office.lead)
    extensions.grant(
        session=office.session, request_id=first.id, actor=office.staff, now=NOW + timedelta(hours=1)
    )
    second = extensions.request(
        session=office.session,
        proposal_id=office.proposal_id,
        actor=office.co,
        requested_deadline=date(2025, 7, 1),
        reason="会办意见需调研",
        now=NOW + timedelta(hours=2),
    )
    extensions.refuse(
        session=office.session,
        request_id=second.id,
        actor=office.staff,
        reason="请按期提交",
        now=NOW + timedelta(hours=3),
    )
    steps = [
        s for s in workflow.timeline(session=office.session, proposal_id=office.proposal_id) if s.derived
    ]
    assert [(s.transition.action, s.actor_role, s.actor_name, s.transition.note) for s in steps] == [
        (Event.EXTENSION_REQUEST, "agency", "区交通局", "需跨部门协调"),
        (Event.EXTENSION_GRANT, "staff", None, ""),
        (Event.EXTENSION_REQUEST, "agency", "区水务局", "会办意见需调研"),
        (Event.EXTENSION_REFUSE, "staff", None, "请按期提交"),
    ]
    assert steps[1].transition.details["granted"] == "2025-07-10"
    assert steps[3].transition.details["for"] == "区水务局"
    assert "granted" not in steps[3].transition.details


def test_return_window_in_working_days(office: Office) -> None:
    """Assigned on the Tuesday before National Day: one working day means 9 October, not 1 October."""
    shanghai = ZoneInfo("Asia/Shanghai")
    for assignment in workflow.current_assignments(session=office.session, proposal_id=office.proposal_id):
        assignment.assigned_at = datetime(2025, 9, 30, 2, tzinfo=UTC)
    office.session.flush()
    calendar = WorkCalendar(holidays=frozenset(date(2025, 10, d) for d in range(1, 9)))
    settings = WorkflowSettings(
        return_days=1, return_window=ReturnWindow(DayKind.WORKING, calendar, shanghai)
    )
    with pytest.raises(TransitionError):
        workflow.return_assignment(
            session=office.session,
            proposal_id=office.proposal_id,
            actor=office.lead,
            reason="非我单位职责",
            now=datetime(2025, 10, 10, 0, 0, tzinfo=shanghai),
            settings=settings,
        )
    workflow.return_assignment(
        session=office.session,
        proposal_id=office.proposal_id,
        actor=office.lead,
        reason="非我单位职责",
        now=datetime(2025, 10, 9, 23, 59, tzinfo=shanghai),
        settings=settings,
    )
    assert workflow.load(
        session=office.session, proposal_id=office.proposal_id, actor=office.staff
    ).status == (ProposalStatus.ACCEPTED)
