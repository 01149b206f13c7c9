"""What committee staff and agencies work from: the queue per state, the overdue list (督办) and an
agency's inbox. Queries only; the steps themselves are in workflow.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from tracker.domain.workflow import Action, days_overdue, return_ends_at
from tracker.models import Agency, Assignment, Member, Proposal, ProposalStatus, ReplyRole, Transition
from tracker.services.proposals import Page
from tracker.services.workflow import WorkflowSettings, aware, last_moves

# The states staff work through, in the order of the work; drafts are the members' own business.
QUEUE_STATES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.ACCEPTED,
    ProposalStatus.ASSIGNED,
    ProposalStatus.REPLIED,
    ProposalStatus.NOT_ACCEPTED,
    ProposalStatus.MERGED,
    ProposalStatus.CLOSED,
)


def queue_counts(*, session: Session) -> dict[str, int]:
    """How many proposals are in each queue state (zero included)."""
    rows = session.exec(
        select(Proposal.status, func.count(col(Proposal.id)))
        .where(col(Proposal.status).in_([s.value for s in QUEUE_STATES]))
        .group_by(col(Proposal.status))
    ).all()
    found = dict(rows)
    return {s.value: found.get(s.value, 0) for s in QUEUE_STATES}


@dataclass
class QueueRow:
    proposal: Proposal
    proposer: Member | None
    lead: Agency | None = None
    co: list[Agency] = field(default_factory=list)
    deadline: date | None = None
    returned: bool = False  # accepted again because an agency returned the assignment


def _assignments(session: Session, proposal_ids: list[int]) -> dict[int, list[tuple[Assignment, Agency]]]:
    rows = session.exec(
        select(Assignment, Agency)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(col(Assignment.proposal_id).in_(proposal_ids), col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.role) != ReplyRole.LEAD.value, col(Agency.name))
    ).all()
    found: dict[int, list[tuple[Assignment, Agency]]] = {}
    for assignment, agency in rows:
        found.setdefault(assignment.proposal_id, []).append((assignment, agency))
    return found


def _returned(session: Session, proposal_ids: list[int]) -> set[int]:
    """Proposals whose latest step was a return by an agency."""
    latest = (
        select(Transition.proposal_id, func.max(col(Transition.id)).label("last_id"))
        .where(col(Transition.proposal_id).in_(proposal_ids))
        .group_by(col(Transition.proposal_id))
        .subquery()
    )
    rows = session.exec(
        select(Transition.proposal_id)
        .join(latest, col(latest.c.last_id) == col(Transition.id))
        .where(Transition.action == Action.RETURN.value)
    ).all()
    return set(rows)


def queue(*, session: Session, status: str, page: int = 1, page_size: int = 20) -> Page[QueueRow]:
    """One page of the proposals in ``status``: oldest submission first, so nothing waits forever."""
    stmt = select(Proposal, Member).join(Member, col(Member.id) == col(Proposal.proposer_id), isouter=True)
    stmt = stmt.where(Proposal.status == status)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    rows = session.exec(
        stmt.order_by(
            col(Proposal.submitted_on).is_(None),
            col(Proposal.submitted_on),
            col(Proposal.number).is_(None),
            col(Proposal.number),
            col(Proposal.id),
        )
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    ids = [p.id for p, _m in rows if p.id is not None]
    assigned = _assignments(session, ids)
    returned = _returned(session, ids) if status == ProposalStatus.ACCEPTED.value else set()
    items = []
    for proposal, member in rows:
        current = assigned.get(proposal.id or 0, [])
        lead = next((agency for a, agency in current if a.role == ReplyRole.LEAD.value), None)
        items.append(
            QueueRow(
                proposal=proposal,
                proposer=member,
                lead=lead,
                co=[agency for a, agency in current if a.role == ReplyRole.CO.value],
                deadline=current[0][0].deadline if current else None,
                returned=proposal.id in returned,
            )
        )
    return Page(items=items, total=total, page=page, page_size=page_size)


def submitted_proposals(*, session: Session, exclude_id: int | None = None) -> list[Proposal]:
    """Proposals waiting for review: the ones that can be merged into another."""
    stmt = select(Proposal).where(Proposal.status == ProposalStatus.SUBMITTED.value)
    if exclude_id is not None:
        stmt = stmt.where(Proposal.id != exclude_id)
    return list(session.exec(stmt.order_by(col(Proposal.id))).all())


@dataclass(frozen=True)
class OverdueRow:
    proposal: Proposal
    lead: Agency
    deadline: date
    days: int  # days past the deadline


def overdue(*, session: Session, today: date) -> list[OverdueRow]:
    """督办: assigned proposals past their deadline with no reply yet, the longest overdue first."""
    rows = session.exec(
        select(Proposal, Assignment, Agency)
        .join(Assignment, col(Assignment.proposal_id) == col(Proposal.id))
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(
            Proposal.status == ProposalStatus.ASSIGNED.value,
            Assignment.role == ReplyRole.LEAD.value,
            col(Assignment.ended_at).is_(None),
            col(Assignment.deadline) < today,
        )
        .order_by(col(Assignment.deadline), col(Proposal.number), col(Proposal.id))
    ).all()
    return [
        OverdueRow(proposal=p, lead=agency, deadline=a.deadline, days=days_overdue(a.deadline, today))
        for p, a, agency in rows
    ]


class InboxState(StrEnum):
    """Where an assigned proposal stands for its agency, from the latest step that moved it."""

    NEW = "new"  # assigned, nothing done yet
    SENT_BACK = "sent_back"  # the committee office sent the reply back for changes (督办审核)
    REOPENED = "reopened"  # handled again after a member was dissatisfied (重新办理)
    REPLIED = "replied"  # the reply is submitted, waiting for the office
    CLOSED = "closed"


_STATE_OF_MOVE = {
    Action.SEND_BACK.value: InboxState.SENT_BACK,
    Action.REOPEN.value: InboxState.REOPENED,
}


@dataclass(frozen=True)
class InboxRow:
    proposal: Proposal
    assignment: Assignment
    days_left: int  # until the deadline; negative when overdue
    return_until: datetime | None  # last moment to return it; None when it cannot be returned
    state: InboxState = InboxState.NEW
    step: Transition | None = None  # the step that put it there, with the office's note and date


def inbox(
    *, session: Session, agency_id: int, today: date, now: datetime, settings: WorkflowSettings
) -> list[InboxRow]:
    """The proposals currently assigned to an agency, the nearest deadline first."""
    rows = session.exec(
        select(Proposal, Assignment)
        .join(Assignment, col(Assignment.proposal_id) == col(Proposal.id))
        .where(Assignment.agency_id == agency_id, col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.deadline), col(Proposal.id))
    ).all()
    moves = last_moves(session=session, proposal_ids=[p.id for p, _a in rows if p.id is not None])
    result = []
    for proposal, assignment in rows:
        step = moves.get(proposal.id or 0)
        if proposal.status == ProposalStatus.REPLIED.value:
            state = InboxState.REPLIED
        elif proposal.status == ProposalStatus.CLOSED.value:
            state = InboxState.CLOSED
        else:
            state = _STATE_OF_MOVE.get(step.action if step else "", InboxState.NEW)
        until = return_ends_at(aware(assignment.assigned_at), settings.return_days, settings.return_window)
        # the rule of tracker.domain.workflow.check_still_returnable, which the service enforces
        can_return = (
            proposal.status == ProposalStatus.ASSIGNED.value
            and step is not None
            and step.action == Action.ASSIGN.value
            and now <= until
        )
        result.append(
            InboxRow(
                proposal=proposal,
                assignment=assignment,
                days_left=-days_overdue(assignment.deadline, today),
                return_until=until if can_return else None,
                state=state,
                step=step if state in (InboxState.SENT_BACK, InboxState.REOPENED) else None,
            )
        )
    return result
