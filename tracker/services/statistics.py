"""Handling statistics from the database: one ``CaseFacts`` per proposal, summed up by the domain
(tracker.domain.statistics), overall, per session and per lead agency.

Counts cover every proposal that left the draft stage, published or not: the figures are totals and
name no proposal. A proposal's session is its own, or for a merged one (并案) the session of the
proposal it was merged into; proposals whose session is not known yet (submitted, or not accepted
before a session was chosen) are counted under "session not stated", so the sessions add up to the
overall figures. A proposal's lead agency is the lead of its current (else latest) assignment, or the
agency of its reply for a letter recorded from a document; its reply is the lead reply in force; it
was replied on the day that reply was submitted (or moved to replied, or the date the letter states).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel import Session, col, select

from tracker.domain.statistics import ASSIGNED_STATES, CaseFacts, Summary, by_key, summarize
from tracker.domain.workflow import Action
from tracker.models import (
    Agency,
    Assignment,
    Meeting,
    Proposal,
    ProposalStatus,
    Reply,
    ReplyRating,
    ReplyRole,
    ReplyStatus,
    Transition,
)
from tracker.services.people import all_meetings
from tracker.services.workflow import aware

REPLIED_STATES = (ProposalStatus.REPLIED.value, ProposalStatus.CLOSED.value)


def _local(moment: datetime | None, tz: tzinfo) -> date | None:
    return aware(moment).astimezone(tz).date() if moment is not None else None


def case_facts(*, session: Session, tz: tzinfo) -> list[CaseFacts]:
    """The facts of every proposal that left the draft stage, in id order."""
    stmt = select(Proposal).where(Proposal.status != ProposalStatus.DRAFT.value)
    proposals = list(session.exec(stmt.order_by(col(Proposal.id))).all())
    ids = [p.id for p in proposals if p.id is not None]
    if not ids:
        return []
    agencies = {a.id: a.name for a in session.exec(select(Agency)).all()}
    meeting_of = {p.id: p.meeting_id for p in proposals}

    # the lead assignment: the current one, else the latest
    lead: dict[int, Assignment] = {}
    for assignment in session.exec(
        select(Assignment)
        .where(col(Assignment.proposal_id).in_(ids), Assignment.role == ReplyRole.LEAD.value)
        .order_by(col(Assignment.ended_at).is_(None), col(Assignment.id))
    ).all():
        lead[assignment.proposal_id] = assignment  # the last one wins: current, then newest

    replies: dict[int, Reply] = {}
    for reply in session.exec(
        select(Reply)
        .where(
            col(Reply.proposal_id).in_(ids),
            Reply.role == ReplyRole.LEAD.value,
            Reply.status == ReplyStatus.ISSUED.value,
        )
        .order_by(col(Reply.id))
    ).all():
        replies[reply.proposal_id] = reply  # the newest in force

    ratings: dict[int, list[str]] = {}
    reply_ids = [r.id for r in replies.values() if r.id is not None]
    if reply_ids:
        for reply_id, rating in session.exec(
            select(ReplyRating.reply_id, ReplyRating.rating)
            .where(col(ReplyRating.reply_id).in_(reply_ids))
            .order_by(col(ReplyRating.id))
        ).all():
            ratings.setdefault(reply_id, []).append(rating)

    replied_at: dict[int, datetime] = {}
    for proposal_id, created_at in session.exec(
        select(Transition.proposal_id, Transition.created_at)
        .where(col(Transition.proposal_id).in_(ids), Transition.action == Action.REPLY.value)
        .order_by(col(Transition.id))
    ).all():
        replied_at[proposal_id] = created_at  # the latest

    cases = []
    for proposal in proposals:
        pid = proposal.id or 0
        assignment = lead.get(pid)
        reply = replies.get(pid)
        agency_id = assignment.agency_id if assignment else reply.agency_id if reply else None
        meeting_id = proposal.meeting_id
        if meeting_id is None and proposal.merged_into_id is not None:
            meeting_id = meeting_of.get(proposal.merged_into_id)
        replied = proposal.status in REPLIED_STATES
        replied_on = None
        if replied:
            replied_on = (
                _local(reply.issued_at if reply else None, tz)
                or _local(replied_at.get(pid), tz)
                or (reply.date_on if reply else None)
            )
        cases.append(
            CaseFacts(
                status=proposal.status,
                session=str(meeting_id) if meeting_id is not None else None,
                agency=agencies.get(agency_id) if agency_id is not None else None,
                assigned_on=_local(assignment.assigned_at, tz) if assignment else None,
                deadline=assignment.deadline if assignment else None,
                replied_on=replied_on,
                outcome=reply.outcome if reply else None,
                ratings=tuple(ratings.get(reply.id or 0, ())) if reply else (),
                replied=replied,
            )
        )
    return cases


@dataclass
class Report:
    """What the statistics page shows: one scope (a session, or every session), its summary, every
    session's summary, and the agencies' summaries within the scope."""

    scope: Meeting | None  # None: all sessions
    overall: Summary
    # sessions with proposals, latest first; None: the proposals whose session is not stated yet
    sessions: list[tuple[Meeting | None, Summary]]
    agencies: list[tuple[str | None, Summary]]  # by name; None: lead agency not known (last)
    meetings: list[Meeting]  # every session, for choosing the scope


def report(*, session: Session, today: date, tz: tzinfo, meeting_id: int | None = None) -> Report:
    meetings = all_meetings(session=session)
    scope = next((m for m in meetings if m.id == meeting_id), None) if meeting_id is not None else None
    every = case_facts(session=session, tz=tz)
    in_scope: Sequence[CaseFacts] = every
    if scope is not None:
        in_scope = [c for c in every if c.session == str(scope.id)]
    per_session = by_key(every, "session", today=today, unknown=True)
    sessions: list[tuple[Meeting | None, Summary]] = [
        (m, per_session[str(m.id)]) for m in meetings if str(m.id) in per_session
    ]
    if None in per_session:
        sessions.append((None, per_session[None]))
    return Report(
        scope=scope,
        overall=summarize(in_scope, today=today),
        sessions=sessions,
        # the proposals that reached an agency, each under its lead agency, so the rows add up
        agencies=list(
            by_key(
                [c for c in in_scope if c.status in ASSIGNED_STATES], "agency", today=today, unknown=True
            ).items()
        ),
        meetings=meetings,
    )
