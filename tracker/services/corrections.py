"""Holding answers (阶段性答复) and corrections (更正) of issued letters.

A holding answer is a letter the lead agency sends while the proposal is still assigned: stored as a
Reply with status holding, it answers no suggestion yet, leaves the assignment, its deadline and the
proposal's state as they are, and cannot be rated (a rating belongs to the final answer). Once the
final letter is issued it stays in the proposal's history.

A correction replaces the text of an issued letter with a new version: a new Reply (status issued)
naming the version it corrects, the reason and who corrected it, its points stored and linked through
the one write path (tracker.services.replies.store_points / store_links); the version corrected keeps
its text, points and links with status corrected. The links and point classes carry over point by
point (tracker.domain.corrections.match_points), the exemptions and the members' ratings move to the
new version, and the reply draft follows it. The index and the archive generation follow the new rows
on commit, as for every reply write. Functions flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain.corrections import Piece, check_correction, check_holding, match_points, text_diff
from tracker.domain.messages import N_, RuleError
from tracker.domain.notifications import Kind
from tracker.domain.replies import parse_reply
from tracker.domain.reply_drafting import ChosenLink
from tracker.models import (
    PointLink,
    Proposal,
    ProposalStatus,
    Reply,
    ReplyDraft,
    ReplyExemption,
    ReplyPoint,
    ReplyRating,
    ReplyRole,
    ReplyStatus,
    User,
)
from tracker.services import notifications, workflow
from tracker.services.errors import ConflictError, ForbiddenError, InvalidInput, LockedError, NotFoundError
from tracker.services.proposals import reply_visible, suggestions_of
from tracker.services.replies import add_reply, outcome_from_fields, proposed_links, store_links, store_points
from tracker.services.replying import lead_assignment
from tracker.services.visibility import Viewer, visible_proposal

# -- who may correct -------------------------------------------------------------------------------------


def _visible_reply(session: Session, viewer: Viewer, reply_id: int) -> tuple[Reply, Proposal]:
    reply = session.get(Reply, reply_id)
    proposal = (
        visible_proposal(session=session, viewer=viewer, proposal_id=reply.proposal_id) if reply else None
    )
    if reply is None or proposal is None or not reply_visible(reply, viewer):
        raise NotFoundError(N_("There is no such reply."), field="reply")
    return reply, proposal


def may_correct(reply: Reply, viewer: Viewer) -> bool:
    """The committee office, or the agency whose letter it is, may correct a letter in force."""
    if reply.status != ReplyStatus.ISSUED.value:
        return False
    return viewer.sees_all or (viewer.agency_id is not None and viewer.agency_id == reply.agency_id)


def correctable(*, session: Session, reply_id: int, actor: Viewer) -> Reply:
    """The letter ``actor`` is about to correct; NotFoundError when they may not read it, LockedError
    when it is not the version in force, ForbiddenError when it is not theirs to correct."""
    reply, _proposal = _visible_reply(session, actor, reply_id)
    if reply.status != ReplyStatus.ISSUED.value:
        raise LockedError(N_("Only the version in force of an issued letter can be corrected."))
    if not may_correct(reply, actor):
        raise ForbiddenError(
            N_("Only the agency that wrote the letter or the committee office may correct it.")
        )
    return reply


# -- correcting ----------------------------------------------------------------------------------------


def _top_points(session: Session, reply_id: int) -> list[ReplyPoint]:
    return list(
        session.exec(
            select(ReplyPoint)
            .where(ReplyPoint.reply_id == reply_id, col(ReplyPoint.parent_id).is_(None))
            .order_by(col(ReplyPoint.position))
        ).all()
    )


def correct_reply(
    *, session: Session, reply_id: int, actor: Viewer, text: str | None, reason: str | None, now: datetime
) -> Reply:
    """Store ``text`` as the corrected version of the letter ``reply_id`` and keep the version it
    replaces; returns the new version. Refused, with nothing changed, when the actor may not, when
    the reason is missing or the text unchanged, or when someone corrected the letter meanwhile."""
    old = correctable(session=session, reply_id=reply_id, actor=actor)
    try:
        letter, why = check_correction(text, reason, old.original_text)
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    proposal = session.get(Proposal, old.proposal_id)
    assert proposal is not None  # the reply's foreign key
    now = workflow.as_utc(now)
    # Compare and set: of two corrections made from the same page, exactly one goes on.
    claimed = session.exec(
        sa.update(Reply)
        .where(col(Reply.id) == old.id, col(Reply.status) == ReplyStatus.ISSUED.value)
        .values(status=ReplyStatus.CORRECTED.value)
        .execution_options(synchronize_session=False)
    )
    session.refresh(old)
    if claimed.rowcount != 1:
        raise ConflictError(
            N_("Someone corrected this letter since you opened it; read the version in force and try again.")
        )
    parsed = parse_reply(letter)
    new = add_reply(
        session=session,
        proposal=proposal,
        frame=parsed,
        text=letter,
        agency_id=old.agency_id,
        role=old.role,
        status=ReplyStatus.ISSUED.value,
        # a class the corrected letter states wins; otherwise the class given to the letter stays
        outcome=outcome_from_fields(parsed.fields) or old.outcome,
        header_fields=parsed.fields,
        issued_at=now,
    )
    new.corrects_id, new.version = old.id, old.version + 1
    new.correction_reason, new.corrected_by = why, actor.user_id
    session.add(new)

    previous = _top_points(session, old.id or 0)
    old_links: dict[int, list[PointLink]] = {}
    for link in session.exec(
        select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in previous]))
    ).all():
        old_links.setdefault(link.reply_point_id, []).append(link)
    matched = match_points([p.n for p in previous], [u.n for u in parsed.points])
    outcomes = {index: previous[o].outcome for index, o in matched.items()}
    points = store_points(session=session, reply=new, units=parsed.points, outcomes=outcomes)
    links = [
        ChosenLink(index, link.suggestion_id, link.method, link.confidence)
        for index, o in sorted(matched.items())
        for link in old_links.get(previous[o].id or 0, [])
    ]
    carried = {chosen.point for chosen in links}
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    # a point that stands for none of the version before (added by the correction) is linked as a
    # recorded letter's points are
    links += [c for c in proposed_links(parsed.points, suggestions) if c.point not in carried]
    store_links(session=session, points=points, links=links)

    for exemption in session.exec(select(ReplyExemption).where(ReplyExemption.reply_id == old.id)).all():
        session.add(
            ReplyExemption(
                reply_id=new.id or 0,
                suggestion_id=exemption.suggestion_id,
                kind=exemption.kind,
                reason=exemption.reason,
                with_suggestion_id=exemption.with_suggestion_id,
            )
        )
    # The members rated the answer, which a correction does not replace: their ratings stay with it.
    for rating in session.exec(select(ReplyRating).where(ReplyRating.reply_id == old.id)).all():
        rating.reply_id = new.id or 0
        session.add(rating)
    for draft in session.exec(select(ReplyDraft).where(ReplyDraft.reply_id == old.id)).all():
        draft.reply_id = new.id
        session.add(draft)
    session.flush()

    notifications.letter_news(
        session=session,
        kind=Kind.REPLY_CORRECTED,
        proposal=proposal,
        agency_id=new.agency_id,
        actor_id=actor.user_id,
        note=why,
        tell_agency=actor.agency_id is None or actor.agency_id != new.agency_id,
        now=now,
    )
    return new


# -- holding answers -----------------------------------------------------------------------------------


def issue_holding(
    *, session: Session, proposal_id: int, actor: Viewer, text: str | None, now: datetime
) -> Reply:
    """The lead agency's holding answer (阶段性答复) to a proposal it is still to answer."""
    proposal, assignment = lead_assignment(session=session, proposal_id=proposal_id, actor=actor)
    if proposal.status != ProposalStatus.ASSIGNED.value:
        raise LockedError(N_("A holding answer is sent only while the proposal waits for its reply."))
    try:
        letter = check_holding(text)
    except RuleError as error:
        raise InvalidInput.from_rule(error) from None
    now = workflow.as_utc(now)
    parsed = parse_reply(letter)
    reply = add_reply(
        session=session,
        proposal=proposal,
        frame=parsed,
        text=letter,
        agency_id=assignment.agency_id,
        role=ReplyRole.LEAD.value,
        status=ReplyStatus.HOLDING.value,
        outcome=None,  # a class (A/B/C) belongs to the final answer
        header_fields=parsed.fields,
        issued_at=now,
    )
    # its points answer no suggestion yet: the final letter does
    store_points(session=session, reply=reply, units=parsed.points)
    session.flush()
    notifications.letter_news(
        session=session,
        kind=Kind.HOLDING_ANSWER,
        proposal=proposal,
        agency_id=assignment.agency_id,
        actor_id=actor.user_id,
        now=now,
    )
    return reply


def holding_answers(*, session: Session, proposal_id: int) -> list[Reply]:
    """A proposal's holding answers, oldest first."""
    return list(
        session.exec(
            select(Reply)
            .where(Reply.proposal_id == proposal_id, Reply.status == ReplyStatus.HOLDING.value)
            .order_by(col(Reply.issued_at), col(Reply.id))
        ).all()
    )


# -- the version history -------------------------------------------------------------------------------


@dataclass
class Version:
    reply: Reply
    diff: list[Piece] = field(default_factory=list)  # against the version before; empty for the first
    corrected_by: str | None = None  # who made this version, when a correction did


@dataclass
class History:
    proposal: Proposal
    current: Reply  # the latest version (in force unless a re-handling replaced it)
    versions: list[Version]  # newest first


def letter_history(*, session: Session, viewer: Viewer, reply_id: int) -> History | None:
    """Every version of the letter ``reply_id`` belongs to, newest first, each with how its text
    differs from the one before; None when ``viewer`` may not read it."""
    try:
        reply, proposal = _visible_reply(session, viewer, reply_id)
    except NotFoundError:
        return None
    head = reply
    while True:  # the latest version: the one no version corrects
        later = session.exec(select(Reply).where(Reply.corrects_id == head.id)).first()
        if later is None:
            break
        head = later
    chain = [head]
    while chain[-1].corrects_id is not None:
        earlier = session.get(Reply, chain[-1].corrects_id)
        if earlier is None:
            break
        chain.append(earlier)
    versions = []
    for index, row in enumerate(chain):
        before = chain[index + 1] if index + 1 < len(chain) else None
        who = session.get(User, row.corrected_by) if row.corrected_by is not None else None
        versions.append(
            Version(
                reply=row,
                diff=text_diff(before.original_text, row.original_text) if before is not None else [],
                corrected_by=(who.role if who else None),
            )
        )
    return History(proposal=proposal, current=head, versions=versions)
