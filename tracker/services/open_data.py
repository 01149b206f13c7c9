"""Open data: everything the public may see, as plain rows for the JSON API and the bulk downloads.

Every query here is the anonymous visitor's: proposals through ``proposal_filter(ANONYMOUS)`` (published,
its moment come), letters through ``reply_visible`` (issued, or replaced by a re-handling), so the API
and the downloads never hold what the anonymous pages would not show. Values are plain dicts of JSON
types (dates as ISO 8601 text); the web layer checks them against its schema.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.domain.glossary import case_number
from tracker.domain.visibility import aware
from tracker.models import (
    Agency,
    Assignment,
    Meeting,
    Member,
    PointLink,
    Proposal,
    Reply,
    ReplyPoint,
    ReplyStatus,
    Suggestion,
)
from tracker.services.proposals import (
    SHOWN_REPLY_STATUSES,
    proposal_detail,
    replies_of,
    reply_visible,
    suggestions_of,
)
from tracker.services.visibility import ANONYMOUS, proposal_filter

MAX_PAGE_SIZE = 100


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return aware(value).isoformat()
    return value.isoformat()


def public_proposals() -> sa.ColumnElement[bool]:
    """The anonymous visitor's proposals, judged now."""
    return proposal_filter(ANONYMOUS)


def _shown_reply() -> sa.ColumnElement[bool]:
    return col(Reply.status).in_(SHOWN_REPLY_STATUSES)


# -- sessions and agencies --------------------------------------------------------------------------


def session_row(meeting: Meeting, count: int) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "name": meeting.name,
        "short_name": meeting.short_name,
        "body": meeting.body,
        "organisation": meeting.organisation,
        "term": meeting.term,
        "sitting": meeting.sitting,
        "year": meeting.year,
        "starts_on": _iso(meeting.starts_on),
        "ends_on": _iso(meeting.ends_on),
        "number_prefix": meeting.number_prefix,
        "proposal_count": count,
    }


def sessions(*, session: Session) -> list[tuple[Meeting, int]]:
    """Every session with its number of public proposals, latest first (as the list's filter shows)."""
    stmt = (
        select(Meeting, func.count(col(Proposal.id)))
        .join(
            Proposal, sa.and_(col(Proposal.meeting_id) == col(Meeting.id), public_proposals()), isouter=True
        )
        .group_by(col(Meeting.id))
        .order_by(col(Meeting.year).is_(None), col(Meeting.year).desc(), col(Meeting.id).desc())
    )
    return [(m, n) for m, n in session.exec(stmt).all()]


def get_session_row(*, session: Session, meeting_id: int) -> tuple[Meeting, int] | None:
    return next((pair for pair in sessions(session=session) if pair[0].id == meeting_id), None)


def _agency_proposals() -> sa.Select:
    """(agency, proposal) pairs the public sees: a current assignment or a letter it may read."""
    visible = select(Proposal.id).where(public_proposals())
    return sa.union(
        select(Assignment.agency_id, Assignment.proposal_id).where(
            col(Assignment.ended_at).is_(None), col(Assignment.proposal_id).in_(visible)
        ),
        select(Reply.agency_id, Reply.proposal_id).where(
            col(Reply.agency_id).is_not(None), _shown_reply(), col(Reply.proposal_id).in_(visible)
        ),
    )


def agencies(*, session: Session) -> list[dict[str, Any]]:
    """The agencies named on public pages (handling or answering a public proposal), by name, with
    the number of public proposals each handles."""
    pairs = _agency_proposals().subquery()
    stmt = (
        select(Agency, func.count(sa.distinct(pairs.c.proposal_id)))
        .join(pairs, pairs.c.agency_id == col(Agency.id))
        .group_by(col(Agency.id))
        .order_by(col(Agency.name), col(Agency.id))
    )
    return [
        {"id": a.id, "name": a.name, "short_name": a.short_name, "kind": a.kind, "proposal_count": n}
        for a, n in session.exec(stmt).all()
    ]


# -- proposals --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalFilters:
    session_id: int | None = None
    category: str | None = None
    agency_id: int | None = None
    status: str | None = None
    outcome: str | None = None  # the class (A/B/C) of the letter in force
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str | None = None  # words in the title or the text


def _filtered(filters: ProposalFilters) -> sa.Select:
    stmt = select(Proposal).where(public_proposals())
    if filters.session_id is not None:
        stmt = stmt.where(Proposal.meeting_id == filters.session_id)
    if filters.category:
        stmt = stmt.where(Proposal.category == filters.category)
    if filters.status:
        stmt = stmt.where(Proposal.status == filters.status)
    if filters.agency_id is not None:
        pairs = _agency_proposals().subquery()
        stmt = stmt.where(
            col(Proposal.id).in_(select(pairs.c.proposal_id).where(pairs.c.agency_id == filters.agency_id))
        )
    if filters.outcome:
        stmt = stmt.where(
            col(Proposal.id).in_(
                select(Reply.proposal_id).where(
                    Reply.status == ReplyStatus.ISSUED.value, Reply.outcome == filters.outcome
                )
            )
        )
    if filters.submitted_from is not None:
        stmt = stmt.where(col(Proposal.submitted_on) >= filters.submitted_from)
    if filters.submitted_to is not None:
        stmt = stmt.where(col(Proposal.submitted_on) <= filters.submitted_to)
    for word in (filters.q or "").split():
        # every word somewhere in the title or the text; LIKE with escaping is portable
        stmt = stmt.where(
            sa.or_(
                col(Proposal.title).contains(word, autoescape=True),
                col(Proposal.original_text).contains(word, autoescape=True),
            )
        )
    return stmt


@dataclass
class ProposalPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def _ordered(stmt: sa.Select) -> sa.Select:
    # the proposals list's order: latest session first, then by 案号 (unknown ones last)
    return stmt.order_by(
        col(Proposal.meeting_id).is_(None),
        col(Proposal.meeting_id).desc(),
        col(Proposal.number).is_(None),
        col(Proposal.number),
        col(Proposal.id),
    )


def list_proposals(*, session: Session, filters: ProposalFilters, page: int, page_size: int) -> ProposalPage:
    """One page of public proposals matching ``filters``; a page past the end is empty (not the last
    page, so a client walking the pages stops)."""
    stmt = _filtered(filters)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(_ordered(stmt).offset((page - 1) * page_size).limit(page_size)).all()
    return ProposalPage(summaries(session=session, proposals=rows), total, page, page_size)


def summaries(*, session: Session, proposals: Sequence[Proposal]) -> list[dict[str, Any]]:
    """Proposals as list items (one query each for their sessions, proposers and suggestion counts)."""
    ids = [p.id for p in proposals]
    meetings = {m.id: m for m in session.exec(select(Meeting)).all()} if proposals else {}
    proposer_ids = {p.proposer_id for p in proposals if p.proposer_id is not None}
    names = (
        dict(session.exec(select(Member.id, Member.name).where(col(Member.id).in_(proposer_ids))).all())
        if proposer_ids
        else {}
    )
    counts = (
        dict(
            session.exec(
                select(Suggestion.proposal_id, func.count())
                .where(col(Suggestion.proposal_id).in_(ids), col(Suggestion.parent_id).is_(None))
                .group_by(col(Suggestion.proposal_id))
            ).all()
        )
        if ids
        else {}
    )
    visible_targets = _visible_ids(
        session=session, ids={p.merged_into_id for p in proposals if p.merged_into_id}
    )
    return [
        _summary(
            p, meetings.get(p.meeting_id), names.get(p.proposer_id), counts.get(p.id, 0), visible_targets
        )
        for p in proposals
    ]


def _visible_ids(*, session: Session, ids: Iterable[int | None]) -> set[int]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return set()
    return set(
        session.exec(select(Proposal.id).where(col(Proposal.id).in_(wanted), public_proposals())).all()
    )


def _summary(
    p: Proposal, meeting: Meeting | None, proposer: str | None, suggestion_count: int, visible: set[int]
) -> dict[str, Any]:
    return {
        "id": p.id,
        "number": p.number,
        "case_number": case_number(p.number, meeting.number_prefix if meeting else None)
        if p.number is not None
        else None,
        "title": p.title,
        "session_id": p.meeting_id,
        "category": p.category,
        "proposer": proposer,
        "status": p.status,
        "submitted_on": _iso(p.submitted_on),
        "accepted_on": _iso(p.accepted_on),
        "published_at": _iso(p.published_at),
        # a merge target the public may not see is not named (the page says "another proposal")
        "merged_into_id": p.merged_into_id if p.merged_into_id in visible else None,
        "suggestion_count": suggestion_count,
    }


def _suggestion(row: Suggestion, children: dict[int | None, list[Suggestion]]) -> dict[str, Any]:
    return {
        "id": row.id,
        "n": row.n,
        "marker": row.marker,
        "title": row.title,
        "text": row.text,
        "sub_points": [_suggestion(c, children) for c in children.get(row.id, [])],
    }


def suggestion_tree(rows: Sequence[Suggestion]) -> list[dict[str, Any]]:
    children: dict[int | None, list[Suggestion]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    return [_suggestion(r, children) for r in children.get(None, [])]


def proposal(*, session: Session, proposal_id: int) -> dict[str, Any] | None:
    """One public proposal with its signers, agencies and suggestions; None when the public may not
    see it. Built on the page's own query (``proposal_detail`` as the anonymous visitor)."""
    found = proposal_detail(session=session, viewer=ANONYMOUS, proposal_id=proposal_id)
    if found is None:
        return None
    p = found.proposal
    item = summaries(session=session, proposals=[p])[0]
    item.update(
        {
            "background": p.background,
            "leadin": p.leadin,
            "closing": p.closing,
            "joint_proposers": [m.name for m in found.joint_proposers],
            "cosigners": [
                {"name": m.name, "status": found.cosigner_status.get(m.id or 0, "confirmed")}
                for m in found.cosigners
            ],
            "agencies": [
                {"id": agency.id, "name": agency.name, "role": a.role, "deadline": _iso(a.deadline)}
                for a, agency in found.assignments
            ],
            "merged_from_ids": [m.id for m in found.merged_from],
            "not_accepted_reason": found.not_accepted_reason,
            "suggestions": suggestion_tree(suggestions_of(session=session, proposal_id=proposal_id)),
            "reply_ids": [r.id for r in found.replies],
        }
    )
    return item


# -- replies ----------------------------------------------------------------------------------------


def _point(row: ReplyPoint, children: dict[int | None, list[ReplyPoint]], links: dict[int, list[PointLink]]):
    return {
        "id": row.id,
        "n": row.n,
        "marker": row.marker,
        "heading": row.heading,
        "text": row.text,
        "outcome": row.outcome,
        "links": [
            {"suggestion_id": ln.suggestion_id, "method": ln.method, "confidence": ln.confidence}
            for ln in links.get(row.id or 0, [])
        ],
        "sub_points": [_point(c, children, links) for c in children.get(row.id, [])],
    }


def reply_row(*, session: Session, reply: Reply, agency_names: dict[int, str]) -> dict[str, Any]:
    points = session.exec(
        select(ReplyPoint).where(ReplyPoint.reply_id == reply.id).order_by(col(ReplyPoint.position))
    ).all()
    links: dict[int, list[PointLink]] = {}
    if points:
        for link in session.exec(
            select(PointLink)
            .where(col(PointLink.reply_point_id).in_([p.id for p in points]))
            .order_by(col(PointLink.reply_point_id), col(PointLink.suggestion_id))
        ).all():
            links.setdefault(link.reply_point_id, []).append(link)
    children: dict[int | None, list[ReplyPoint]] = {}
    for point in points:
        children.setdefault(point.parent_id, []).append(point)
    return {
        "id": reply.id,
        "proposal_id": reply.proposal_id,
        "agency_id": reply.agency_id,
        "agency": agency_names.get(reply.agency_id or 0),
        "role": reply.role,
        "status": reply.status,
        "title": reply.title,
        "doc_number": reply.doc_number,
        "date_text": reply.date_text,
        "date_on": _iso(reply.date_on),
        "outcome": reply.outcome,
        "salutation": reply.salutation,
        "preamble": reply.preamble,
        "closing": reply.closing,
        "signature": reply.signature,
        "points": [_point(p, children, links) for p in children.get(None, [])],
    }


def replies(*, session: Session, proposal_id: int) -> list[dict[str, Any]] | None:
    """The letters the public may read on a public proposal (the one in force first); None when the
    public may not see the proposal."""
    visible = session.exec(select(Proposal.id).where(Proposal.id == proposal_id, public_proposals())).first()
    if visible is None:
        return None
    shown = [r for r in replies_of(session=session, proposal_id=proposal_id) if reply_visible(r, ANONYMOUS)]
    names = dict(session.exec(select(Agency.id, Agency.name)).all()) if shown else {}
    return [reply_row(session=session, reply=r, agency_names=names) for r in shown]
