"""Who may see which proposal: one rule, used by the page queries and by the search index.

The values (``Role``, ``Viewer``, ``AccessFacts``) and the rule over facts (``can_see``) are pure
and live in tracker.domain.visibility; this module reads the facts from the database, keeps the
same rule as SQL (``proposal_filter``) and the clock publication is judged by. It re-exports the
domain's names, so ``from tracker.services.visibility import Viewer`` keeps working.

The public sees published proposals; a member sees their own and those they co-sign (or are
invited to co-sign, until they decline); an agency sees what is assigned to it (lead or co-handling,
while the assignment is current) and what it has replied to; committee staff and administrators
see everything. Pages apply ``proposal_filter`` in their queries; the search index stores
``access_facts`` with every document and filters on the same facts in its query.

Published means the publication moment (``published_at``) has come; a moment in the future is a
scheduled publication. Every check compares it with the clock when the request is answered (the
search index stores the moment of a scheduled one and its query compares it with now), so nothing
shows before its moment or stays hidden after it, on any number of servers, with no job to run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain import visibility as rules
from tracker.domain.deadlines import is_public

# The values and the rule live in the domain (the search engines use them too); importers of this
# module keep finding them here.
from tracker.domain.visibility import ANONYMOUS, AccessFacts, Role, Viewer, aware
from tracker.models import Assignment, Proposal, ProposalSigner, Reply, SignerStatus, User


def _system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system_clock


def now() -> datetime:
    """The moment publication is judged against (the system clock unless a test injects one)."""
    return _clock()


@contextmanager
def clock(moment: Callable[[], datetime]) -> Iterator[None]:
    """Judge publication by ``moment()`` for a while (tests of scheduled publication)."""
    global _clock
    before, _clock = _clock, moment
    try:
        yield
    finally:
        _clock = before


def public_clause(at: datetime | None = None) -> sa.ColumnElement[bool]:
    """Published, with its moment come: ``at`` or now. Stored times are UTC (SQLite keeps the clock
    time), so the comparison is made in UTC too."""
    moment = aware(at or now()).astimezone(UTC)
    return sa.and_(col(Proposal.published_at).is_not(None), col(Proposal.published_at) <= moment)


def is_published(proposal: Proposal, at: datetime | None = None) -> bool:
    """Whether the public sees ``proposal`` now (or ``at``)."""
    published = proposal.published_at
    return is_public(aware(published) if published else None, aware(at or now()))


def publication_mark(*, session: Session, at: datetime | None = None) -> datetime | None:
    """The latest publication moment already come. It changes whenever a scheduled publication comes
    (its moment is later than every moment that had come before), so a page kept by it is never
    served hidden after that moment (tracker/web/page_cache.py)."""
    moment = aware(at or now()).astimezone(UTC)
    return session.exec(
        select(sa.func.max(Proposal.published_at)).where(col(Proposal.published_at) <= moment)
    ).one()


def viewer_for(user: User | None) -> Viewer:
    """The Viewer an account acts as; an inactive or missing account is the public."""
    if user is None or not user.active:
        return ANONYMOUS
    return Viewer(Role(user.role), member_id=user.member_id, agency_id=user.agency_id, user_id=user.id)


def _signing() -> sa.ColumnElement[bool]:
    # A member who declined an invitation to co-sign has no part in the proposal any more.
    return col(ProposalSigner.status) != SignerStatus.DECLINED.value


def _current_assignment() -> sa.ColumnElement[bool]:
    return col(Assignment.ended_at).is_(None)


def member_proposal_ids(member_id: int) -> sa.Select:
    return sa.union(
        select(Proposal.id).where(Proposal.proposer_id == member_id),
        select(ProposalSigner.proposal_id).where(ProposalSigner.member_id == member_id, _signing()),
    )


def agency_proposal_ids(agency_id: int) -> sa.Select:
    return sa.union(
        select(Assignment.proposal_id).where(Assignment.agency_id == agency_id, _current_assignment()),
        select(Reply.proposal_id).where(Reply.agency_id == agency_id),
    )


def proposal_filter(viewer: Viewer, at: datetime | None = None) -> sa.ColumnElement[bool]:
    """A WHERE clause over Proposal that keeps exactly what ``viewer`` may see now (or ``at``)."""
    if viewer.sees_all:
        return sa.true()
    own = own_clause(viewer)
    return public_clause(at) if own is None else sa.or_(public_clause(at), own)


def own_clause(viewer: Viewer) -> sa.ColumnElement[bool] | None:
    """The proposals ``viewer`` sees for being theirs (a member's own and co-signed ones, an
    agency's assigned and answered ones), published or not; None for a viewer with none."""
    if viewer.role == Role.MEMBER and viewer.member_id is not None:
        return col(Proposal.id).in_(member_proposal_ids(viewer.member_id))
    if viewer.role == Role.AGENCY and viewer.agency_id is not None:
        return col(Proposal.id).in_(agency_proposal_ids(viewer.agency_id))
    return None


def can_see(facts: AccessFacts, viewer: Viewer, at: datetime | None = None) -> bool:
    """The rule of ``proposal_filter`` over stored facts (tracker.domain.visibility.can_see), judged
    now (by this module's clock) unless ``at`` is given."""
    return rules.can_see(facts, viewer, at or now())


def visible_proposal(*, session: Session, viewer: Viewer, proposal_id: int) -> Proposal | None:
    """The proposal if ``viewer`` may see it; None when it does not exist or is not theirs to see."""
    stmt = select(Proposal).where(Proposal.id == proposal_id, proposal_filter(viewer))
    return session.exec(stmt).first()


def access_facts(*, session: Session, proposal_ids: Iterable[int]) -> dict[int, AccessFacts]:
    """Facts for many proposals in three queries (the indexer calls this in bulk)."""
    ids = list(proposal_ids)
    if not ids:
        return {}
    published: dict[int, bool] = {}
    scheduled: dict[int, datetime] = {}
    moment = now()
    members: dict[int, set[int]] = {i: set() for i in ids}
    agencies: dict[int, set[int]] = {i: set() for i in ids}
    for pid, proposer_id, published_at in session.exec(
        select(Proposal.id, Proposal.proposer_id, Proposal.published_at).where(col(Proposal.id).in_(ids))
    ):
        published[pid] = is_public(aware(published_at) if published_at else None, moment)
        if published_at is not None and not published[pid]:
            scheduled[pid] = aware(published_at)
        if proposer_id is not None:
            members[pid].add(proposer_id)
    for pid, member_id in session.exec(
        select(ProposalSigner.proposal_id, ProposalSigner.member_id).where(
            col(ProposalSigner.proposal_id).in_(ids), _signing()
        )
    ):
        members[pid].add(member_id)
    for pid, agency_id in session.exec(
        sa.union(
            select(Assignment.proposal_id, Assignment.agency_id).where(
                col(Assignment.proposal_id).in_(ids), _current_assignment()
            ),
            select(Reply.proposal_id, Reply.agency_id).where(
                col(Reply.proposal_id).in_(ids), col(Reply.agency_id).is_not(None)
            ),
        )
    ):
        agencies[pid].add(agency_id)
    return {
        pid: AccessFacts(
            published[pid], frozenset(members[pid]), frozenset(agencies[pid]), scheduled.get(pid)
        )
        for pid in published
    }


__all__ = [
    "ANONYMOUS",
    "AccessFacts",
    "Role",
    "Viewer",
    "access_facts",
    "agency_proposal_ids",
    "can_see",
    "clock",
    "is_published",
    "member_proposal_ids",
    "now",
    "proposal_filter",
    "public_clause",
    "publication_mark",
    "viewer_for",
    "visible_proposal",
]
