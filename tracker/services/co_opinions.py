"""Co-handling agencies' opinions (会办意见): a co-handling agency writes what it has done and will do,
saves it as often as it likes and sends it to the lead agency, which sees it while drafting the reply.
Sent opinions are locked. Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from tracker.domain.drafting import clean_text
from tracker.domain.messages import N_, Problem
from tracker.domain.reply_drafting import REPLY_LIMITS
from tracker.models import Agency, Assignment, CoOpinion, DraftStatus, Proposal, ProposalStatus, ReplyRole
from tracker.services import notifications, workflow
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError
from tracker.services.visibility import Role, Viewer


def agency_assignment(*, session: Session, proposal: Proposal, actor: Viewer) -> Assignment | None:
    """The actor's current assignment to the proposal (lead or co-handling), if their agency has one."""
    if actor.role != Role.AGENCY or actor.agency_id is None:
        return None
    current = workflow.current_assignments(session=session, proposal_id=proposal.id or 0)
    return next((a for a in current if a.agency_id == actor.agency_id), None)


def co_assignment(*, session: Session, proposal_id: int, actor: Viewer) -> tuple[Proposal, Assignment]:
    """The proposal and the actor's co-handling assignment; NotFoundError when they may not see it,
    ForbiddenError when their agency is not a co-handling one."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    own = agency_assignment(session=session, proposal=proposal, actor=actor)
    if own is None:
        raise ForbiddenError(N_("The proposal is not assigned to your agency."))
    if own.role != ReplyRole.CO.value:
        raise ForbiddenError(
            N_("The lead agency writes the reply itself; opinions come from co-handling agencies.")
        )
    return proposal, own


def find(*, session: Session, proposal_id: int, agency_id: int) -> CoOpinion | None:
    return session.exec(
        select(CoOpinion).where(CoOpinion.proposal_id == proposal_id, CoOpinion.agency_id == agency_id)
    ).first()


def submitted(*, session: Session, proposal_id: int) -> tuple[list[CoOpinion], list[Agency]]:
    """Submitted opinions of the current co-handling agencies, and the agencies still to send one."""
    co = [
        a
        for a in workflow.current_assignments(session=session, proposal_id=proposal_id)
        if a.role == ReplyRole.CO.value
    ]
    opinions = {
        o.agency_id: o
        for o in session.exec(select(CoOpinion).where(CoOpinion.proposal_id == proposal_id)).all()
        if o.status == DraftStatus.SUBMITTED.value
    }
    submitted = sorted(opinions.values(), key=lambda o: (o.submitted_at is None, o.submitted_at, o.id))
    waiting = [session.get(Agency, a.agency_id) for a in co if a.agency_id not in opinions]
    return submitted, [a for a in waiting if a is not None]


@dataclass
class OpinionEditor:
    proposal: Proposal
    assignment: Assignment
    opinion: CoOpinion | None
    lead: Agency | None

    @property
    def locked(self) -> bool:
        return self.opinion is not None and self.opinion.status == DraftStatus.SUBMITTED.value


def opinion_editor(*, session: Session, proposal_id: int, actor: Viewer) -> OpinionEditor:
    proposal, assignment = co_assignment(session=session, proposal_id=proposal_id, actor=actor)
    opinion = find(session=session, proposal_id=proposal.id or 0, agency_id=assignment.agency_id)
    lead = next(
        (
            a
            for a in workflow.current_assignments(session=session, proposal_id=proposal.id or 0)
            if a.role == ReplyRole.LEAD.value
        ),
        None,
    )
    return OpinionEditor(
        proposal=proposal,
        assignment=assignment,
        opinion=opinion,
        lead=session.get(Agency, lead.agency_id) if lead else None,
    )


def save_opinion(
    *, session: Session, proposal_id: int, actor: Viewer, text: str | None, submit: bool, now: datetime
) -> CoOpinion:
    """Save (and with ``submit``, send to the lead agency) a co-handling agency's opinion."""
    now = workflow.as_utc(now)
    state = opinion_editor(session=session, proposal_id=proposal_id, actor=actor)
    if state.locked:
        raise LockedError(N_("Your opinion was sent to the lead agency and is locked; nothing was changed."))
    if state.proposal.status != ProposalStatus.ASSIGNED.value:
        raise LockedError(N_("The proposal is no longer being handled; nothing was changed."))
    body = clean_text(text)
    if len(body) > REPLY_LIMITS.opinion:
        raise InvalidInput(
            [
                Problem(
                    "text",
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(body), "limit": REPLY_LIMITS.opinion},
                )
            ]
        )
    if submit and not body:
        raise InvalidInput([Problem("text", N_("Write the opinion before sending it."))])
    opinion = state.opinion or CoOpinion(
        proposal_id=state.proposal.id or 0, agency_id=state.assignment.agency_id
    )
    opinion.text = body
    opinion.updated_at = now
    opinion.author_id = actor.user_id
    if submit:
        opinion.status = DraftStatus.SUBMITTED.value
        opinion.submitted_at = now
    session.add(opinion)
    session.flush()
    notifications.co_opinion_saved(session=session, opinion=opinion)
    return opinion
