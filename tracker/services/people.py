"""Natural-key lookups for the rows proposals and replies point at: meetings, members, agencies.

``get_or_create_*`` match on the natural key (NULL matching NULL), so loading the same source twice
reuses rows instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from tracker.models import Agency, Meeting, Member, MemberKind, Proposal, Reply
from tracker.services.visibility import Viewer, own_clause, proposal_filter, public_clause


def _same(column: Any, value: object) -> ColumnElement[bool]:
    # "= NULL" is never true in SQL; an unknown value matches an unknown value here.
    return col(column).is_(None) if value is None else col(column) == value


def get_or_create_meeting(
    *, session: Session, body: str | None, name: str | None = None, year: int | None = None
) -> Meeting:
    stmt = select(Meeting).where(
        _same(Meeting.body, body), _same(Meeting.name, name), _same(Meeting.year, year)
    )
    meeting = session.exec(stmt.order_by(col(Meeting.id))).first()
    if meeting is None:
        meeting = Meeting(body=body, name=name, year=year)
        session.add(meeting)
        session.flush()
    return meeting


def get_or_create_member(*, session: Session, name: str, kind: str = MemberKind.MEMBER.value) -> Member:
    kind = MemberKind(kind).value
    stmt = select(Member).where(Member.name == name, Member.kind == kind).order_by(col(Member.id))
    member = session.exec(stmt).first()
    if member is None:
        member = Member(name=name, kind=kind)
        session.add(member)
        session.flush()
    return member


def get_or_create_agency(*, session: Session, name: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.name == name)).first()
    if agency is None:
        agency = Agency(name=name)
        session.add(agency)
        session.flush()
    return agency


def meetings_with_counts(*, session: Session, viewer: Viewer) -> list[tuple[Meeting, int]]:
    """Every meeting with its number of proposals ``viewer`` may see, latest first (unknown years last)."""
    stmt = (
        select(Meeting, func.count(col(Proposal.id)))
        .join(
            Proposal,
            sa.and_(col(Proposal.meeting_id) == col(Meeting.id), proposal_filter(viewer)),
            isouter=True,
        )
        .group_by(col(Meeting.id))
        .order_by(col(Meeting.year).is_(None), col(Meeting.year).desc(), col(Meeting.id).desc())
    )
    return [(meeting, count) for meeting, count in session.exec(stmt).all()]


def all_agencies(*, session: Session) -> list[Agency]:
    return list(session.exec(select(Agency).order_by(col(Agency.name))).all())


def all_meetings(*, session: Session) -> list[Meeting]:
    """Every meeting, latest first (unknown years last)."""
    stmt = select(Meeting).order_by(
        col(Meeting.year).is_(None), col(Meeting.year).desc(), col(Meeting.id).desc()
    )
    return list(session.exec(stmt).all())


def agencies_with_replies(*, session: Session) -> list[Agency]:
    """Agencies that wrote at least one reply: the useful choices for a filter."""
    stmt = (
        select(Agency)
        .where(col(Agency.id).in_(select(Reply.agency_id).where(col(Reply.agency_id).is_not(None))))
        .order_by(col(Agency.name))
    )
    return list(session.exec(stmt).all())


def statuses_in_view(
    *, session: Session, viewer: Viewer, public: Callable[[], frozenset[str]] | None = None
) -> set[str]:
    """The states of the proposals ``viewer`` may see: the status filter offers only these, so the
    public is never offered a state (draft, submitted…) no proposal it can see is in.

    What a member or an agency sees is the public archive and their own: the public's states can
    come from ``public`` (the caller's cache of ``public_statuses``); only their own are read here."""
    if viewer.sees_all:
        return set(session.exec(select(Proposal.status).distinct()).all())
    shared = public() if public is not None else public_statuses(session=session)
    own = own_clause(viewer)
    if own is None:
        return set(shared)
    return set(shared) | set(session.exec(select(Proposal.status).where(own).distinct()).all())


def public_statuses(*, session: Session) -> frozenset[str]:
    """The states of the proposals an anonymous visitor sees."""
    return frozenset(session.exec(select(Proposal.status).where(public_clause()).distinct()).all())
