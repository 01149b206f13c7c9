"""Who may see which proposal: one rule, used by the page queries and by the search index.

The public sees published proposals; a member sees their own and those they co-sign; an agency
sees what is assigned to it (today: what it has replied to); committee staff and administrators
see everything. Pages apply ``proposal_filter`` in their queries; the search index stores
``access_facts`` with every document and filters on the same facts in its query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.models import Proposal, ProposalSigner, Reply


class Role(StrEnum):
    PUBLIC = "public"
    MEMBER = "member"  # 委员 / 代表
    AGENCY = "agency"  # staff of one 承办单位
    STAFF = "staff"  # 提案委员会办公室
    ADMIN = "admin"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role plus the member or agency the account acts for."""

    role: Role = Role.PUBLIC
    member_id: int | None = None
    agency_id: int | None = None

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class AccessFacts:
    """What the visibility rule needs to know about one proposal (stored in the search index)."""

    published: bool
    member_ids: frozenset[int] = field(default_factory=frozenset)  # proposer and co-signers
    agency_ids: frozenset[int] = field(default_factory=frozenset)  # agencies it is assigned to


def member_proposal_ids(member_id: int) -> sa.Select:
    return sa.union(
        select(Proposal.id).where(Proposal.proposer_id == member_id),
        select(ProposalSigner.proposal_id).where(ProposalSigner.member_id == member_id),
    )


def agency_proposal_ids(agency_id: int) -> sa.Select:
    return select(Reply.proposal_id).where(Reply.agency_id == agency_id)


def proposal_filter(viewer: Viewer) -> sa.ColumnElement[bool]:
    """A WHERE clause over Proposal that keeps exactly what ``viewer`` may see."""
    if viewer.sees_all:
        return sa.true()
    clauses: list[sa.ColumnElement[bool]] = [col(Proposal.published_at).is_not(None)]
    if viewer.role == Role.MEMBER and viewer.member_id is not None:
        clauses.append(col(Proposal.id).in_(member_proposal_ids(viewer.member_id)))
    if viewer.role == Role.AGENCY and viewer.agency_id is not None:
        clauses.append(col(Proposal.id).in_(agency_proposal_ids(viewer.agency_id)))
    return sa.or_(*clauses)


def can_see(facts: AccessFacts, viewer: Viewer) -> bool:
    """The same rule as ``proposal_filter``, over stored facts (used to check index filters)."""
    if viewer.sees_all or facts.published:
        return True
    if viewer.role == Role.MEMBER and viewer.member_id in facts.member_ids:
        return True
    return viewer.role == Role.AGENCY and viewer.agency_id in facts.agency_ids


def access_facts(*, session: Session, proposal_ids: Iterable[int]) -> dict[int, AccessFacts]:
    """Facts for many proposals in three queries (the indexer calls this in bulk)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    published: dict[int, bool] = {}
    members: dict[int, set[int]] = {i: set() for i in ids}
    agencies: dict[int, set[int]] = {i: set() for i in ids}
    for pid, proposer_id, published_at in session.exec(
        select(Proposal.id, Proposal.proposer_id, Proposal.published_at).where(col(Proposal.id).in_(ids))
    ):
        published[pid] = published_at is not None
        if proposer_id is not None:
            members[pid].add(proposer_id)
    for pid, member_id in session.exec(
        select(ProposalSigner.proposal_id, ProposalSigner.member_id).where(
            col(ProposalSigner.proposal_id).in_(ids)
        )
    ):
        members[pid].add(member_id)
    for pid, agency_id in session.exec(
        select(Reply.proposal_id, Reply.agency_id).where(col(Reply.proposal_id).in_(ids))
    ):
        if agency_id is not None:
            agencies[pid].add(agency_id)
    return {
        pid: AccessFacts(published[pid], frozenset(members[pid]), frozenset(agencies[pid]))
        for pid in published
    }
