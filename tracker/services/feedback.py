"""Members' feedback on a reply: the proposer and each confirmed co-signer rate the reply in force
满意 / 基本满意 / 不满意, with an optional comment, while the proposal is replied (closing it ends the
feedback). A rating may be changed until then; 不满意 lets staff reopen the proposal for re-handling.
Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from tracker.domain.drafting import clean_text
from tracker.domain.messages import N_, Problem
from tracker.domain.reply_drafting import REPLY_LIMITS
from tracker.models import (
    Member,
    Proposal,
    ProposalSigner,
    ProposalStatus,
    Rating,
    Reply,
    ReplyRating,
    SignerStatus,
)
from tracker.services import notifications, workflow
from tracker.services.errors import ForbiddenError, InvalidInput, LockedError
from tracker.services.replies import current_reply
from tracker.services.visibility import Role, Viewer


def signed_by(*, session: Session, proposal: Proposal, member_id: int | None) -> bool:
    """Whether the member is the proposer or a confirmed signer (joint proposer or co-signer)."""
    if member_id is None:
        return False
    if proposal.proposer_id == member_id:
        return True
    signer = session.get(ProposalSigner, (proposal.id, member_id))
    return signer is not None and signer.status == SignerStatus.CONFIRMED.value


@dataclass(frozen=True)
class FeedbackState:
    """What the proposal page offers a member: the reply to rate, their rating, and whether they may."""

    reply: Reply | None
    own: ReplyRating | None
    may_rate: bool


def feedback_state(*, session: Session, proposal: Proposal, viewer: Viewer) -> FeedbackState:
    if viewer.role != Role.MEMBER or not signed_by(
        session=session, proposal=proposal, member_id=viewer.member_id
    ):
        return FeedbackState(reply=None, own=None, may_rate=False)
    reply = current_reply(session=session, proposal_id=proposal.id or 0)
    own = None
    if reply is not None:
        own = session.exec(
            select(ReplyRating).where(
                ReplyRating.reply_id == reply.id, ReplyRating.member_id == viewer.member_id
            )
        ).first()
    may = reply is not None and proposal.status == ProposalStatus.REPLIED.value
    return FeedbackState(reply=reply, own=own, may_rate=may)


def rate(
    *,
    session: Session,
    proposal_id: int,
    actor: Viewer,
    rating: str | None,
    comment: str | None,
    now: datetime,
) -> ReplyRating:
    """Record (or change) the actor's rating of the reply in force."""
    now = workflow.as_utc(now)
    proposal = workflow.load(session=session, proposal_id=proposal_id, actor=actor)
    if actor.role != Role.MEMBER or not signed_by(
        session=session, proposal=proposal, member_id=actor.member_id
    ):
        raise ForbiddenError(
            N_("Only the proposer and the members who co-signed the proposal rate its reply.")
        )
    reply = current_reply(session=session, proposal_id=proposal.id or 0)
    if reply is None or proposal.status not in (ProposalStatus.REPLIED.value, ProposalStatus.CLOSED.value):
        raise LockedError(N_("There is no reply to rate yet."))
    if proposal.status == ProposalStatus.CLOSED.value:
        raise LockedError(N_("The proposal is closed; its reply can no longer be rated."))
    problems = []
    try:
        verdict = Rating(rating or "").value
    except ValueError:
        problems.append(Problem("rating", N_("Choose satisfied, basically satisfied or dissatisfied.")))
    text = clean_text(comment)
    if len(text) > REPLY_LIMITS.comment:
        problems.append(
            Problem(
                "comment",
                N_("Too long: %(count)d characters; at most %(limit)d."),
                {"count": len(text), "limit": REPLY_LIMITS.comment},
            )
        )
    if problems:
        raise InvalidInput(problems)
    assert actor.member_id is not None  # signed_by checked it
    row = session.exec(
        select(ReplyRating).where(ReplyRating.reply_id == reply.id, ReplyRating.member_id == actor.member_id)
    ).first() or ReplyRating(
        reply_id=reply.id or 0, member_id=actor.member_id, rating=verdict, created_at=now
    )
    row.rating = verdict
    row.comment = text
    row.updated_at = now
    session.add(row)
    session.flush()
    notifications.rated(session=session, rating=row, proposal=proposal, actor_id=actor.user_id)
    return row


def ratings_of(*, session: Session, reply_id: int) -> list[tuple[ReplyRating, Member]]:
    """Every rating of a reply with the member who gave it, oldest first."""
    rows = session.exec(
        select(ReplyRating, Member)
        .join(Member, col(Member.id) == col(ReplyRating.member_id))
        .where(ReplyRating.reply_id == reply_id)
        .order_by(col(ReplyRating.created_at), col(ReplyRating.id))
    ).all()
    return [(rating, member) for rating, member in rows]
