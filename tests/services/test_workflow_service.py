"""Workflow use cases over the database: every allowed transition works and is recorded, every other
one is refused and changes nothing, merging keeps all texts, returns go back to staff, 案号 are
allocated per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tracker.domain.drafting import Draft
from tracker.domain.workflow import TRANSITIONS, Action, Capacity, ProposalStatus
from tracker.models import Assignment, Proposal, ProposalSigner, Suggestion, Transition
from tracker.services import drafting, review, workflow
from tracker.services.errors import InvalidInput, NotFoundError, TransitionError
from tracker.services.visibility import Role, Viewer

TODAY = date(2025, 3, 10)
CATEGORIES = ["其他"]


@dataclass
class World:
    session: Session
    proposer: Viewer
    other_member: Viewer
    staff: Viewer
    lead: Viewer
    co: Viewer
    meeting_id: int

    def by(self, capacity: Capacity) -> Viewer:
        return {
            Capacity.PROPOSER: self.proposer,
            Capacity.STAFF: self.staff,
            Capacity.LEAD_AGENCY: self.lead,
            Capacity.CO_AGENCY: self.co,
        }[capacity]

    def new(self, title: str = "关于测试的建议", *, proposer: Viewer | None = None) -> Proposal:
        draft = Draft(
            title=title,
            category="其他",
            background=f"{title}的背景。",
            suggestions=[f"{title}第一条。内容。", f"{title}第二条。内容。"],
        )
        saved = drafting.create(
            session=self.session,
            author=proposer or self.proposer,
            draft=draft,
            form_token=f"{abs(hash(title)):032x}"[:32],
            submit=False,
            categories=CATEGORIES,
            today=TODAY,
        )
        return saved.proposal

    def perform(self, action: Action, proposal: Proposal, actor: Viewer, note: str = "理由") -> Any:
        pid, s = proposal.id, self.session
        if action == Action.SUBMIT:
            return workflow.submit(session=s, proposal_id=pid, actor=actor, today=TODAY, note=note)
        if action == Action.WITHDRAW:
            return workflow.withdraw(session=s, proposal_id=pid, actor=actor, note=note)
        if action == Action.ACCEPT:
            return workflow.accept(
                session=s, proposal_id=pid, actor=actor, today=TODAY, meeting_id=self.meeting_id, note=note
            )
        if action == Action.NOT_ACCEPT:
            return workflow.not_accept(session=s, proposal_id=pid, actor=actor, reason=note)
        if action == Action.MERGE:
            target = self.put(ProposalStatus.SUBMITTED, title="并案目标")
            return workflow.merge(
                session=s,
                target_id=target.id,
                source_ids=[pid],
                actor=actor,
                today=TODAY,
                meeting_id=self.meeting_id,
                note=note,
            )
        if action == Action.ASSIGN:
            return workflow.assign(
                session=s,
                proposal_ids=[pid],
                actor=actor,
                lead_agency_id=self.lead.agency_id,
                co_agency_ids=[self.co.agency_id],
                today=TODAY,
                note=note,
            )
        if action == Action.RETURN:
            return workflow.return_assignment(session=s, proposal_id=pid, actor=actor, reason=note)
        if action == Action.REPLY:
            return workflow.mark_replied(session=s, proposal_id=pid, actor=actor, note=note)
        if action == Action.CLOSE:
            return workflow.close(session=s, proposal_id=pid, actor=actor, note=note)
        if action == Action.SEND_BACK:
            return workflow.send_back(session=s, proposal_id=pid, actor=actor, note=note)
        if action == Action.REOPEN:
            return workflow.reopen(session=s, proposal_id=pid, actor=actor, note=note)
        raise AssertionError(action)

    def put(self, state: ProposalStatus, title: str = "关于测试的建议") -> Proposal:
        """A proposal brought to ``state`` through the use cases themselves."""
        proposal = self.new(title)
        path = {
            ProposalStatus.DRAFT: [],
            ProposalStatus.SUBMITTED: [(Action.SUBMIT, self.proposer)],
            ProposalStatus.NOT_ACCEPTED: [(Action.SUBMIT, self.proposer), (Action.NOT_ACCEPT, self.staff)],
            ProposalStatus.MERGED: [(Action.SUBMIT, self.proposer), (Action.MERGE, self.staff)],
            ProposalStatus.ACCEPTED: [(Action.SUBMIT, self.proposer), (Action.ACCEPT, self.staff)],
            ProposalStatus.ASSIGNED: [
                (Action.SUBMIT, self.proposer),
                (Action.ACCEPT, self.staff),
                (Action.ASSIGN, self.staff),
            ],
            ProposalStatus.REPLIED: [
                (Action.SUBMIT, self.proposer),
                (Action.ACCEPT, self.staff),
                (Action.ASSIGN, self.staff),
                (Action.REPLY, self.lead),
            ],
            ProposalStatus.CLOSED: [
                (Action.SUBMIT, self.proposer),
                (Action.ACCEPT, self.staff),
                (Action.ASSIGN, self.staff),
                (Action.REPLY, self.lead),
                (Action.CLOSE, self.staff),
            ],
        }[state]
        for action, actor in path:
            self.perform(action, proposal, actor)
        self.session.flush()
        assert proposal.status == state
        return proposal


@pytest.fixture
def world(session: Session, make) -> World:
    proposer = make.member(name="甲委员")
    other = make.member(name="乙委员")
    lead = make.agency(name="区交通局")
    co = make.agency(name="区水务局")
    meeting = make.meeting(name="第十届第三次会议", year=2025)
    staff_user = make.user(username="officer", role="staff")
    member_user = make.user(username="jia", role="member", member_id=proposer.id)
    other_user = make.user(username="yi", role="member", member_id=other.id)
    lead_user = make.user(username="jiaotong", role="agency", agency_id=lead.id)
    co_user = make.user(username="shuiwu", role="agency", agency_id=co.id)
    return World(
        session=session,
        proposer=Viewer(Role.MEMBER, member_id=proposer.id, user_id=member_user.id),
        other_member=Viewer(Role.MEMBER, member_id=other.id, user_id=other_user.id),
        staff=Viewer(Role.STAFF, user_id=staff_user.id),
        lead=Viewer(Role.AGENCY, agency_id=lead.id, user_id=lead_user.id),
        co=Viewer(Role.AGENCY, agency_id=co.id, user_id=co_user.id),
        meeting_id=meeting.id,
    )


def _steps(session: Session, proposal: Proposal) -> list[Transition]:
    return list(
        session.exec(
            select(Transition).where(Transition.proposal_id == proposal.id).order_by(col(Transition.id))
        ).all()
    )


ALLOWED = [(rule, capacity) for rule in TRANSITIONS for capacity in sorted(rule.by)]


@pytest.mark.parametrize(("rule", "capacity"), ALLOWED, ids=lambda v: str(getattr(v, "action", v)))
def test_every_allowed_transition_works_and_is_recorded(world: World, rule, capacity) -> None:
    proposal = world.put(rule.source)
    before = len(_steps(world.session, proposal))
    actor = world.by(capacity)
    world.perform(rule.action, proposal, actor, note="办理说明")
    assert proposal.status == rule.target
    steps = _steps(world.session, proposal)
    assert len(steps) == before + 1
    step = steps[-1]
    assert (step.action, step.from_status, step.to_status) == (rule.action, rule.source, rule.target)
    assert step.actor_id == actor.user_id
    assert step.note == "办理说明"
    assert step.created_at is not None


def _refused_cases() -> list[tuple[ProposalStatus, Action, Capacity]]:
    """Each (state, action) pair the table lacks, tried by whoever does that action elsewhere; and
    each allowed pair tried in every capacity the rule does not name. (The domain tests try every
    capacity on every pair; here the point is that the services refuse and change nothing.)"""
    rules = {(r.source, r.action): r for r in TRANSITIONS}
    doer = {r.action: min(r.by) for r in TRANSITIONS}
    cases = []
    for state in ProposalStatus:
        for action in Action:
            rule = rules.get((state, action))
            if rule is not None:
                cases += [(state, action, c) for c in sorted(set(Capacity) - rule.by)]
            elif action in doer:  # CREATE is no step on an existing proposal
                cases.append((state, action, doer[action]))
    return cases


@pytest.mark.parametrize(("state", "action", "capacity"), _refused_cases(), ids=str)
def test_every_other_transition_is_refused_and_changes_nothing(world: World, state, action, capacity) -> None:
    proposal = world.put(state)
    steps_before = len(_steps(world.session, proposal))
    with pytest.raises((TransitionError, NotFoundError, InvalidInput)) as refused:
        world.perform(action, proposal, world.by(capacity))
    assert str(refused.value)  # a message for the person, never an empty refusal
    # refused before anything was written, not only rolled back afterwards
    assert proposal.status == state
    assert len(_steps(world.session, proposal)) == steps_before


def test_illegal_transition_message_names_state_and_action(world: World) -> None:
    proposal = world.put(ProposalStatus.CLOSED)
    with pytest.raises(TransitionError) as refused:
        world.perform(Action.ACCEPT, proposal, world.staff)
    assert str(refused.value) == "A proposal in the state “closed” cannot be given the action “accept”."


def test_accept_gives_the_next_number_of_its_session(world: World, make) -> None:
    make.proposal(meeting_id=world.meeting_id, number=7, status="assigned")
    other_meeting = make.meeting(name="第十届第四次会议", year=2026)
    make.proposal(meeting_id=other_meeting.id, number=40, status="assigned")
    first, second = world.put(ProposalStatus.ACCEPTED, "第一件"), world.put(ProposalStatus.ACCEPTED, "第二件")
    assert (first.meeting_id, first.number, second.number) == (world.meeting_id, 8, 9)
    assert first.accepted_on == TODAY
    step = _steps(world.session, first)[-1]
    assert step.details == {"number": 8, "meeting_id": world.meeting_id}
    third = world.put(ProposalStatus.SUBMITTED, "第三件")
    workflow.accept(
        session=world.session,
        proposal_id=third.id,
        actor=world.staff,
        today=TODAY,
        meeting_id=other_meeting.id,
    )
    assert third.number == 41


def test_accept_needs_a_session(world: World) -> None:
    proposal = world.put(ProposalStatus.SUBMITTED)
    with pytest.raises(InvalidInput) as refused:
        workflow.accept(session=world.session, proposal_id=proposal.id, actor=world.staff, today=TODAY)
    assert refused.value.field == "meeting"


def test_the_unique_number_is_the_last_guard(world: World, make, monkeypatch) -> None:
    """Were two acceptances to read the same maximum, the database refuses the second number."""
    make.proposal(meeting_id=world.meeting_id, number=1, status="accepted")
    proposal = world.put(ProposalStatus.SUBMITTED)
    monkeypatch.setattr(workflow, "next_number", lambda **_: 1)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        workflow.accept(
            session=world.session,
            proposal_id=proposal.id,
            actor=world.staff,
            today=TODAY,
            meeting_id=world.meeting_id,
        )


def test_merging_keeps_all_texts_and_points_to_the_target(world: World) -> None:
    other = world.new("乙的提案", proposer=world.other_member)
    workflow.submit(session=world.session, proposal_id=other.id, actor=world.other_member, today=TODAY)
    source = world.put(ProposalStatus.SUBMITTED, "甲的另一件提案")
    target = world.put(ProposalStatus.SUBMITTED, "并案目标")
    texts = {
        p.id: (p.original_text, [s.text for s in _suggestions(world.session, p)])
        for p in (other, source, target)
    }
    workflow.merge(
        session=world.session,
        target_id=target.id,
        source_ids=[other.id, source.id],
        actor=world.staff,
        today=TODAY,
        meeting_id=world.meeting_id,
        note="内容相近，并案办理",
    )
    world.session.flush()
    assert target.status == ProposalStatus.ACCEPTED and target.number == 1
    for merged in (other, source):
        assert merged.status == ProposalStatus.MERGED
        assert merged.merged_into_id == target.id
        assert merged.number is None
        assert _steps(world.session, merged)[-1].details == {"into": target.id, "number": 1}
    for p in (other, source, target):
        assert (p.original_text, [s.text for s in _suggestions(world.session, p)]) == texts[p.id]
    joint = world.session.exec(select(ProposalSigner).where(ProposalSigner.proposal_id == target.id)).all()
    assert {(s.member_id, s.role) for s in joint} == {(world.other_member.member_id, "proposer")}
    # the proposer of a merged proposal follows the target now
    assert workflow.load(session=world.session, proposal_id=target.id, actor=world.other_member) == target


def test_merge_refuses_what_cannot_be_merged(world: World) -> None:
    target = world.put(ProposalStatus.SUBMITTED, "目标")
    accepted = world.put(ProposalStatus.ACCEPTED, "已立案")
    with pytest.raises(TransitionError):
        workflow.merge(
            session=world.session,
            target_id=target.id,
            source_ids=[accepted.id],
            actor=world.staff,
            today=TODAY,
        )
    with pytest.raises(InvalidInput) as nothing:
        workflow.merge(
            session=world.session, target_id=target.id, source_ids=[target.id], actor=world.staff, today=TODAY
        )
    assert nothing.value.field == "sources"
    assigned = world.put(ProposalStatus.ASSIGNED, "已交办")
    source = world.put(ProposalStatus.SUBMITTED, "来源")
    with pytest.raises(TransitionError):
        workflow.merge(
            session=world.session,
            target_id=assigned.id,
            source_ids=[source.id],
            actor=world.staff,
            today=TODAY,
        )
    assert source.status == ProposalStatus.SUBMITTED


def _suggestions(session: Session, proposal: Proposal) -> list[Suggestion]:
    stmt = select(Suggestion).where(Suggestion.proposal_id == proposal.id).order_by(col(Suggestion.position))
    return list(session.exec(stmt).all())


def test_assignment_records_agencies_and_default_deadline(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    rows = world.session.exec(select(Assignment).where(Assignment.proposal_id == proposal.id)).all()
    assert {(a.agency_id, a.role) for a in rows} == {
        (world.lead.agency_id, "lead"),
        (world.co.agency_id, "co"),
    }
    assert {a.deadline for a in rows} == {date(2025, 6, 10)}  # three months
    step = _steps(world.session, proposal)[-1]
    assert step.details == {"lead": "区交通局", "co": ["区水务局"], "deadline": "2025-06-10"}


def test_assignment_deadline_is_configurable_and_checked(world: World) -> None:
    proposal = world.put(ProposalStatus.ACCEPTED)
    with pytest.raises(InvalidInput) as refused:
        workflow.assign(
            session=world.session,
            proposal_ids=[proposal.id],
            actor=world.staff,
            lead_agency_id=world.lead.agency_id,
            co_agency_ids=[world.lead.agency_id],
            today=TODAY,
            deadline=TODAY,
        )
    assert {p.field for p in refused.value.problems} == {"co", "deadline"}
    workflow.assign(
        session=world.session,
        proposal_ids=[proposal.id],
        actor=world.staff,
        lead_agency_id=world.lead.agency_id,
        today=TODAY,
        settings=workflow.WorkflowSettings(deadline_months=1),
    )
    assert workflow.current_assignments(session=world.session, proposal_id=proposal.id)[0].deadline == date(
        2025, 4, 10
    )


def test_bulk_assignment_is_all_or_nothing(world: World) -> None:
    ready = [world.put(ProposalStatus.ACCEPTED, f"第{i}件") for i in range(3)]
    not_ready = world.put(ProposalStatus.SUBMITTED, "未立案")
    world.session.commit()
    with pytest.raises(TransitionError):
        workflow.assign(
            session=world.session,
            proposal_ids=[p.id for p in ready] + [not_ready.id],
            actor=world.staff,
            lead_agency_id=world.lead.agency_id,
            today=TODAY,
        )
    world.session.rollback()
    assert all(world.session.get(Proposal, p.id).status == "accepted" for p in ready)
    done = workflow.assign(
        session=world.session,
        proposal_ids=[p.id for p in ready],
        actor=world.staff,
        lead_agency_id=world.lead.agency_id,
        today=TODAY,
    )
    assert [p.status for p in done] == ["assigned"] * 3


def test_a_returned_assignment_goes_back_to_staff(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    world.session.commit()
    workflow.return_assignment(
        session=world.session, proposal_id=proposal.id, actor=world.co, reason="不属于我局职责范围"
    )
    world.session.commit()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert workflow.current_assignments(session=world.session, proposal_id=proposal.id) == []
    step = _steps(world.session, proposal)[-1]
    assert (step.action, step.from_status, step.to_status, step.note) == (
        "return",
        "assigned",
        "accepted",
        "不属于我局职责范围",
    )
    assert step.details == {"agency": "区水务局", "role": "co"}
    # the agencies no longer see it; staff find it in their queue, marked as returned
    for agency in (world.lead, world.co):
        with pytest.raises(NotFoundError):
            workflow.load(session=world.session, proposal_id=proposal.id, actor=agency)
    queue = review.queue(session=world.session, status="accepted")
    assert [(row.proposal.id, row.returned) for row in queue.items if row.proposal.id == proposal.id] == [
        (proposal.id, True)
    ]
    # and staff can assign it again
    world.perform(Action.ASSIGN, proposal, world.staff)
    assert proposal.status == ProposalStatus.ASSIGNED


def test_a_return_made_with_a_local_clock_is_stored_in_utc(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    world.session.commit()
    shanghai = datetime.now(timezone(timedelta(hours=8)))
    workflow.return_assignment(
        session=world.session, proposal_id=proposal.id, actor=world.co, reason="不属于我局职责", now=shanghai
    )
    world.session.commit()
    ended = world.session.exec(
        select(Assignment.ended_at).where(Assignment.proposal_id == proposal.id)
    ).first()
    # SQLite keeps the clock time and drops the offset: only a UTC value reads back as the same moment
    assert abs(workflow.aware(ended) - shanghai) < timedelta(minutes=5)


def test_return_only_within_the_window_and_with_a_reason(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    assigned_at = workflow.aware(
        workflow.current_assignments(session=world.session, proposal_id=proposal.id)[0].assigned_at
    )
    with pytest.raises(TransitionError) as no_reason:
        workflow.return_assignment(
            session=world.session, proposal_id=proposal.id, actor=world.lead, reason=" "
        )
    assert no_reason.value.field == "note"
    late = assigned_at + timedelta(days=3, seconds=1)
    with pytest.raises(TransitionError) as too_late:
        workflow.return_assignment(
            session=world.session,
            proposal_id=proposal.id,
            actor=world.lead,
            reason="理由",
            now=late,
            settings=workflow.WorkflowSettings(return_days=3),
        )
    assert too_late.value.params["days"] == 3
    assert proposal.status == ProposalStatus.ASSIGNED


def test_mark_replied_is_for_the_lead_agency_or_staff(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    with pytest.raises(TransitionError):
        workflow.mark_replied(session=world.session, proposal_id=proposal.id, actor=world.co)
    workflow.mark_replied(session=world.session, proposal_id=proposal.id, actor=world.lead, note="已答复")
    assert proposal.status == ProposalStatus.REPLIED


def test_timeline_names_who_acted(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    steps = workflow.timeline(session=world.session, proposal_id=proposal.id)
    assert [(s.transition.action, s.actor_role, s.actor_name) for s in steps] == [
        ("create", "member", "甲委员"),
        ("submit", "member", "甲委员"),
        ("accept", "staff", None),
        ("assign", "staff", None),
    ]


def test_overdue_list_is_sorted_by_days_overdue(world: World) -> None:
    first = world.put(ProposalStatus.ASSIGNED, "早交办")
    second = world.put(ProposalStatus.ASSIGNED, "晚交办")
    for proposal, deadline in ((first, date(2025, 2, 1)), (second, date(2025, 1, 1))):
        for a in workflow.current_assignments(session=world.session, proposal_id=proposal.id):
            a.deadline = deadline
    world.session.flush()
    rows = [
        r
        for r in review.overdue(session=world.session, today=date(2025, 3, 1))
        if r.proposal.id in (first.id, second.id)
    ]
    assert [(r.proposal.title, r.days, r.lead.name) for r in rows] == [
        ("晚交办", 59, "区交通局"),
        ("早交办", 28, "区交通局"),
    ]
    assert review.overdue(session=world.session, today=date(2024, 12, 1)) == []


def test_queue_counts_per_state(world: World) -> None:
    before = review.queue_counts(session=world.session)
    world.put(ProposalStatus.SUBMITTED, "一")
    world.put(ProposalStatus.ASSIGNED, "二")
    world.put(ProposalStatus.DRAFT, "三")
    after = review.queue_counts(session=world.session)
    assert after["submitted"] == before["submitted"] + 1
    assert after["assigned"] == before["assigned"] + 1
    assert "draft" not in after


def test_inbox_shows_current_assignments_with_return_window(world: World) -> None:
    proposal = world.put(ProposalStatus.ASSIGNED)
    now = datetime.now(UTC)
    rows = review.inbox(
        session=world.session,
        agency_id=world.co.agency_id,
        today=TODAY,
        now=now,
        settings=workflow.WorkflowSettings(),
    )
    assert [(r.proposal.id, r.assignment.role) for r in rows] == [(proposal.id, "co")]
    assert rows[0].return_until is not None and rows[0].days_left == 92
    later = review.inbox(
        session=world.session,
        agency_id=world.co.agency_id,
        today=TODAY,
        now=now + timedelta(days=8),
        settings=workflow.WorkflowSettings(),
    )
    assert later[0].return_until is None
