"""Proposals: record one (split into suggestions by the domain), list them, show them with replies."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from tracker.domain.anchors import point_anchor, suggestion_anchor
from tracker.domain.splitting import split_proposal
from tracker.domain.units import SplitProposal, Unit
from tracker.domain.workflow import Action
from tracker.models import (
    Agency,
    Assignment,
    Meeting,
    Member,
    PointLink,
    Proposal,
    ProposalSigner,
    ProposalStatus,
    ReferenceDocument,
    Reply,
    ReplyExemption,
    ReplyPoint,
    ReplyRole,
    ReplyStatus,
    SignerRole,
    Suggestion,
    Transition,
)
from tracker.services.errors import DuplicateError, ServiceError
from tracker.services.visibility import (
    Viewer,
    own_clause,
    proposal_filter,
    public_clause,
    visible_proposal,
)
from tracker.services.visibility import now as visibility_now

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# -- recording -------------------------------------------------------------------------------------


def record_proposal(
    *,
    session: Session,
    text: str,
    title: str,
    number: int | None = None,
    meeting: Meeting | None = None,
    proposer: Member | None = None,
    joint_proposers: Sequence[Member] = (),
    cosigners: Sequence[Member] = (),
    category: str | None = None,
    status: str = ProposalStatus.SUBMITTED.value,
    submitted_on: date | None = None,
    accepted_on: date | None = None,
    published_at: datetime | None = None,
    split: SplitProposal | None = None,
) -> Proposal:
    """Store a proposal and the suggestions the domain splits out of ``text``.

    ``split``: ``text`` as the caller already split it (an import that classified the document, say),
    so it is not split twice; the offsets must be those of ``text``."""
    if not text.strip():
        raise ServiceError("the proposal text is empty", field="text")
    if not title.strip():
        raise ServiceError("the proposal has no title", field="title")
    try:
        status = ProposalStatus(status).value
    except ValueError:
        raise ServiceError(f"unknown proposal status {status!r}", field="status") from None
    meeting_id = meeting.id if meeting else None
    if number is not None:
        clash = session.exec(
            select(Proposal.id).where(
                col(Proposal.meeting_id).is_(None)
                if meeting_id is None
                else Proposal.meeting_id == meeting_id,
                Proposal.number == number,
            )
        ).first()
        if clash is not None:
            raise DuplicateError(f"proposal No. {number} already exists in this session", field="number")

    if split is None:
        split = split_proposal(text)
    proposal = Proposal(
        meeting_id=meeting_id,
        number=number,
        title=title.strip(),
        proposer_id=proposer.id if proposer else None,
        category=category,
        background=split.background,
        leadin=split.leadin,
        closing=split.closing,
        original_text=text,
        status=status,
        submitted_on=submitted_on,
        accepted_on=accepted_on,
        published_at=published_at,
    )
    session.add(proposal)
    session.flush()
    signers = [(m, SignerRole.PROPOSER) for m in joint_proposers] + [
        (m, SignerRole.COSIGNER) for m in cosigners
    ]
    seen: set[int | None] = {proposer.id if proposer else None}
    for member, role in signers:
        if member.id in seen:
            continue
        seen.add(member.id)
        session.add(ProposalSigner(proposal_id=proposal.id, member_id=member.id, role=role.value))
    store_suggestions(session=session, proposal=proposal, units=split.suggestions)
    session.flush()
    return proposal


def store_suggestions(*, session: Session, proposal: Proposal, units: Sequence[Unit]) -> list[Suggestion]:
    """The one writer of Suggestion rows: replace the proposal's suggestions by ``units`` (a split
    text or a composed form, sub-points included), numbered by ``position`` in document order.
    Returns the top-level rows in order."""
    # Children stand after their parent in document order: deleted last-first, one at a time, no
    # parent goes before its children (the database's cascade would delete them behind the session).
    for old in reversed(suggestions_of(session=session, proposal_id=proposal.id or 0)):
        session.delete(old)
        session.flush()
    top: list[Suggestion] = []
    position = 0

    def store(unit: Unit, parent_id: int | None) -> Suggestion:
        nonlocal position
        row = Suggestion(
            proposal_id=proposal.id or 0,
            parent_id=parent_id,
            position=position,
            n=unit.n,
            marker=unit.marker,
            title=unit.title,
            text=unit.text,
            start=unit.start,
            end=unit.end,
            numbered=unit.numbered,
        )
        position += 1
        session.add(row)
        if unit.sub_points:
            session.flush()  # children need the parent's id
            for sub in unit.sub_points:
                store(sub, row.id)
        return row

    for unit in units:
        top.append(store(unit, None))
    session.flush()
    return top


# -- queries ---------------------------------------------------------------------------------------


# Portable "NULLS LAST": proposals of unknown session or number go after the known ones.
_LIST_ORDER = (
    col(Proposal.meeting_id).is_(None),
    col(Proposal.meeting_id).desc(),
    col(Proposal.number).is_(None),
    col(Proposal.number),
    col(Proposal.id),
)
# what a list item shows besides the proposal's own columns: two queries a page, not two a row
_LIST_LOADS = (selectinload(Proposal.meeting), selectinload(Proposal.proposer))  # type: ignore[arg-type]


def list_proposals(
    *,
    session: Session,
    viewer: Viewer,
    meeting_id: int | None = None,
    status: str | None = None,
    agency_id: int | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Page[Proposal]:
    """One page of the proposals ``viewer`` may see that match the filters; a page past the end
    gives the last page."""
    stmt = select(Proposal).where(proposal_filter(viewer))
    if meeting_id is not None:
        stmt = stmt.where(Proposal.meeting_id == meeting_id)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    if agency_id is not None:
        stmt = stmt.where(col(Proposal.id).in_(select(Reply.proposal_id).where(Reply.agency_id == agency_id)))
    total = session.exec(
        select(func.count()).select_from(stmt.with_only_columns(Proposal.id).subquery())
    ).one()
    pages = max(1, math.ceil(total / page_size))
    page = min(max(page, 1), pages)
    # The page's ids first, then their rows: sorting every visible proposal with its long texts
    # (the letter, the background) costs twice as much as sorting their ids.
    ids = session.exec(
        stmt.with_only_columns(Proposal.id)
        .order_by(*_LIST_ORDER)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = session.exec(
        select(Proposal).where(col(Proposal.id).in_(ids)).order_by(*_LIST_ORDER).options(*_LIST_LOADS)
    ).all()
    return Page(items=list(items), total=total, page=page, page_size=page_size)


_LATEST_ORDER = (col(Proposal.created_at).desc(), col(Proposal.id).desc())


def _latest_ids(session: Session, clause: sa.ColumnElement[bool], limit: int) -> list[tuple[datetime, int]]:
    stmt = select(Proposal.created_at, Proposal.id).where(clause).order_by(*_LATEST_ORDER).limit(limit)
    return [(created, pid) for created, pid in session.exec(stmt).all() if pid is not None]


def latest_public(
    *, session: Session, limit: int = 5, at: datetime | None = None
) -> list[tuple[datetime, int]]:
    """(created_at, id) of the newest proposals the public sees, newest first."""
    return _latest_ids(session, public_clause(at), limit)


def latest_proposals(
    *,
    session: Session,
    viewer: Viewer,
    limit: int = 5,
    public: Callable[[], list[tuple[datetime, int]]] | None = None,
) -> list[Proposal]:
    """The newest proposals ``viewer`` may see. As with ``counts``, the public's newest can come from
    ``public`` (the caller's cache of ``latest_public`` with at least ``limit`` entries) and only
    the viewer's own that the public does not see are looked up here: choosing among every visible
    proposal by date read each one's wide row (40 ms at 10,000 proposals)."""
    if viewer.sees_all:
        found = _latest_ids(session, sa.true(), limit)
    else:
        moment = visibility_now()
        found = list(
            public() if public is not None else latest_public(session=session, limit=limit, at=moment)
        )
        own = own_clause(viewer)
        if own is not None:
            found += _latest_ids(session, sa.and_(own, sa.not_(public_clause(moment))), limit)
    ids = [pid for _created, pid in sorted(found, reverse=True)[:limit]]
    if not ids:
        return []
    stmt = select(Proposal).where(col(Proposal.id).in_(ids)).order_by(*_LATEST_ORDER).options(*_LIST_LOADS)
    return list(session.exec(stmt).all())


def suggestions_of(*, session: Session, proposal_id: int, top_level: bool = False) -> list[Suggestion]:
    stmt = select(Suggestion).where(Suggestion.proposal_id == proposal_id)
    if top_level:
        stmt = stmt.where(col(Suggestion.parent_id).is_(None))
    return list(session.exec(stmt.order_by(col(Suggestion.position))).all())


# A letter's place in every list of a proposal's letters: the ones in force, then recorded drafts,
# then the history (superseded by a re-handling, sent back for correction).
_STATUS_RANK = {ReplyStatus.ISSUED.value: 0, ReplyStatus.DRAFT.value: 1}
HISTORY_REPLY_STATUSES = (
    ReplyStatus.SUPERSEDED.value,
    ReplyStatus.RETURNED.value,
    ReplyStatus.HOLDING.value,  # an answer before the final one, never the answer in force
    ReplyStatus.CORRECTED.value,  # an earlier version of a corrected letter
)
# Letters the proposal page leaves out of its lists: an earlier version of a corrected letter is read
# from the version history of the letter in force (tracker.services.corrections).
_VERSION_STATUSES = (ReplyStatus.CORRECTED.value,)


def reply_order(reply: Reply) -> tuple[int, bool, int]:
    """Sort key of a proposal's letters, the one order every page (and the search index) uses: the
    letter in force first (the lead office's before co-handling ones), then the history newest first.
    The first letter in this order is the one whose points get the plain anchors (r1, r2, …)."""
    return (_STATUS_RANK.get(reply.status, 2), reply.role != ReplyRole.LEAD.value, -(reply.id or 0))


def in_force(reply: Reply) -> bool:
    """Whether the letter is an answer in force rather than history."""
    return reply.status not in HISTORY_REPLY_STATUSES


def replies_of(*, session: Session, proposal_id: int) -> list[Reply]:
    """Replies of a proposal in ``reply_order``: the letter in force first."""
    stmt = select(Reply).where(Reply.proposal_id == proposal_id)
    return sorted(session.exec(stmt).all(), key=reply_order)


# -- the side-by-side view -------------------------------------------------------------------------


@dataclass
class Answer:
    """A reply point shown beside a suggestion it answers."""

    reply: Reply
    point: ReplyPoint
    link: PointLink
    anchor: str  # the point's anchor id on this page
    letter_anchor: str  # the point's anchor on its reply letter page
    first: bool  # the first time the point is shown on the page: it carries the anchor


@dataclass
class SuggestionRow:
    suggestion: Suggestion
    anchor: str
    answers: list[Answer] = field(default_factory=list)
    # The reply in force answers it with no point of its own: together with another, or not at all.
    exemption: ReplyExemption | None = None

    @property
    def current(self) -> list[Answer]:
        """The answers of letters in force, shown first."""
        return [a for a in self.answers if in_force(a.reply)]

    @property
    def earlier(self) -> list[Answer]:
        """Answers of letters replaced by a re-handling (or sent back): history, newest first."""
        return [a for a in self.answers if not in_force(a.reply)]

    @property
    def answered(self) -> bool:
        return bool(self.current)


@dataclass
class UnlinkedPoint:
    reply: Reply
    point: ReplyPoint
    anchor: str
    letter_anchor: str


@dataclass
class ProposalDetail:
    proposal: Proposal
    joint_proposers: list[Member]
    cosigners: list[Member]
    rows: list[SuggestionRow]
    replies: list[Reply]
    unlinked_points: list[UnlinkedPoint]
    cosigner_status: dict[int, str] = field(default_factory=dict)  # member id -> SignerStatus
    merged_into: Proposal | None = None  # 并案: the proposal this one became part of
    merged_from: list[Proposal] = field(default_factory=list)  # proposals merged into this one
    assignments: list[tuple[Assignment, Agency]] = field(default_factory=list)  # current, lead first
    # reply id -> when a re-handling (重新办理) superseded it, for the history's label
    superseded_at: dict[int, datetime] = field(default_factory=dict)
    # What happened instead of a reply: 并案 into proposal No. N, or 不予立案 with the staff's reason.
    merged_into_number: int | None = None
    not_accepted_reason: str | None = None
    holding: list[Reply] = field(default_factory=list)  # 阶段性答复 sent, oldest first

    @property
    def final_issued(self) -> bool:
        """Whether the lead agency's final letter is in force (holding answers are history then)."""
        return any(
            r.status == ReplyStatus.ISSUED.value and r.role == ReplyRole.LEAD.value for r in self.replies
        )

    @property
    def no_reply_expected(self) -> bool:
        """Merged or not accepted: its suggestions will get no answer of their own."""
        return self.proposal.status in (ProposalStatus.MERGED.value, ProposalStatus.NOT_ACCEPTED.value)


# Letters everyone who sees the proposal may read: the answer in force and the ones a re-handling
# replaced. A letter sent back for correction (or recorded as a draft) stays with its writer and staff.
SHOWN_REPLY_STATUSES = (
    ReplyStatus.ISSUED.value,
    ReplyStatus.SUPERSEDED.value,
    ReplyStatus.HOLDING.value,
    ReplyStatus.CORRECTED.value,
)


def reply_visible(reply: Reply, viewer: Viewer) -> bool:
    """Whether ``viewer``, who may see the proposal, may read this letter."""
    if reply.status in SHOWN_REPLY_STATUSES or viewer.sees_all:
        return True
    return viewer.agency_id is not None and viewer.agency_id == reply.agency_id


def proposal_detail(*, session: Session, viewer: Viewer, proposal_id: int) -> ProposalDetail | None:
    """A proposal's top-level suggestions, each with the reply points linked to it; None when it
    does not exist or ``viewer`` may not see it."""
    proposal = visible_proposal(session=session, viewer=viewer, proposal_id=proposal_id)
    if proposal is None:
        return None
    signers = session.exec(
        select(ProposalSigner, Member)
        .join(Member, col(Member.id) == col(ProposalSigner.member_id))
        .where(ProposalSigner.proposal_id == proposal_id)
        .order_by(col(Member.id))
    ).all()
    suggestions = suggestions_of(session=session, proposal_id=proposal_id, top_level=True)
    # Anchors are given by the position among all replies in ``reply_order`` (as the search index gives
    # them), then the letters this viewer may not read (sent back for correction) are left out.
    replies = replies_of(session=session, proposal_id=proposal_id)
    rows = [SuggestionRow(suggestion=s, anchor=suggestion_anchor(s)) for s in suggestions]
    by_suggestion = {row.suggestion.id: row for row in rows}
    lead_in_force = [
        r.id for r in replies if r.status == ReplyStatus.ISSUED.value and r.role == ReplyRole.LEAD.value
    ]
    if lead_in_force:
        for exemption in session.exec(
            select(ReplyExemption).where(
                ReplyExemption.reply_id == max(i for i in lead_in_force if i is not None)
            )
        ).all():
            if exemption.suggestion_id in by_suggestion:
                by_suggestion[exemption.suggestion_id].exemption = exemption

    unlinked: list[UnlinkedPoint] = []
    shown: set[int | None] = set()
    for index, reply in enumerate(replies):
        # a holding answer answers no suggestion (it is shown whole); a corrected version is history
        if not reply_visible(reply, viewer) or reply.status in (
            ReplyStatus.HOLDING.value,
            *_VERSION_STATUSES,
        ):
            continue
        points = session.exec(
            select(ReplyPoint)
            .where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
            .order_by(col(ReplyPoint.position))
        ).all()
        point_ids = [p.id for p in points]
        links = session.exec(select(PointLink).where(col(PointLink.reply_point_id).in_(point_ids))).all()
        links_by_point: dict[int, list[PointLink]] = {}
        for link in links:
            links_by_point.setdefault(link.reply_point_id, []).append(link)
        for point in points:
            anchor = point_anchor(point, reply=reply, lead=index == 0)
            letter_anchor = point_anchor(point, reply=reply, lead=True)
            point_links = [
                ln for ln in links_by_point.get(point.id or 0, []) if ln.suggestion_id in by_suggestion
            ]
            if not point_links:
                unlinked.append(
                    UnlinkedPoint(reply=reply, point=point, anchor=anchor, letter_anchor=letter_anchor)
                )
                continue
            for link in point_links:
                first = point.id not in shown
                shown.add(point.id)
                by_suggestion[link.suggestion_id].answers.append(
                    Answer(
                        reply=reply,
                        point=point,
                        link=link,
                        anchor=anchor,
                        letter_anchor=letter_anchor,
                        first=first,
                    )
                )
    merged_from = session.exec(
        select(Proposal)
        .where(Proposal.merged_into_id == proposal_id, proposal_filter(viewer))
        .order_by(col(Proposal.id))
    ).all()
    assignments = session.exec(
        select(Assignment, Agency)
        .join(Agency, col(Agency.id) == col(Assignment.agency_id))
        .where(Assignment.proposal_id == proposal_id, col(Assignment.ended_at).is_(None))
        .order_by(col(Assignment.role) != ReplyRole.LEAD.value, col(Agency.name))
    ).all()
    superseded_at: dict[int, datetime] = {}
    not_accepted_reason: str | None = None
    for step in session.exec(
        select(Transition)
        .where(
            Transition.proposal_id == proposal_id,
            col(Transition.action).in_([Action.REOPEN.value, Action.NOT_ACCEPT.value]),
        )
        .order_by(col(Transition.id))
    ).all():
        reply_id = (step.details or {}).get("reply")
        if step.action == Action.REOPEN.value and isinstance(reply_id, int):
            superseded_at[reply_id] = step.created_at
        elif step.action == Action.NOT_ACCEPT.value:
            not_accepted_reason = step.note  # the latest decision's reason
    # the target as this viewer may see it: one they may not see is "another proposal", unnamed
    # (its number shown with no proposal to show it from broke the page)
    visible_target = (
        visible_proposal(session=session, viewer=viewer, proposal_id=proposal.merged_into_id)
        if proposal.merged_into_id
        else None
    )
    merged_into = visible_target if proposal.status == ProposalStatus.MERGED.value else None
    return ProposalDetail(
        proposal=proposal,
        joint_proposers=[m for s, m in signers if s.role == SignerRole.PROPOSER.value],
        cosigners=[m for s, m in signers if s.role == SignerRole.COSIGNER.value],
        rows=rows,
        replies=[r for r in replies if reply_visible(r, viewer) and r.status not in _VERSION_STATUSES],
        unlinked_points=unlinked,
        cosigner_status={m.id: s.status for s, m in signers if m.id is not None},
        merged_into=visible_target,
        merged_from=list(merged_from),
        assignments=[(a, agency) for a, agency in assignments],
        superseded_at=superseded_at,
        merged_into_number=merged_into.number if merged_into else None,
        not_accepted_reason=(
            not_accepted_reason if proposal.status == ProposalStatus.NOT_ACCEPTED.value else None
        ),
        holding=sorted(
            (r for r in replies if r.status == ReplyStatus.HOLDING.value and reply_visible(r, viewer)),
            key=lambda r: r.id or 0,
        ),
    )


def counts(
    *, session: Session, viewer: Viewer, public: Callable[[], dict[str, int]] | None = None
) -> dict[str, int]:
    """Totals for the home page, over the proposals ``viewer`` may see.

    What a member or an agency sees is the public archive and, apart from it, their own: the two
    are counted apart, so the public part can come from ``public`` (the caller's cache of
    ``public_counts``, the same for every visitor) and only the viewer's own few are counted here."""
    if viewer.sees_all:
        return _counts_where(session, sa.true())
    moment = visibility_now()
    shared = public() if public is not None else public_counts(session=session, at=moment)
    own = own_clause(viewer)
    if own is None:
        return shared
    # theirs that the public does not see yet: counted apart, the rest is the public's
    extra = _counts_where(session, sa.and_(own, sa.not_(public_clause(moment))))
    return {k: v if k == "references" else v + extra[k] for k, v in shared.items()}


def public_counts(*, session: Session, at: datetime | None = None) -> dict[str, int]:
    """Totals of the public archive (what an anonymous visitor's home page shows)."""
    return _counts_where(session, public_clause(at))


def _counts_where(session: Session, clause: sa.ColumnElement[bool]) -> dict[str, int]:
    visible = select(Proposal.id).where(clause)
    return {
        "proposals": session.exec(select(func.count()).select_from(visible.subquery())).one(),
        "suggestions": session.exec(
            select(func.count())
            .select_from(Suggestion)
            .where(col(Suggestion.parent_id).is_(None), col(Suggestion.proposal_id).in_(visible))
        ).one(),
        # letters in force only: a letter replaced by a re-handling is history, not another reply
        "replies": session.exec(
            select(func.count())
            .select_from(Reply)
            .where(col(Reply.proposal_id).in_(visible), Reply.status == ReplyStatus.ISSUED.value)
        ).one(),
        "references": session.exec(select(func.count()).select_from(ReferenceDocument)).one(),
    }
