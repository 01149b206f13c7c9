"""An agency's public page (issue 16): the proposals it handles (lead or co-handling), its answers
and how they were rated. Only what the public sees: published proposals and their letters in force,
whoever is looking, so the page is the same for everyone and names nothing unpublished.

A proposal is the agency's when it is assigned to it now, or when the agency wrote a letter in force
for it (an imported archive has letters without assignments). Its role is the assignment's, else
the letter's. Ratings are every rater's (the proposer's and the co-signers'), as the feedback page
records them; classes are those of the agency's letters in force.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from tracker.models import (
    Agency,
    Assignment,
    Meeting,
    Proposal,
    Rating,
    Reply,
    ReplyOutcome,
    ReplyRating,
    ReplyRole,
    ReplyStatus,
)
from tracker.services.visibility import ANONYMOUS, proposal_filter

PAGE_SIZE = 50


@dataclass(frozen=True)
class AgencyCase:
    proposal: Proposal
    meeting: Meeting | None
    role: str  # lead or co
    reply: Reply | None  # the agency's letter in force
    ratings: tuple[str, ...] = ()  # the ratings of that letter


@dataclass
class AgencyPage:
    agency: Agency
    parent: Agency | None
    cases: list[AgencyCase]  # this page of them, newest first
    total: int
    page: int
    pages: int
    lead: int = 0
    co: int = 0
    answers: int = 0  # letters in force
    ratings: dict[str, int] = field(default_factory=dict)  # every Rating value -> count
    outcomes: dict[str, int] = field(default_factory=dict)  # A/B/C -> letters

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())


@dataclass(frozen=True)
class AgencyEntry:
    agency: Agency
    proposals: int
    answers: int


def _public_cases(session: Session, agency_id: int) -> list[tuple[Proposal, str, Reply | None]]:
    public = proposal_filter(ANONYMOUS)
    roles: dict[int, str] = {}
    proposals: dict[int, Proposal] = {}
    for assignment, proposal in session.exec(
        select(Assignment, Proposal)
        .join(Proposal, col(Proposal.id) == col(Assignment.proposal_id))
        .where(Assignment.agency_id == agency_id, col(Assignment.ended_at).is_(None), public)
    ).all():
        pid = proposal.id or 0
        proposals[pid] = proposal
        if roles.get(pid) != ReplyRole.LEAD.value:
            roles[pid] = assignment.role
    letters: dict[int, Reply] = {}
    for reply, proposal in session.exec(
        select(Reply, Proposal)
        .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
        .where(Reply.agency_id == agency_id, Reply.status == ReplyStatus.ISSUED.value, public)
        .order_by(col(Reply.id))
    ).all():
        pid = proposal.id or 0
        proposals[pid] = proposal
        roles.setdefault(pid, reply.role)
        letters[pid] = reply  # the latest in force
    return [(proposals[pid], roles[pid], letters.get(pid)) for pid in proposals]


def agency_page(
    *, session: Session, agency_id: int, page: int = 1, page_size: int = PAGE_SIZE
) -> AgencyPage | None:
    agency = session.get(Agency, agency_id)
    if agency is None:
        return None
    found = _public_cases(session, agency_id)
    # newest first: by session year, then 案号 / id
    meetings = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(col(Meeting.id).in_({p.meeting_id for p, _r, _l in found if p.meeting_id}))
        ).all()
    }
    found.sort(
        key=lambda c: (
            -((meetings[c[0].meeting_id].year or 0) if c[0].meeting_id in meetings else 0),
            c[0].meeting_id or 0,
            c[0].number if c[0].number is not None else 1 << 30,
            c[0].id or 0,
        )
    )
    letters = [reply for _p, _r, reply in found if reply is not None]
    rated: dict[int, list[str]] = {}
    for reply_id, rating in session.exec(
        select(ReplyRating.reply_id, ReplyRating.rating)
        .where(col(ReplyRating.reply_id).in_([r.id for r in letters]))
        .order_by(col(ReplyRating.id))
    ).all():
        rated.setdefault(reply_id, []).append(rating)
    counts = Counter(r for ratings in rated.values() for r in ratings)
    outcomes = Counter(r.outcome for r in letters if r.outcome)
    total = len(found)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    shown = found[(page - 1) * page_size : page * page_size]
    return AgencyPage(
        agency=agency,
        parent=session.get(Agency, agency.parent_id) if agency.parent_id else None,
        cases=[
            AgencyCase(
                proposal=proposal,
                meeting=meetings.get(proposal.meeting_id) if proposal.meeting_id else None,
                role=role,
                reply=reply,
                ratings=tuple(rated.get(reply.id or 0, [])) if reply else (),
            )
            for proposal, role, reply in shown
        ],
        total=total,
        page=page,
        pages=pages,
        lead=sum(1 for _p, role, _l in found if role == ReplyRole.LEAD.value),
        co=sum(1 for _p, role, _l in found if role != ReplyRole.LEAD.value),
        answers=len(letters),
        ratings={r.value: counts.get(r.value, 0) for r in Rating},
        outcomes={o.value: outcomes.get(o.value, 0) for o in ReplyOutcome},
    )


def agency_index(*, session: Session) -> list[AgencyEntry]:
    """Every agency with public proposals, by name, with how many and how many letters in force."""
    entries = []
    for agency in session.exec(select(Agency).order_by(col(Agency.name))).all():
        found = _public_cases(session, agency.id or 0)
        if found:
            entries.append(AgencyEntry(agency, len(found), sum(1 for *_x, r in found if r is not None)))
    return entries
