"""Search documents from database rows: the units of proposals and reference documents as the
database has them now, and what the index should hold about every group (for the start-up check).

The units themselves (tracker.search.documents) are plain values every engine indexes; turning rows
into them is application code, so it lives here, above the engines, beside the page code whose
anchors and letter order it shares.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime
from itertools import groupby

from sqlmodel import Session, col, select

from tracker.domain.anchors import point_anchor, suggestion_anchor
from tracker.models import (
    Agency,
    Meeting,
    Member,
    Proposal,
    ProposalSigner,
    ReferenceClause,
    ReferenceDocument,
    Reply,
    ReplyPoint,
    ReplyRole,
    ReplyStatus,
    Suggestion,
)
from tracker.search.documents import (
    GroupFacts,
    SearchDocument,
    UnitType,
    document_group,
    fingerprint,
    fingerprinted,
    parse_group,
    proposal_group,
)
from tracker.services.library import clause_nodes, document_preamble
from tracker.services.proposals import reply_order
from tracker.services.visibility import access_facts


def load_groups(*, session: Session, groups: Collection[str]) -> list[SearchDocument]:
    """The units of these groups as the database has them now (a group that is gone has none)."""
    proposal_ids: list[int] = []
    document_ids: list[int] = []
    for group in groups:
        parsed = parse_group(group)
        if parsed is not None:
            (proposal_ids if parsed[0] == "p" else document_ids).append(parsed[1])
    return list(
        fingerprinted([*_proposal_units(session, proposal_ids), *_document_units(session, document_ids)])
    )


def iter_all(*, session: Session, batch: int = 200) -> Iterator[SearchDocument]:
    """Every unit of the database, loaded a batch of groups at a time."""
    return fingerprinted(_all_units(session, batch))


def expected_state(*, session: Session, batch: int = 500) -> dict[str, tuple[int, str]]:
    """For every group of the database: how many units it has and their fingerprint (what the
    index should hold), loaded in batches of groups (a few queries a batch, not a few a group)."""
    found: dict[str, tuple[int, str]] = {}
    for group, its in groupby(_all_units(session, batch), key=lambda unit: unit.group):
        members = list(its)
        found[group] = (len(members), fingerprint(members))
    return found


def _all_units(session: Session, batch: int) -> Iterator[SearchDocument]:
    for ids in _batches(session.exec(select(Proposal.id).order_by(col(Proposal.id))).all(), batch):
        yield from _proposal_units(session, ids)
    for ids in _batches(
        session.exec(select(ReferenceDocument.id).order_by(col(ReferenceDocument.id))).all(), batch
    ):
        yield from _document_units(session, ids)


def _batches(ids: Iterable[int | None], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for i in ids:
        if i is None:
            continue
        batch.append(i)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _joined(*parts: str | None) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _proposal_units(session: Session, ids: list[int]) -> Iterator[SearchDocument]:
    if not ids:
        return
    proposals = session.exec(
        select(Proposal).where(col(Proposal.id).in_(ids)).order_by(col(Proposal.id))
    ).all()
    access = access_facts(session=session, proposal_ids=ids)
    meetings = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(col(Meeting.id).in_({p.meeting_id for p in proposals if p.meeting_id}))
        ).all()
    }
    proposers = {
        m.id: m.name
        for m in session.exec(
            select(Member).where(col(Member.id).in_({p.proposer_id for p in proposals if p.proposer_id}))
        ).all()
    }
    names: dict[int, list[str]] = {
        p.id or 0: [proposers[p.proposer_id]] if p.proposer_id in proposers else [] for p in proposals
    }
    for pid, name in session.exec(
        select(ProposalSigner.proposal_id, Member.name)
        .join(Member, col(Member.id) == col(ProposalSigner.member_id))
        .where(col(ProposalSigner.proposal_id).in_(ids))
        .order_by(col(ProposalSigner.proposal_id), col(Member.id))
    ).all():
        names[pid].append(name)
    replies: dict[int, list[tuple[Reply, Agency | None]]] = {i: [] for i in ids}
    for reply, agency in session.exec(
        select(Reply, Agency)
        .join(Agency, col(Agency.id) == col(Reply.agency_id), isouter=True)
        .where(col(Reply.proposal_id).in_(ids))
        # the order of replies_of(): the lead reply first, then by id
        .order_by(col(Reply.proposal_id), col(Reply.role) != ReplyRole.LEAD.value, col(Reply.id))
    ).all():
        replies[reply.proposal_id].append((reply, agency))
    suggestions: dict[int, list[Suggestion]] = {i: [] for i in ids}
    for s in session.exec(
        select(Suggestion)
        .where(col(Suggestion.proposal_id).in_(ids), col(Suggestion.parent_id).is_(None))
        .order_by(col(Suggestion.proposal_id), col(Suggestion.position))
    ).all():
        suggestions[s.proposal_id].append(s)
    reply_ids = [r.id for rs in replies.values() for r, _a in rs]
    points: dict[int, list[ReplyPoint]] = {i: [] for i in reply_ids if i is not None}
    if reply_ids:
        for point in session.exec(
            select(ReplyPoint)
            .where(col(ReplyPoint.reply_id).in_(reply_ids), col(ReplyPoint.parent_id).is_(None))
            .order_by(col(ReplyPoint.reply_id), col(ReplyPoint.position))
        ).all():
            points[point.reply_id].append(point)

    for proposal in proposals:
        pid = proposal.id or 0
        meeting = meetings.get(proposal.meeting_id) if proposal.meeting_id else None
        own = access.get(pid)
        # the letters in force first (the lead's first), then the ones a re-handling replaced, each in
        # the order every page uses (replies_of); a returned or draft letter is for the office and its
        # writer, not for search
        its_replies = sorted(replies[pid], key=lambda found: reply_order(found[0]))
        in_force = [(r, a) for r, a in its_replies if r.status == ReplyStatus.ISSUED.value]
        earlier = [(r, a) for r, a in its_replies if r.status == ReplyStatus.SUPERSEDED.value]
        facts = GroupFacts(
            group=proposal_group(pid),
            title=proposal.title,
            published=bool(own and own.published),
            publish_at=own.publish_at if own else None,
            proposal_id=pid,
            number=proposal.number,
            meeting_id=proposal.meeting_id,
            meeting_body=meeting.body if meeting else None,
            meeting_name=meeting.name if meeting else None,
            year=meeting.year if meeting and meeting.year else _year(proposal),
            category=proposal.category or None,
            status=proposal.status,
            # what the letters in force say: an earlier letter's office or outcome no longer holds
            agencies=tuple(dict.fromkeys(a.name for _r, a in in_force if a is not None)),
            outcomes=tuple(sorted({r.outcome for r, _a in in_force if r.outcome})),
            member_ids=tuple(sorted(own.member_ids)) if own else (),
            agency_ids=tuple(sorted(own.agency_ids)) if own else (),
            date=_proposal_date(proposal),
            proposer="、".join(names[pid]),
        )
        yield SearchDocument(
            key=facts.group,
            type=UnitType.PROPOSAL,
            title=proposal.title,
            body=_joined(proposal.background, proposal.leadin, proposal.closing),
            position=0,
            facts=facts,
            summary=_joined(proposal.title, *(s.text for s in suggestions[pid])),
        )
        position = 1
        for s in suggestions[pid]:
            yield SearchDocument(
                key=f"s{s.id}",
                type=UnitType.SUGGESTION,
                title=s.title,
                body=s.text,
                position=position,
                facts=facts,
                anchor=suggestion_anchor(s),
            )
            position += 1
        for index, (reply, agency) in enumerate([*in_force, *earlier]):
            history = reply.status == ReplyStatus.SUPERSEDED.value
            written_by = agency.name if agency is not None else reply.signature
            yield SearchDocument(
                key=f"r{reply.id}",
                type=UnitType.REPLY,
                title=reply.title,
                body=_joined(reply.preamble, reply.closing),
                position=position,
                facts=facts,
                reply_id=reply.id,
                agency=written_by,
                history=history,
            )
            position += 1
            for point in points.get(reply.id or 0, []):
                yield SearchDocument(
                    key=f"rp{point.id}",
                    type=UnitType.REPLY_POINT,
                    title=point.heading,
                    body=point.text,
                    position=position,
                    facts=facts,
                    # an earlier letter's point is shown on its letter's page (where its anchor is
                    # the lead form); a point in force on the proposal page, the lead letter's first
                    anchor=point_anchor(point, reply=reply, lead=history or index == 0),
                    reply_id=reply.id,
                    agency=written_by,
                    history=history,
                )
                position += 1


def _proposal_date(proposal: Proposal) -> date | None:
    """When it was submitted, else published, else recorded: what "sort by date" orders by."""
    for value in (proposal.submitted_on, proposal.published_at, proposal.created_at):
        if isinstance(value, datetime):
            return value.date()
        if value is not None:
            return value
    return None


def _year(proposal: Proposal) -> int | None:
    if proposal.submitted_on is not None:
        return proposal.submitted_on.year
    return None


def _document_units(session: Session, ids: list[int]) -> Iterator[SearchDocument]:
    if not ids:
        return
    documents = session.exec(
        select(ReferenceDocument)
        .where(col(ReferenceDocument.id).in_(ids))
        .order_by(col(ReferenceDocument.id))
    ).all()
    clauses: dict[int, list[ReferenceClause]] = {i: [] for i in ids}
    for clause in session.exec(
        select(ReferenceClause)
        .where(col(ReferenceClause.document_id).in_(ids))
        .order_by(col(ReferenceClause.document_id), col(ReferenceClause.position))
    ).all():
        clauses[clause.document_id].append(clause)
    for document in documents:
        did = document.id or 0
        its_clauses = clauses[did]
        facts = GroupFacts(
            group=document_group(did),
            title=document.display_title,
            published=True,  # the reference library is public
            document_id=did,
            slug=document.slug,
            language=document.language,
            doc_kind=document.kind,
        )
        yield SearchDocument(
            key=facts.group,
            type=UnitType.DOCUMENT,
            title=document.display_title,
            body=_joined(
                document.description if document.title else None,
                document_preamble(document, its_clauses),
            ),
            position=0,
            facts=facts,
        )
        for position, node in enumerate(clause_nodes(document, its_clauses), 1):
            yield SearchDocument(
                key=f"c{node.clause.id}",
                type=UnitType.CLAUSE,
                title=node.clause.title,
                body=node.body,
                position=position,
                facts=facts,
                anchor=node.anchor,
            )
