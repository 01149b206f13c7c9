"""Extension requests (延期申请): an agency asks for a later deadline on its own assignment, with the
reason; committee staff grant it (the assignment gets the new deadline) or refuse it (with the
reason). The one write path of ExtensionRequest rows; the timeline reads them
(tracker.services.workflow.timeline). Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from tracker.domain.deadlines import (
    ExtensionStatus,
    check_extension_grant,
    check_extension_refusal,
    check_extension_request,
    check_no_pending,
    check_still_pending,
)
from tracker.domain.drafting import LIMITS, clean_text
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.workflow import ProposalStatus
from tracker.models import Agency, Assignment, ExtensionRequest, Proposal
from tracker.services import notifications, workflow
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError, NotFoundError
from tracker.services.visibility import Role, Viewer
from tracker.services.workflow import WorkflowSettings

DEFAULTS = WorkflowSettings()


def _text(value: str | None, field: str) -> str:
    text = clean_text(value)
    if len(text) > LIMITS.note:
        raise InvalidInput(
            [
                Problem(
                    field,
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(text), "limit": LIMITS.note},
                )
            ]
        )
    return text


def pending_for(*, session: Session, assignment_id: int) -> ExtensionRequest | None:
    return session.exec(
        select(ExtensionRequest).where(
            ExtensionRequest.assignment_id == assignment_id,
            ExtensionRequest.status == ExtensionStatus.PENDING.value,
        )
    ).first()


def own_assignment(*, session: Session, proposal: Proposal, actor: Viewer) -> Assignment | None:
    """The actor's agency's current assignment on ``proposal`` (lead or co-handling), if any."""
    if actor.role != Role.AGENCY or actor.agency_id is None:
        return None
    for assignment in workflow.current_assignments(session=session, proposal_id=proposal.id or 0):
        if assignment.agency_id == actor.agency_id:
            return assignment
    return None


def can_request(*, session: Session, proposal: Proposal, actor: Viewer) -> Assignment | None:
    """The assignment ``actor`` may ask an extension for now, or None (for showing the form)."""
    if proposal.status != ProposalStatus.ASSIGNED.value:
        return None
    assignment = own_assignment(session=session, proposal=proposal, actor=actor)
    if assignment is None or assignment.id is None:
        return None
    return None if pending_for(session=session, assignment_id=assignment.id) else assignment


def request(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    requested_deadline: date | None,
    reason: str | None,
    now: datetime,
    settings: WorkflowSettings = DEFAULTS,
) -> ExtensionRequest:
    """An agency asks for a later deadline on its own current assignment (lead or co-handling)."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    assignment = own_assignment(session=session, proposal=proposal, actor=actor)
    if assignment is None or assignment.id is None:
        raise ForbiddenError(N_("Only an agency handling this proposal may ask for an extension."))
    if proposal.status != ProposalStatus.ASSIGNED.value:
        raise LockedError(N_("An extension can be asked for only while the proposal is being handled."))
    text = _text(reason, "reason")
    try:
        check_no_pending(pending_for(session=session, assignment_id=assignment.id) is not None)
    except RuleError as error:
        raise LockedError(error.problems[0].message) from None
    try:
        check_extension_request(
            current_deadline=assignment.deadline,
            requested=requested_deadline,
            reason=text,
            max_days=settings.extension_max_days,
        )
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    assert requested_deadline is not None  # checked above
    row = ExtensionRequest(
        proposal_id=proposal.id or 0,
        assignment_id=assignment.id,
        agency_id=assignment.agency_id,
        reason=text,
        previous_deadline=assignment.deadline,
        requested_deadline=requested_deadline,
        requested_at=workflow.as_utc(now),
        requested_by=actor.user_id,
    )
    session.add(row)
    try:
        # the partial unique index is the last guard against two requests posted at once
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise LockedError(
            N_("An extension request for this assignment is already waiting for an answer.")
        ) from None
    notifications.extension_changed(session=session, request=row)
    return row


def _load_pending(session: Session, request_id: int, actor: Viewer) -> tuple[ExtensionRequest, Assignment]:
    if not actor.sees_all:
        raise ForbiddenError(N_("Only the committee office answers extension requests."))
    row = session.get(ExtensionRequest, request_id)
    if row is None:
        raise NotFoundError(N_("There is no such extension request."), field="request")
    try:
        check_still_pending(row.status)
    except RuleError as error:
        raise LockedError(error.problems[0].message) from None
    assignment = session.get(Assignment, row.assignment_id)
    if assignment is None or assignment.ended_at is not None:
        raise LockedError(N_("The assignment this request was made on has ended (it was returned)."))
    return row, assignment


def grant(
    *,
    session: Session,
    request_id: int,
    actor: Viewer,
    deadline: date | None = None,
    note: str | None = "",
    now: datetime,
    settings: WorkflowSettings = DEFAULTS,
) -> ExtensionRequest:
    """Staff grant the request: the assignment's deadline becomes ``deadline`` (by default the one
    asked for; staff may grant a shorter or longer one within the same limits)."""
    row, assignment = _load_pending(session, request_id, actor)
    text = _text(note, "note")
    new = deadline or row.requested_deadline
    try:
        check_extension_grant(
            current_deadline=assignment.deadline, granted=new, max_days=settings.extension_max_days
        )
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    assignment.deadline = new
    row.status = ExtensionStatus.GRANTED.value
    row.granted_deadline = new
    row.decision_note = text
    row.decided_at = workflow.as_utc(now)
    row.decided_by = actor.user_id
    session.add_all([assignment, row])
    session.flush()
    notifications.extension_changed(session=session, request=row)
    return row


def refuse(
    *, session: Session, request_id: int, actor: Viewer, reason: str | None, now: datetime
) -> ExtensionRequest:
    """Staff refuse the request, saying why; the deadline stays as it was."""
    row, _assignment = _load_pending(session, request_id, actor)
    text = _text(reason, "reason")
    try:
        check_extension_refusal(text)
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    row.status = ExtensionStatus.REFUSED.value
    row.decision_note = text
    row.decided_at = workflow.as_utc(now)
    row.decided_by = actor.user_id
    session.add(row)
    session.flush()
    notifications.extension_changed(session=session, request=row)
    return row


# -- what staff and agencies see --------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingRow:
    request: ExtensionRequest
    proposal: Proposal
    agency: Agency
    role: str  # lead or co


def pending_count(*, session: Session) -> int:
    """The staff queue's length (shown on the review index and the 督办 list)."""
    return session.exec(
        select(func.count(col(ExtensionRequest.id))).where(
            ExtensionRequest.status == ExtensionStatus.PENDING.value
        )
    ).one()


def pending(*, session: Session) -> list[PendingRow]:
    """Requests waiting for an answer, the oldest first (first asked, first answered)."""
    rows = session.exec(
        select(ExtensionRequest, Proposal, Agency, Assignment)
        .join(Proposal, col(Proposal.id) == col(ExtensionRequest.proposal_id))
        .join(Agency, col(Agency.id) == col(ExtensionRequest.agency_id))
        .join(Assignment, col(Assignment.id) == col(ExtensionRequest.assignment_id))
        .where(ExtensionRequest.status == ExtensionStatus.PENDING.value)
        .order_by(col(ExtensionRequest.requested_at), col(ExtensionRequest.id))
    ).all()
    return [PendingRow(r, p, a, asg.role) for r, p, a, asg in rows]


def for_proposal(*, session: Session, proposal_id: int) -> list[ExtensionRequest]:
    """Every request made on a proposal, newest first (the proposal's review screen)."""
    return list(
        session.exec(
            select(ExtensionRequest)
            .where(ExtensionRequest.proposal_id == proposal_id)
            .order_by(col(ExtensionRequest.requested_at).desc(), col(ExtensionRequest.id).desc())
        ).all()
    )


def pending_by_assignment(*, session: Session, assignment_ids: list[int]) -> dict[int, ExtensionRequest]:
    """The pending request of each of these assignments (an agency's inbox)."""
    if not assignment_ids:
        return {}
    rows = session.exec(
        select(ExtensionRequest).where(
            col(ExtensionRequest.assignment_id).in_(assignment_ids),
            ExtensionRequest.status == ExtensionStatus.PENDING.value,
        )
    ).all()
    return {r.assignment_id: r for r in rows}
