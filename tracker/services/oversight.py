"""The committee office's part after the reply: review a submitted reply (督办审核: send it back with a
note, or change its class), reopen a proposal for re-handling (重新办理) after a dissatisfied rating,
and publish a proposal with its reply to the public archive or withhold it with a reason.

Every step is recorded in the proposal's timeline. Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from tracker.domain.deadlines import check_publication_time
from tracker.domain.drafting import LIMITS, clean_text
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.reply_drafting import OUTCOMES
from tracker.domain.workflow import Action, check_deadline
from tracker.models import (
    Agency,
    CoOpinion,
    DraftStatus,
    Member,
    Proposal,
    ProposalStatus,
    Rating,
    Reply,
    ReplyDraft,
    ReplyExemption,
    ReplyRating,
    ReplyStatus,
    Suggestion,
)
from tracker.services import co_opinions, notifications, workflow
from tracker.services.errors import InvalidInput, LockedError, TransitionError
from tracker.services.feedback import ratings_of
from tracker.services.replies import current_reply
from tracker.services.visibility import Viewer, is_published

PUBLISHABLE = (ProposalStatus.REPLIED.value, ProposalStatus.CLOSED.value)


def _staff_only(actor: Viewer, action: Action) -> None:
    if not actor.sees_all:
        raise TransitionError(
            [Problem(None, N_("You may not “%(action)s” this proposal."), {"action": action.value})]
        )


def _note(text: str | None) -> str:
    cleaned = clean_text(text)
    if len(cleaned) > LIMITS.note:
        raise InvalidInput(
            [
                Problem(
                    "note",
                    N_("Too long: %(count)d characters; at most %(limit)d."),
                    {"count": len(cleaned), "limit": LIMITS.note},
                )
            ]
        )
    return cleaned


def _reply_in_force(session: Session, proposal: Proposal) -> Reply:
    reply = current_reply(session=session, proposal_id=proposal.id or 0)
    if reply is None:
        raise LockedError(N_("The proposal has no reply in force."))
    return reply


def _unlock_draft(session: Session, reply: Reply) -> None:
    """The draft the reply came from becomes editable again, with the reply's content."""
    draft = session.exec(select(ReplyDraft).where(ReplyDraft.reply_id == reply.id)).first()
    if draft is not None:
        draft.status = DraftStatus.DRAFT.value
        draft.revision += 1
        session.add(draft)


def send_back(*, session: Session, proposal_id: int, actor: Viewer, note: str | None) -> Reply | None:
    """督办审核: the reply goes back to the lead agency to be corrected; the proposal is assigned again.
    The letter is kept (returned), visible to staff and its agency; the note says what to correct."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    reply = (
        current_reply(session=session, proposal_id=proposal.id or 0)
        if proposal.status == ProposalStatus.REPLIED.value
        else None
    )
    workflow.send_back(
        session=session,
        proposal_id=proposal_id,
        actor=actor,
        note=note,
        details={"reply": reply.id} if reply else None,
    )
    if reply is not None:
        reply.status = ReplyStatus.RETURNED.value
        session.add(reply)
        _unlock_draft(session, reply)
    session.flush()
    return reply


def reclassify(
    *, session: Session, proposal_id: int, actor: Viewer, outcome: str | None, note: str | None
) -> Reply:
    """Change the outcome class (A/B/C) of the reply in force; the timeline keeps the old one."""
    _staff_only(actor, Action.RECLASSIFY)
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    reply = _reply_in_force(session, proposal)
    value = (outcome or "").strip().upper()
    if value not in OUTCOMES:
        raise InvalidInput([Problem("outcome", N_("Choose the outcome class of the reply (A, B or C)."))])
    text = _note(note)
    if value == reply.outcome:
        raise InvalidInput(
            [Problem("outcome", N_("The reply already has class %(outcome)s."), {"outcome": value})]
        )
    before = reply.outcome
    reply.outcome = value
    session.add(reply)
    draft = session.exec(select(ReplyDraft).where(ReplyDraft.reply_id == reply.id)).first()
    if draft is not None:
        draft.outcome = value
        session.add(draft)
    workflow.record(
        session=session,
        proposal=proposal,
        action=Action.RECLASSIFY,
        actor=actor,
        from_status=proposal.status,
        note=text,
        details={"reply": reply.id, "from": before, "to": value},
    )
    return reply


def urge(
    *, session: Session, proposal_id: int, actor: Viewer, agency_id: int | None, note: str | None
) -> Proposal:
    """催办: staff press an agency handling the proposal (the lead by default) to answer, with a note
    saying what to do. Recorded in the timeline without moving the proposal, and told to the agency."""
    _staff_only(actor, Action.URGE)
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    targets = notifications.urge_targets(session=session, proposal_id=proposal.id or 0)
    if proposal.status != ProposalStatus.ASSIGNED.value or not targets:
        raise LockedError(N_("Only a proposal being handled by an agency can be urged."))
    chosen = next((t for t in targets if t[0].agency_id == agency_id), None) if agency_id else targets[0]
    if chosen is None:
        raise InvalidInput([Problem("agency", N_("Choose one of the agencies handling the proposal."))])
    text = notifications.check_urge_note(note)
    assignment, agency = chosen
    workflow.record(
        session=session,
        proposal=proposal,
        action=Action.URGE,
        actor=actor,
        from_status=proposal.status,
        note=text,
        details={"agency": agency.name, "agency_id": agency.id, "deadline": assignment.deadline.isoformat()},
    )
    return proposal


def dissatisfied(*, session: Session, reply_id: int) -> bool:
    found = session.exec(
        select(ReplyRating.id).where(
            ReplyRating.reply_id == reply_id, ReplyRating.rating == Rating.DISSATISFIED.value
        )
    ).first()
    return found is not None


def reopen(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    note: str | None,
    today: date,
    deadline: date | None = None,
) -> Proposal:
    """重新办理: after a dissatisfied rating, the agencies handle the proposal again. The reply stays in
    the history (superseded); the lead agency's draft opens with its text; a new deadline may be set."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    reply = current_reply(session=session, proposal_id=proposal.id or 0)
    if proposal.status == ProposalStatus.REPLIED.value and (
        reply is None or not dissatisfied(session=session, reply_id=reply.id or 0)
    ):
        raise LockedError(
            N_("A proposal is handled again only when a member is dissatisfied with its reply.")
        )
    if deadline is not None:
        try:
            check_deadline(deadline, today)
        except RuleError as error:
            raise InvalidInput(error.problems) from None
    details: dict[str, object] = {"reply": reply.id if reply else None}
    if deadline is not None:
        details["deadline"] = deadline.isoformat()
    workflow.reopen(session=session, proposal_id=proposal_id, actor=actor, note=note, details=details)
    if reply is not None:
        reply.status = ReplyStatus.SUPERSEDED.value
        session.add(reply)
        _unlock_draft(session, reply)
    if deadline is not None:
        for assignment in workflow.current_assignments(session=session, proposal_id=proposal.id or 0):
            assignment.deadline = deadline
            session.add(assignment)
    session.flush()
    return proposal


def close(
    *, session: Session, proposal_id: int, actor: Viewer, note: str | None, confirmed: bool = False
) -> Proposal:
    """办结. The normal path closes a proposal once its members have rated the reply in force and
    none is dissatisfied; closing before that (or over a dissatisfied rating) needs ``confirmed``,
    the staff's explicit second step, so a reply just arrived is not closed by a slip."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    reply = current_reply(session=session, proposal_id=proposal.id or 0)
    if proposal.status == ProposalStatus.REPLIED.value and reply is not None and not confirmed:
        ratings = ratings_of(session=session, reply_id=reply.id or 0)
        if not ratings:
            raise InvalidInput(
                [
                    Problem(
                        "confirm",
                        N_(
                            "No member has rated the reply yet. Tick “Close without waiting for the "
                            "rating” to close it now."
                        ),
                    )
                ]
            )
        if any(r.rating == Rating.DISSATISFIED.value for r, _m in ratings):
            raise InvalidInput(
                [
                    Problem(
                        "confirm",
                        N_(
                            "A member is dissatisfied with the reply; reopen it for re-handling, or "
                            "tick “Close despite the dissatisfied rating” to close it."
                        ),
                    )
                ]
            )
    return workflow.close(session=session, proposal_id=proposal_id, actor=actor, note=note)


def _unpublished_with_reply(*, session: Session, proposal_id: int, actor: Viewer, now: datetime) -> Proposal:
    """The proposal publishing (now or at a set time) acts on: one with its reply in force, not public yet."""
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    if (
        proposal.status not in PUBLISHABLE
        or current_reply(session=session, proposal_id=proposal.id or 0) is None
    ):
        raise LockedError(N_("Only a proposal with its reply in force can be published."))
    if is_published(proposal, now):
        raise LockedError(N_("The proposal is already published."))
    return proposal


def publish(*, session: Session, proposal_id: int, actor: Viewer, now: datetime) -> Proposal:
    """Put the proposal and its reply in the public archive."""
    now = workflow.as_utc(now)
    _staff_only(actor, Action.PUBLISH)
    proposal = _unpublished_with_reply(session=session, proposal_id=proposal_id, actor=actor, now=now)
    # publishing now also replaces a publication scheduled for later
    proposal.published_at = now
    proposal.withheld_reason = None
    proposal.withheld_at = None
    session.add(proposal)
    workflow.record(
        session=session, proposal=proposal, action=Action.PUBLISH, actor=actor, from_status=proposal.status
    )
    return proposal


def schedule_publication(
    *, session: Session, proposal_id: int, actor: Viewer, when: datetime | None, now: datetime
) -> Proposal:
    """Have the proposal and its reply become public at ``when`` (定时公开), with no one acting then:
    ``published_at`` in the future, which every visibility check compares with its own clock. A
    scheduled time may be moved; withholding cancels it; one already public is withheld first."""
    now = workflow.as_utc(now)
    _staff_only(actor, Action.PUBLISH)
    proposal = _unpublished_with_reply(session=session, proposal_id=proposal_id, actor=actor, now=now)
    try:
        check_publication_time(workflow.as_utc(when) if when else None, now)
    except RuleError as error:
        raise InvalidInput(error.problems) from None
    assert when is not None  # checked above
    moment = workflow.as_utc(when)
    proposal.published_at = moment
    proposal.withheld_reason = None
    proposal.withheld_at = None
    session.add(proposal)
    workflow.record(
        session=session,
        proposal=proposal,
        action=Action.PUBLISH,
        actor=actor,
        from_status=proposal.status,
        details={"scheduled": moment.isoformat()},
    )
    return proposal


def withhold(
    *, session: Session, proposal_id: int, actor: Viewer, reason: str | None, now: datetime
) -> Proposal:
    """Keep the proposal out of the public archive (taking it out if it was published), with the reason."""
    now = workflow.as_utc(now)
    _staff_only(actor, Action.WITHHOLD)
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    text = _note(reason)
    if not text:
        raise InvalidInput(
            [Problem("note", N_("Give the reason for “%(action)s”."), {"action": Action.WITHHOLD.value})]
        )
    was_published = proposal.published_at is not None
    proposal.published_at = None
    proposal.withheld_reason = text
    proposal.withheld_at = now
    session.add(proposal)
    workflow.record(
        session=session,
        proposal=proposal,
        action=Action.WITHHOLD,
        actor=actor,
        from_status=proposal.status,
        note=text,
        details={"unpublished": was_published},
    )
    return proposal


# -- what the review screen shows ------------------------------------------------------------------------


@dataclass
class ReplyReview:
    """The reply side of a proposal, for staff: the reply in force, its ratings, the co-handling
    opinions, the exemptions it claims, the lead agency's draft, and earlier letters."""

    reply: Reply | None
    agency: Agency | None
    ratings: list[tuple[ReplyRating, Member]] = field(default_factory=list)
    opinions: list[CoOpinion] = field(default_factory=list)
    waiting_for: list[Agency] = field(default_factory=list)
    exemptions: list[tuple[ReplyExemption, Suggestion]] = field(default_factory=list)
    draft: ReplyDraft | None = None
    earlier: list[Reply] = field(default_factory=list)  # returned or superseded letters, newest first

    @property
    def dissatisfied(self) -> bool:
        return any(r.rating == Rating.DISSATISFIED.value for r, _m in self.ratings)


def reply_review(*, session: Session, proposal_id: int) -> ReplyReview:
    reply = current_reply(session=session, proposal_id=proposal_id)
    opinions, waiting = co_opinions.submitted(session=session, proposal_id=proposal_id)
    drafts = session.exec(
        select(ReplyDraft)
        .where(ReplyDraft.proposal_id == proposal_id)
        .order_by(col(ReplyDraft.updated_at).desc())
    ).all()
    earlier = session.exec(
        select(Reply)
        .where(
            Reply.proposal_id == proposal_id,
            col(Reply.status).in_([ReplyStatus.RETURNED.value, ReplyStatus.SUPERSEDED.value]),
        )
        .order_by(col(Reply.id).desc())
    ).all()
    exemptions = []
    if reply is not None:
        exemptions = [
            (exemption, suggestion)
            for exemption, suggestion in session.exec(
                select(ReplyExemption, Suggestion)
                .join(Suggestion, col(Suggestion.id) == col(ReplyExemption.suggestion_id))
                .where(ReplyExemption.reply_id == reply.id)
                .order_by(col(Suggestion.position))
            ).all()
        ]
    return ReplyReview(
        reply=reply,
        agency=session.get(Agency, reply.agency_id) if reply and reply.agency_id else None,
        ratings=ratings_of(session=session, reply_id=reply.id or 0) if reply else [],
        opinions=opinions,
        waiting_for=waiting,
        exemptions=exemptions,
        draft=drafts[0] if drafts else None,
        earlier=list(earlier),
    )
