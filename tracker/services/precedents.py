"""Precedents while drafting a reply, and policy clauses cited under an answer (issue 16).

Precedents: beside each suggestion of the proposal being answered, the past reply points in force
(issued letters, not returned, withdrawn or superseded) that answered suggestions like it. They are
found by asking the search backend (through its interface, so on either engine) for suggestion
units like this one, then following the point↔suggestion links to the points answering them; ranked
by tracker.domain.precedents. Which letters an agency sees: exactly what the search and the archive
show it anyway, the public (published) ones and its own agency's; a letter another agency wrote for
a proposal not yet published (or withheld) is not shown, as the agency could not open it either.

Citations: while drafting, the clauses a drafter ticks under an answer are kept per suggestion
(DraftCitation); issuing copies them to the points that answer that suggestion (PointCitation),
which the proposal page and the letter page show under the answer. Functions flush, never commit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.domain import precedents as rules
from tracker.domain.anchors import point_anchor
from tracker.domain.messages import N_, Problem
from tracker.domain.reply_drafting import DraftContent, Section
from tracker.models import (
    Agency,
    DraftCitation,
    DraftPrecedent,
    Meeting,
    PointCitation,
    PointLink,
    Proposal,
    ReferenceClause,
    ReferenceDocument,
    Reply,
    ReplyDraft,
    ReplyPoint,
    ReplyRating,
    ReplyStatus,
    Suggestion,
)
from tracker.search import QueryBackend, Similar
from tracker.search.documents import UnitType, proposal_group
from tracker.services.errors import InvalidInput
from tracker.services.library import clause_nodes, clauses_of
from tracker.services.visibility import Viewer, proposal_filter

SHOWN = 3  # precedents shown per suggestion
POOL = 8  # similar suggestions asked of the search backend per suggestion


@dataclass(frozen=True)
class Precedent:
    """A past answer offered beside a suggestion."""

    point: ReplyPoint
    reply: Reply
    proposal: Proposal
    answered: Suggestion  # the past suggestion it answered (the most similar, when several)
    meeting: Meeting | None
    agency: str  # the agency that wrote it (its name in force), else the letter's signature
    outcome: str | None  # the point's class, else its letter's
    rating: str | None  # the proposer's rating of the letter
    likeness: float  # how like this suggestion the one it answered is, 0..1 of the best found
    weight: float  # its rank (tracker.domain.precedents)

    @property
    def letter_anchor(self) -> str:
        return point_anchor(self.point, reply=self.reply, lead=True)

    @property
    def text(self) -> str:
        return rules.starting_text(self.point.text, self.point.heading)


def _suggestion_ids(found: Sequence[Similar]) -> dict[int, float]:
    """Suggestion id -> score from ``more_like_this`` hits (units keyed "s<id>")."""
    scores: dict[int, float] = {}
    for similar in found:
        for unit in similar.units:
            key = unit.key
            if unit.type == UnitType.SUGGESTION and key[:1] == "s" and key[1:].isdigit():
                sid = int(key[1:])
                scores[sid] = max(scores.get(sid, 0.0), float(unit.score or similar.score))
    return scores


def precedents_for(
    *,
    session: Session,
    backend: QueryBackend,
    viewer: Viewer,
    suggestion: Suggestion,
    limit: int = SHOWN,
    pool: int = POOL,
) -> list[Precedent]:
    """Past answers in force to suggestions like ``suggestion`` (of other proposals), best first."""
    if not suggestion.text.strip():
        return []
    found = backend.more_like_this(
        "\n".join(p for p in (suggestion.title, suggestion.text) if p),
        viewer=viewer,
        types={UnitType.SUGGESTION},
        exclude_groups=(proposal_group(suggestion.proposal_id),),
        limit=pool,
    )
    scores = _suggestion_ids(found)
    if not scores:
        return []
    rows = session.exec(
        select(PointLink.suggestion_id, ReplyPoint, Reply, Proposal)
        .join(ReplyPoint, col(ReplyPoint.id) == col(PointLink.reply_point_id))
        .join(Reply, col(Reply.id) == col(ReplyPoint.reply_id))
        .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
        .where(
            col(PointLink.suggestion_id).in_(scores),
            col(ReplyPoint.parent_id).is_(None),
            Reply.status == ReplyStatus.ISSUED.value,
            Proposal.id != suggestion.proposal_id,
            # the index may lag a change of publication: the database has the last word
            proposal_filter(viewer),
        )
    ).all()
    if not rows:
        return []
    reply_ids = {reply.id for _sid, _p, reply, _pr in rows}
    ratings = dict(
        session.exec(
            select(ReplyRating.reply_id, ReplyRating.rating)
            .join(Reply, col(Reply.id) == col(ReplyRating.reply_id))
            .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
            .where(col(ReplyRating.reply_id).in_(reply_ids), ReplyRating.member_id == Proposal.proposer_id)
        ).all()
    )
    candidates = []
    found_by: dict[int, tuple[int, ReplyPoint, Reply, Proposal]] = {}
    for sid, point, reply, proposal in rows:
        pid = point.id or 0
        if pid not in found_by or scores[sid] > scores[found_by[pid][0]]:
            found_by[pid] = (sid, point, reply, proposal)
        candidates.append(
            rules.Candidate(
                point_id=pid,
                similarity=scores[sid],
                rating=ratings.get(reply.id or 0),
                outcome=point.outcome or reply.outcome,
                issued=reply.date_on or (reply.issued_at.date() if reply.issued_at else None),
            )
        )
    ranked = rules.rank(candidates, limit)
    best = max(c.similarity for c in candidates) or 1.0
    chosen = [found_by[c.point_id] for c in ranked]
    suggestions = {
        s.id: s
        for s in session.exec(
            select(Suggestion).where(col(Suggestion.id).in_({sid for sid, *_ in chosen}))
        ).all()
    }
    agencies = {
        a.id: a.name
        for a in session.exec(
            select(Agency).where(
                col(Agency.id).in_({r.agency_id for _s, _p, r, _pr in chosen if r.agency_id})
            )
        ).all()
    }
    meetings = {
        m.id: m
        for m in session.exec(
            select(Meeting).where(col(Meeting.id).in_({pr.meeting_id for *_x, pr in chosen if pr.meeting_id}))
        ).all()
    }
    return [
        Precedent(
            point=point,
            reply=reply,
            proposal=proposal,
            answered=suggestions[sid],
            meeting=meetings.get(proposal.meeting_id) if proposal.meeting_id else None,
            agency=agencies.get(reply.agency_id or 0) or reply.signature,
            outcome=candidate.outcome,
            rating=candidate.rating,
            likeness=scores[sid] / best,
            weight=candidate.weight,
        )
        for candidate, (sid, point, reply, proposal) in zip(ranked, chosen, strict=True)
    ]


# -- copying a precedent into the draft ----------------------------------------------------------------


@dataclass(frozen=True)
class Copied:
    suggestion_id: int
    point_id: int


def precedent_point(*, session: Session, viewer: Viewer, point_id: int) -> ReplyPoint | None:
    """A top-level point of a letter in force that ``viewer`` may read; None otherwise."""
    return session.exec(
        select(ReplyPoint)
        .join(Reply, col(Reply.id) == col(ReplyPoint.reply_id))
        .join(Proposal, col(Proposal.id) == col(Reply.proposal_id))
        .where(
            ReplyPoint.id == point_id,
            col(ReplyPoint.parent_id).is_(None),
            Reply.status == ReplyStatus.ISSUED.value,
            proposal_filter(viewer),
        )
    ).first()


def parse_choice(choice: str) -> tuple[int, int] | None:
    """(suggestion id, point id) from a copy button's value "<suggestion>-<point>"."""
    left, _sep, right = choice.partition("-")
    if left.isdigit() and right.isdigit() and len(choice) <= 40:
        return int(left), int(right)
    return None


def copy_into(
    *, session: Session, viewer: Viewer, content: DraftContent, suggestion_ids: Collection[int], choice: str
) -> Copied:
    """Add the chosen precedent's text to the answer of its suggestion in ``content`` (filling an
    empty answer, following a typed one). InvalidInput when the choice names another proposal's
    suggestion or a point that is not an answer in force the viewer may read."""
    parsed = parse_choice(choice)
    point = None
    if parsed is not None and parsed[0] in suggestion_ids:
        point = precedent_point(session=session, viewer=viewer, point_id=parsed[1])
    if parsed is None or point is None:
        raise InvalidInput(
            [
                Problem(
                    None,
                    N_(
                        "That earlier answer cannot be copied: it is no longer in force or not yours to read."
                    ),
                )
            ]
        )
    sid = parsed[0]
    section = content.section_for(sid) or Section(sid)
    section.body = rules.with_copied(section.body, rules.starting_text(point.text, point.heading))
    if content.section_for(sid) is None:
        content.sections.append(section)
    return Copied(suggestion_id=sid, point_id=point.id or 0)


def record_copy(
    *, session: Session, draft: ReplyDraft, copied: Copied, actor_id: int | None, now: datetime
) -> None:
    """The draft keeps which precedent the answer to a suggestion started from (once per point)."""
    row = session.exec(
        select(DraftPrecedent).where(
            DraftPrecedent.draft_id == draft.id,
            DraftPrecedent.suggestion_id == copied.suggestion_id,
            DraftPrecedent.reply_point_id == copied.point_id,
        )
    ).first() or DraftPrecedent(
        draft_id=draft.id or 0, suggestion_id=copied.suggestion_id, reply_point_id=copied.point_id
    )
    row.copied_at, row.copied_by = now, actor_id
    session.add(row)
    session.flush()


@dataclass(frozen=True)
class Source:
    """A precedent an answer of the draft started from."""

    suggestion_id: int
    point: ReplyPoint | None  # None when that letter is gone
    reply: Reply | None
    copied_at: datetime


def sources_of(*, session: Session, draft_id: int | None) -> dict[int, list[Source]]:
    """Suggestion id -> the precedents its answer started from, in the order copied."""
    if draft_id is None:
        return {}
    found: dict[int, list[Source]] = {}
    for row, point, reply in session.exec(
        select(DraftPrecedent, ReplyPoint, Reply)
        .join(ReplyPoint, col(ReplyPoint.id) == col(DraftPrecedent.reply_point_id), isouter=True)
        .join(Reply, col(Reply.id) == col(ReplyPoint.reply_id), isouter=True)
        .where(DraftPrecedent.draft_id == draft_id)
        .order_by(col(DraftPrecedent.copied_at), col(DraftPrecedent.id))
    ).all():
        found.setdefault(row.suggestion_id, []).append(Source(row.suggestion_id, point, reply, row.copied_at))
    return found


# -- citations -------------------------------------------------------------------------------------------


def check_clauses(*, session: Session, cited: Mapping[int, Collection[int]]) -> None:
    """InvalidInput unless every cited clause exists."""
    wanted = {c for ids in cited.values() for c in ids}
    if not wanted:
        return
    known = set(session.exec(select(ReferenceClause.id).where(col(ReferenceClause.id).in_(wanted))).all())
    if wanted - known:
        raise InvalidInput([Problem(None, N_("The form cited a policy clause the library does not have."))])


def keep_citations(*, session: Session, draft: ReplyDraft, cited: Mapping[int, Collection[int]]) -> None:
    """The clauses the drafter cites under the answers to these suggestions, as ticked now
    (suggestions not in ``cited`` keep theirs)."""
    check_clauses(session=session, cited=cited)
    if not cited:
        return
    session.exec(
        sa.delete(DraftCitation).where(
            col(DraftCitation.draft_id) == draft.id, col(DraftCitation.suggestion_id).in_(list(cited))
        )
    )
    for sid, clause_ids in cited.items():
        for clause_id in sorted(set(clause_ids)):
            session.add(DraftCitation(draft_id=draft.id or 0, suggestion_id=sid, clause_id=clause_id))
    session.flush()


def draft_citations(*, session: Session, draft_id: int | None) -> dict[int, list[int]]:
    """Suggestion id -> the clause ids cited under its answer in the draft."""
    if draft_id is None:
        return {}
    found: dict[int, list[int]] = {}
    for row in session.exec(
        select(DraftCitation).where(DraftCitation.draft_id == draft_id).order_by(col(DraftCitation.clause_id))
    ).all():
        found.setdefault(row.suggestion_id, []).append(row.clause_id)
    return found


def carry_citations(*, session: Session, draft: ReplyDraft, reply: Reply) -> int:
    """Issuing: the draft's citations go to the letter's top-level points answering their
    suggestion. Returns how many were stored."""
    cited = draft_citations(session=session, draft_id=draft.id)
    if not cited:
        return 0
    links = session.exec(
        select(PointLink.reply_point_id, PointLink.suggestion_id)
        .join(ReplyPoint, col(ReplyPoint.id) == col(PointLink.reply_point_id))
        .where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
    ).all()
    pairs = {(point_id, clause_id) for point_id, sid in links for clause_id in cited.get(sid, [])}
    for point_id, clause_id in sorted(pairs):
        session.add(PointCitation(reply_point_id=point_id, clause_id=clause_id))
    session.flush()
    return len(pairs)


@dataclass(frozen=True)
class ClauseRef:
    """A clause as the pages link to it: its document's page and the clause's anchor there."""

    clause: ReferenceClause
    document: ReferenceDocument
    anchor: str

    @property
    def label(self) -> str:
        return " ".join(p for p in (self.clause.marker, self.clause.title) if p).strip() or self.clause.path


def clause_refs(*, session: Session, clause_ids: Collection[int]) -> dict[int, ClauseRef]:
    """Clause id -> how to show and link it."""
    if not clause_ids:
        return {}
    clauses = session.exec(select(ReferenceClause).where(col(ReferenceClause.id).in_(set(clause_ids)))).all()
    refs: dict[int, ClauseRef] = {}
    for document_id in {c.document_id for c in clauses}:
        document = session.get(ReferenceDocument, document_id)
        if document is None:
            continue
        wanted = {c.id for c in clauses if c.document_id == document_id}
        for node in clause_nodes(document, clauses_of(session=session, document_id=document_id)):
            if node.clause.id in wanted and node.clause.id is not None:
                refs[node.clause.id] = ClauseRef(clause=node.clause, document=document, anchor=node.anchor)
    return refs


def point_citations(*, session: Session, point_ids: Collection[int | None]) -> dict[int, list[ClauseRef]]:
    """Reply point id -> the clauses it cites, in document order."""
    ids = [i for i in point_ids if i is not None]
    if not ids:
        return {}
    rows = session.exec(select(PointCitation).where(col(PointCitation.reply_point_id).in_(ids))).all()
    refs = clause_refs(session=session, clause_ids={r.clause_id for r in rows})
    found: dict[int, list[ClauseRef]] = {}
    for row in rows:
        if row.clause_id in refs:
            found.setdefault(row.reply_point_id, []).append(refs[row.clause_id])
    for items in found.values():
        items.sort(key=lambda r: (r.document.id or 0, r.clause.position))
    return found


def keep_draft_choices(
    *,
    session: Session,
    draft: ReplyDraft,
    cited: Mapping[int, Collection[int]],
    copied: Copied | None,
    reply: Reply | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """After the editor saved (or submitted) ``draft``: keep the clauses ticked, the precedent just
    copied, and when the save issued ``reply``, carry the citations to its points."""
    keep_citations(session=session, draft=draft, cited=cited)
    if copied is not None:
        record_copy(session=session, draft=draft, copied=copied, actor_id=actor_id, now=now)
    if reply is not None:
        carry_citations(session=session, draft=draft, reply=reply)
