"""Workflow use cases: each step of a proposal's life, checked against the domain's transition table
and recorded (who, when, from, to, note) in the Transition table.

Every function takes the acting ``Viewer`` and loads proposals through the visibility rule, so a
proposal the actor may not see is "not found", never "not allowed". They flush and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.domain.deadlines import ExtensionStatus
from tracker.domain.drafting import LIMITS, clean_text
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.sessions import check_takes_proposals
from tracker.domain.workflow import (
    MOVES,
    Action,
    Capacity,
    ProposalStatus,
    ReturnWindow,
    Rule,
    allowed_actions,
    check,
    check_deadline,
    check_return_window,
    check_still_returnable,
    default_deadline,
)
from tracker.models import (
    Agency,
    Assignment,
    CoOpinion,
    ExtensionRequest,
    Meeting,
    Member,
    Proposal,
    ProposalSigner,
    Reply,
    ReplyRating,
    ReplyRole,
    ReplyStatus,
    SignerRole,
    SignerStatus,
    Transition,
    User,
)
from tracker.services import notifications
from tracker.services.errors import InvalidInput, LockedError, NotFoundError, TransitionError
from tracker.services.visibility import Role, Viewer, visible_proposal


@dataclass(frozen=True)
class WorkflowSettings:
    """The configurable numbers of the workflow (config keys ASSIGNMENT_DEADLINE_MONTHS,
    RETURN_WINDOW_DAYS, RETURN_WINDOW_KIND with HOLIDAYS and MAKEUP_WORKDAYS, EXTENSION_MAX_DAYS)."""

    deadline_months: int = 3
    return_days: int = 7
    return_window: ReturnWindow = field(default_factory=ReturnWindow)
    extension_max_days: int = 90


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def as_utc(moment: datetime) -> datetime:
    """A moment to store: in UTC, since SQLite keeps the clock time and drops the offset."""
    return aware(moment).astimezone(UTC)


# -- who is acting -------------------------------------------------------------------------------------


def current_assignments(*, session: Session, proposal_id: int) -> list[Assignment]:
    """The agencies handling a proposal now, the lead office first."""
    stmt = (
        select(Assignment)
        .where(Assignment.proposal_id == proposal_id, col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.role) != ReplyRole.LEAD.value, col(Assignment.id))
    )
    return list(session.exec(stmt).all())


def capacities(*, session: Session, proposal: Proposal, actor: Viewer) -> set[Capacity]:
    held: set[Capacity] = set()
    if actor.sees_all:
        held.add(Capacity.STAFF)
    if actor.role == Role.MEMBER and actor.member_id is not None and proposal.proposer_id == actor.member_id:
        held.add(Capacity.PROPOSER)
    if actor.role == Role.AGENCY and actor.agency_id is not None and proposal.id is not None:
        for assignment in current_assignments(session=session, proposal_id=proposal.id):
            if assignment.agency_id == actor.agency_id:
                lead = assignment.role == ReplyRole.LEAD.value
                held.add(Capacity.LEAD_AGENCY if lead else Capacity.CO_AGENCY)
    return held


def available_actions(*, session: Session, proposal: Proposal, actor: Viewer) -> list[Action]:
    """What ``actor`` may do with ``proposal`` now, according to the table."""
    return allowed_actions(proposal.status, capacities(session=session, proposal=proposal, actor=actor))


# -- the common path of every step ---------------------------------------------------------------------


def load(*, session: Session, proposal_id: int, actor: Viewer) -> Proposal:
    proposal = visible_proposal(session=session, viewer=actor, proposal_id=proposal_id)
    if proposal is None:
        raise NotFoundError(N_("There is no such proposal."), field="proposal")
    return proposal


def _clean_note(note: str | None) -> str:
    text = clean_text(note)
    if len(text) > LIMITS.note:
        raise InvalidInput(
            [
                Problem(
                    "note",
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(text), "limit": LIMITS.note},
                )
            ]
        )
    return text


def _check(session: Session, proposal: Proposal, action: Action, actor: Viewer, note: str = "") -> Rule:
    try:
        return check(
            proposal.status, action, capacities(session=session, proposal=proposal, actor=actor), note
        )
    except RuleError as error:
        raise TransitionError(error.problems) from None


def record(
    *,
    session: Session,
    proposal: Proposal,
    action: Action,
    actor: Viewer,
    from_status: str | None,
    note: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Transition:
    """Store one step of the timeline, and tell whoever it is for (tracker.services.notifications)."""
    step = Transition(
        proposal_id=proposal.id or 0,
        action=action.value,
        from_status=from_status,
        to_status=proposal.status,
        actor_id=actor.user_id,
        note=note,
        details=details or {},
        created_at=at or utcnow(),
    )
    session.add(step)
    session.flush()
    notifications.on_step(session=session, step=step, proposal=proposal)
    return step


def _apply(
    session: Session,
    proposal: Proposal,
    rule: Rule,
    actor: Viewer,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> Transition:
    source = proposal.status
    proposal.status = rule.target.value
    session.add(proposal)
    session.flush()
    return record(
        session=session,
        proposal=proposal,
        action=rule.action,
        actor=actor,
        from_status=source,
        note=note,
        details=details,
    )


def _simple_step(
    session: Session, proposal_id: int, action: Action, actor: Viewer, note: str | None = ""
) -> Proposal:
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    text = _clean_note(note)
    _apply(session, proposal, _check(session, proposal, action, actor, text), actor, text)
    return proposal


# -- the member's steps ----------------------------------------------------------------------------------


def submit(
    *, session: Session, proposal_id: int, actor: Viewer, today: date, note: str | None = ""
) -> Proposal:
    """Draft → submitted, by its proposer."""
    proposal = _simple_step(session, proposal_id, Action.SUBMIT, actor, note)
    proposal.submitted_on = today
    session.flush()
    return proposal


def withdraw(*, session: Session, proposal_id: int, actor: Viewer, note: str | None = "") -> Proposal:
    """Submitted → draft again, by its proposer, before staff have acted on it."""
    proposal = _simple_step(session, proposal_id, Action.WITHDRAW, actor, note)
    proposal.submitted_on = None
    session.flush()
    return proposal


# -- staff: accept, not accept, merge --------------------------------------------------------------


def next_number(*, session: Session, meeting_id: int) -> int:
    current = session.exec(select(func.max(Proposal.number)).where(Proposal.meeting_id == meeting_id)).one()
    return (current or 0) + 1


def _allocate_number(session: Session, proposal: Proposal, meeting_id: int) -> int:
    """Give ``proposal`` the next 案号 of its session, which must take proposals now (open).

    The UPDATE of the meeting row comes first: it takes the row lock (PostgreSQL) or the write lock
    (SQLite) before the highest number is read, so two acceptances in one session cannot read the
    same maximum. The unique constraint on (meeting_id, number) stays as the last guard.
    """
    locked = session.exec(
        sa.update(Meeting)
        .where(col(Meeting.id) == meeting_id)
        .values(name=Meeting.name)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount == 0:
        raise InvalidInput([Problem("meeting", N_("Choose the session the proposal belongs to."))])
    meeting = session.get(Meeting, meeting_id)
    if meeting is not None:
        session.refresh(meeting, ["is_open"])  # as it is now, under the lock just taken
        try:
            check_takes_proposals(meeting.is_open)
        except RuleError as error:
            raise InvalidInput(error.problems) from None
    number = next_number(session=session, meeting_id=meeting_id)
    proposal.meeting_id = meeting_id
    proposal.number = number
    session.add(proposal)
    session.flush()
    return number


def _accept(
    session: Session, proposal: Proposal, actor: Viewer, meeting_id: int | None, note: str, today: date
) -> Transition:
    rule = _check(session, proposal, Action.ACCEPT, actor, note)
    meeting = meeting_id or proposal.meeting_id
    if meeting is None:
        raise InvalidInput([Problem("meeting", N_("Choose the session the proposal belongs to."))])
    number = _allocate_number(session, proposal, meeting)
    proposal.accepted_on = today
    return _apply(session, proposal, rule, actor, note, {"number": number, "meeting_id": meeting})


def accept(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    today: date,
    meeting_id: int | None = None,
    note: str | None = "",
) -> Proposal:
    """Submitted → accepted (立案): the proposal gets the next 案号 of its session."""
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    _accept(session, proposal, actor, meeting_id, _clean_note(note), today)
    return proposal


def not_accept(*, session: Session, proposal_id: int, actor: Viewer, reason: str | None) -> Proposal:
    """Submitted → not accepted, turned into an opinion (不予立案，转为意见建议), with the reason."""
    return _simple_step(session, proposal_id, Action.NOT_ACCEPT, actor, reason)


def merge(
    *,
    session: Session,
    target_id: int,
    source_ids: Sequence[int],
    actor: Viewer,
    today: date,
    meeting_id: int | None = None,
    note: str | None = "",
) -> Proposal:
    """并案: submitted proposals become part of one accepted proposal.

    The target is accepted now if it was only submitted. Each merged proposal keeps its own text and
    suggestions, points to the target, and its proposer joins the target as a joint proposer.
    """
    text = _clean_note(note)
    target = load(session=session, proposal_id=target_id, actor=actor)
    ids = list(dict.fromkeys(i for i in source_ids if i != target_id))
    if not ids:
        raise InvalidInput([Problem("sources", N_("Choose the proposals to merge into this one."))])
    sources = [load(session=session, proposal_id=i, actor=actor) for i in ids]
    rules = [_check(session, source, Action.MERGE, actor, text) for source in sources]
    if target.status == ProposalStatus.SUBMITTED:
        _accept(session, target, actor, meeting_id, text, today)
    elif target.status != ProposalStatus.ACCEPTED:
        raise TransitionError(
            [Problem(None, N_("Proposals can only be merged into a submitted or accepted proposal."))]
        )
    signers = {
        s.member_id
        for s in session.exec(select(ProposalSigner).where(ProposalSigner.proposal_id == target.id)).all()
    }
    for source, rule in zip(sources, rules, strict=True):
        source.merged_into_id = target.id
        _apply(session, source, rule, actor, text, {"into": target.id, "number": target.number})
        proposer = source.proposer_id
        if proposer is not None and proposer != target.proposer_id and proposer not in signers:
            signers.add(proposer)
            session.add(
                ProposalSigner(
                    proposal_id=target.id or 0,
                    member_id=proposer,
                    role=SignerRole.PROPOSER.value,
                    status=SignerStatus.CONFIRMED.value,
                )
            )
    session.flush()
    return target


# -- assignment -------------------------------------------------------------------------------------


def _agencies(session: Session, ids: Sequence[int]) -> dict[int, Agency]:
    if not ids:
        return {}
    found = session.exec(select(Agency).where(col(Agency.id).in_(list(ids)))).all()
    return {a.id: a for a in found if a.id is not None}


def assign(
    *,
    session: Session,
    proposal_ids: Sequence[int],
    actor: Viewer,
    lead_agency_id: int | None,
    co_agency_ids: Sequence[int] = (),
    today: date,
    deadline: date | None = None,
    note: str | None = "",
    settings: WorkflowSettings = WorkflowSettings(),
) -> list[Proposal]:
    """Accepted → assigned (交办) to a lead agency and any co-handling agencies, with a deadline
    (default: ``settings.deadline_months`` from today). Several proposals at once, all or none."""
    text = _clean_note(note)
    problems: list[Problem] = []
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        problems.append(Problem("proposals", N_("Choose at least one proposal.")))
    co_ids = list(dict.fromkeys(co_agency_ids))
    agencies = _agencies(session, ([lead_agency_id] if lead_agency_id else []) + co_ids)
    if lead_agency_id is None or lead_agency_id not in agencies:
        problems.append(Problem("lead", N_("Choose the lead agency.")))
    if lead_agency_id in co_ids:
        problems.append(Problem("co", N_("The lead agency cannot also be a co-handling agency.")))
    if any(i not in agencies for i in co_ids):
        problems.append(Problem("co", N_("Choose co-handling agencies from the list.")))
    due = deadline or default_deadline(today, settings.deadline_months)
    try:
        check_deadline(due, today)
    except RuleError as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    assert lead_agency_id is not None  # checked above
    proposals = [load(session=session, proposal_id=i, actor=actor) for i in ids]
    rules = [_check(session, p, Action.ASSIGN, actor, text) for p in proposals]
    now = utcnow()
    details = {
        "lead": agencies[lead_agency_id].name,
        "co": [agencies[i].name for i in co_ids],
        "deadline": due.isoformat(),
    }
    for proposal, rule in zip(proposals, rules, strict=True):
        roles = [(lead_agency_id, ReplyRole.LEAD)] + [(i, ReplyRole.CO) for i in co_ids]
        for agency_id, role in roles:
            session.add(
                Assignment(
                    proposal_id=proposal.id or 0,
                    agency_id=agency_id,
                    role=role.value,
                    deadline=due,
                    assigned_at=now,
                )
            )
        _apply(session, proposal, rule, actor, text, details)
    return proposals


def return_assignment(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    reason: str | None,
    now: datetime | None = None,
    settings: WorkflowSettings = WorkflowSettings(),
) -> Proposal:
    """退回: an assigned agency sends a wrong assignment back to staff, with the reason, within
    ``settings.return_days`` of it being made. The proposal is accepted again, waiting for staff."""
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    text = _clean_note(reason)
    rule = _check(session, proposal, Action.RETURN, actor, text)
    try:
        check_still_returnable(last_move(session=session, proposal_id=proposal.id or 0))
    except RuleError as error:
        raise LockedError(error.problems[0].message) from None
    moment = as_utc(now) if now else utcnow()  # stored below: UTC, like every timestamp
    current = current_assignments(session=session, proposal_id=proposal.id or 0)
    own = next(a for a in current if a.agency_id == actor.agency_id)  # _check found it
    try:
        check_return_window(aware(own.assigned_at), moment, settings.return_days, settings.return_window)
    except RuleError as error:
        raise TransitionError(error.problems) from None
    for assignment in current:
        assignment.ended_at = moment
        session.add(assignment)
    agency = session.get(Agency, own.agency_id)
    return_details = {"agency": agency.name if agency else "", "role": own.role}
    _apply(session, proposal, rule, actor, text, return_details)
    return proposal


def last_moves(*, session: Session, proposal_ids: Sequence[int]) -> dict[int, Transition]:
    """The latest step that moved each proposal (assign, send back, reopen, reply …); steps that
    leave the state as it is (publish, reclassify) do not say where its handling stands."""
    if not proposal_ids:
        return {}
    latest = (
        select(Transition.proposal_id, func.max(col(Transition.id)).label("last_id"))
        .where(
            col(Transition.proposal_id).in_(list(proposal_ids)),
            col(Transition.action).in_([a.value for a in MOVES]),
        )
        .group_by(col(Transition.proposal_id))
        .subquery()
    )
    rows = session.exec(select(Transition).join(latest, col(latest.c.last_id) == col(Transition.id))).all()
    return {step.proposal_id: step for step in rows}


def last_move(*, session: Session, proposal_id: int) -> str | None:
    step = last_moves(session=session, proposal_ids=[proposal_id]).get(proposal_id)
    return step.action if step else None


# -- after the reply ------------------------------------------------------------------------------------


def mark_replied(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    note: str | None = "",
    details: dict[str, Any] | None = None,
) -> Proposal:
    """Assigned → replied. Called when the lead agency's reply is submitted (or by staff)."""
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    text = _clean_note(note)
    _apply(session, proposal, _check(session, proposal, Action.REPLY, actor, text), actor, text, details)
    return proposal


def send_back(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    note: str | None,
    details: dict[str, Any] | None = None,
) -> Proposal:
    """Replied → assigned (督办审核): staff send the reply back to the lead agency, saying why."""
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    text = _clean_note(note)
    _apply(session, proposal, _check(session, proposal, Action.SEND_BACK, actor, text), actor, text, details)
    return proposal


def reopen(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    note: str | None,
    details: dict[str, Any] | None = None,
) -> Proposal:
    """Replied → assigned (重新办理): staff have the agencies handle the proposal again, saying why.
    The reply-level rule (a dissatisfied rating) is checked by tracker.services.oversight."""
    proposal = load(session=session, proposal_id=proposal_id, actor=actor)
    text = _clean_note(note)
    _apply(session, proposal, _check(session, proposal, Action.REOPEN, actor, text), actor, text, details)
    return proposal


def close(*, session: Session, proposal_id: int, actor: Viewer, note: str | None = "") -> Proposal:
    """Replied → closed (办结), by staff."""
    return _simple_step(session, proposal_id, Action.CLOSE, actor, note)


# -- the timeline ---------------------------------------------------------------------------------------


class Event(StrEnum):
    """What the timeline shows besides the recorded steps: things stored in rows of their own."""

    COSIGN_CONFIRM = "cosign_confirm"  # a co-signer confirmed (联名确认)
    COSIGN_DECLINE = "cosign_decline"  # a co-signer declined
    RATE = "rate"  # a member rated the reply (满意 / 基本满意 / 不满意)
    CO_OPINION = "co_opinion"  # a co-handling agency sent its opinion (会办意见)
    EXTENSION_REQUEST = "extension_request"  # an agency asked for a later deadline (延期申请)
    EXTENSION_GRANT = "extension_grant"  # staff granted it: the new deadline
    EXTENSION_REFUSE = "extension_refuse"  # staff refused it, with the reason
    HOLDING_ANSWER = "holding_answer"  # the lead agency sent a holding answer (阶段性答复)
    CORRECTION = "correction"  # a letter was corrected (更正), with the reason


@dataclass(frozen=True)
class DerivedStep:
    """An event read from its own row, shaped like a Transition for the timeline."""

    action: str  # an Event
    created_at: datetime
    to_status: str | None = None
    from_status: str | None = None
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimelineStep:
    transition: Transition | DerivedStep
    actor_role: str | None  # the account's role; None when no account acted (an import)
    actor_name: str | None  # the member or agency the account acts for, if any

    @property
    def derived(self) -> bool:
        return isinstance(self.transition, DerivedStep)


def _derived_steps(session: Session, proposal_id: int) -> list[TimelineStep]:
    """Co-signers' answers, ratings and co-handling opinions, dated by their own rows: each row keeps
    its latest state, so a rating changed later shows once, as it stands, at the time of the change.
    Comments and opinion texts stay on their own pages (the review screen, the reply editor)."""
    steps: list[TimelineStep] = []
    for signer, member in session.exec(
        select(ProposalSigner, Member)
        .join(Member, col(Member.id) == col(ProposalSigner.member_id))
        .where(ProposalSigner.proposal_id == proposal_id, col(ProposalSigner.responded_at).is_not(None))
    ).all():
        confirmed = signer.status == SignerStatus.CONFIRMED.value
        if signer.responded_at is None or signer.status == SignerStatus.PENDING.value:
            continue
        event = Event.COSIGN_CONFIRM if confirmed else Event.COSIGN_DECLINE
        steps.append(
            TimelineStep(DerivedStep(event.value, aware(signer.responded_at)), Role.MEMBER.value, member.name)
        )
    for rating, member in session.exec(
        select(ReplyRating, Member)
        .join(Member, col(Member.id) == col(ReplyRating.member_id))
        .join(Reply, col(Reply.id) == col(ReplyRating.reply_id))
        .where(Reply.proposal_id == proposal_id)
    ).all():
        steps.append(
            TimelineStep(
                DerivedStep(
                    Event.RATE.value,
                    aware(rating.updated_at or rating.created_at),
                    details={"rating": rating.rating, "reply": rating.reply_id},
                ),
                Role.MEMBER.value,
                member.name,
            )
        )
    for opinion, agency in session.exec(
        select(CoOpinion, Agency)
        .join(Agency, col(Agency.id) == col(CoOpinion.agency_id))
        .where(CoOpinion.proposal_id == proposal_id, col(CoOpinion.submitted_at).is_not(None))
    ).all():
        if opinion.submitted_at is not None:
            steps.append(
                TimelineStep(
                    DerivedStep(Event.CO_OPINION.value, aware(opinion.submitted_at)),
                    Role.AGENCY.value,
                    agency.name,
                )
            )
    steps.extend(_extension_steps(session, proposal_id))
    steps.extend(_letter_steps(session, proposal_id))
    return steps


def _letter_steps(session: Session, proposal_id: int) -> list[TimelineStep]:
    """Holding answers and corrections, dated when they were sent; a correction with its reason."""
    steps: list[TimelineStep] = []
    for reply, user, agency in session.exec(
        select(Reply, User, Agency)
        .join(User, col(User.id) == col(Reply.corrected_by), isouter=True)
        .join(Agency, col(Agency.id) == col(Reply.agency_id), isouter=True)
        .where(
            Reply.proposal_id == proposal_id,
            col(Reply.issued_at).is_not(None),
            (Reply.status == ReplyStatus.HOLDING.value) | col(Reply.corrects_id).is_not(None),
        )
    ).all():
        if reply.issued_at is None:
            continue
        if reply.status == ReplyStatus.HOLDING.value:
            step = DerivedStep(
                Event.HOLDING_ANSWER.value, aware(reply.issued_at), details={"reply": reply.id}
            )
            steps.append(TimelineStep(step, Role.AGENCY.value, agency.name if agency else None))
            continue
        step = DerivedStep(
            Event.CORRECTION.value,
            aware(reply.issued_at),
            note=reply.correction_reason or "",
            details={"reply": reply.id, "version": reply.version},
        )
        by_agency = user is not None and user.role == Role.AGENCY.value
        steps.append(
            TimelineStep(step, user.role if user else None, agency.name if by_agency and agency else None)
        )
    return steps


def _extension_steps(session: Session, proposal_id: int) -> list[TimelineStep]:
    """Each extension request, and staff's answer to it, as two events with their reasons."""
    steps: list[TimelineStep] = []
    for row, agency in session.exec(
        select(ExtensionRequest, Agency)
        .join(Agency, col(Agency.id) == col(ExtensionRequest.agency_id))
        .where(ExtensionRequest.proposal_id == proposal_id)
    ).all():
        asked = {
            "requested": row.requested_deadline.isoformat(),
            "previous": row.previous_deadline.isoformat(),
        }
        steps.append(
            TimelineStep(
                DerivedStep(
                    Event.EXTENSION_REQUEST.value, aware(row.requested_at), note=row.reason, details=asked
                ),
                Role.AGENCY.value,
                agency.name,
            )
        )
        if row.decided_at is None:
            continue
        granted = row.status == ExtensionStatus.GRANTED.value
        event = Event.EXTENSION_GRANT if granted else Event.EXTENSION_REFUSE
        details = {"for": agency.name, **asked}
        if granted and row.granted_deadline is not None:
            details["granted"] = row.granted_deadline.isoformat()
        decider = session.get(User, row.decided_by) if row.decided_by is not None else None
        steps.append(
            TimelineStep(
                DerivedStep(event.value, aware(row.decided_at), note=row.decision_note, details=details),
                decider.role if decider else None,
                None,
            )
        )
    return steps


def timeline(*, session: Session, proposal_id: int) -> list[TimelineStep]:
    """Every recorded step of a proposal and the events kept in rows of their own (co-signers'
    answers, ratings, co-handling opinions, extension requests and answers), oldest first."""
    rows = session.exec(
        select(Transition, User, Member, Agency)
        .join(User, col(User.id) == col(Transition.actor_id), isouter=True)
        .join(Member, col(Member.id) == col(User.member_id), isouter=True)
        .join(Agency, col(Agency.id) == col(User.agency_id), isouter=True)
        .where(Transition.proposal_id == proposal_id)
        .order_by(col(Transition.created_at), col(Transition.id))
    ).all()
    recorded = [
        TimelineStep(
            transition=step,
            actor_role=user.role if user else None,
            actor_name=(member.name if member else agency.name if agency else None),
        )
        for step, user, member, agency in rows
    ]
    # stable: recorded steps keep their order among themselves, derived ones fall in by time
    return sorted(
        recorded + _derived_steps(session, proposal_id), key=lambda s: aware(s.transition.created_at)
    )
