"""Duplicates where they matter (issue 16): proposals like the one being written or reviewed,
ranked, each with what it got as an answer, so a member can co-sign instead and staff can merge.

Candidates come from the search backend's more-like-this (so it works on every backend); they are
ranked again by tracker.domain.duplicates (suggestions matched one by one, and the title), which
the engines' term weights alone do not do well for a reworded copy.

Who sees what: staff and admins see every candidate in full. A member sees in full what they may
see anyway (published proposals, their own and those they co-sign); of other members' proposals
that are under way and not public yet they see the title and the state only (no text, proposer
or answer), so they learn that the subject is taken without reading an unpublished proposal.
Other members' drafts and proposals that ended without being public (not accepted, merged) are
never shown to a member.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.domain.duplicates import Resemblance, resemblance
from tracker.domain.workflow import ProposalStatus
from tracker.models import (
    Agency,
    Proposal,
    ProposalSigner,
    Reply,
    ReplyRating,
    SignerRole,
    SignerStatus,
    Suggestion,
)
from tracker.search import SearchBackend
from tracker.search.documents import GroupFacts, UnitType, parse_group, proposal_group
from tracker.services.proposals import SHOWN_REPLY_STATUSES, in_force, reply_order, suggestions_of
from tracker.services.visibility import Role, Viewer, access_facts, can_see

CANDIDATES = 40  # proposals the engine proposes; the best ``limit`` of them after ranking are shown
# Below this resemblance a proposal only shares the archive's common words (a few percent): listing
# it as "similar" would bury the real duplicates in noise. Near copies score 0.5 and more.
MIN_SCORE = 0.15
STAFF_SEARCH = Viewer(Role.STAFF)
# Other members' proposals a member is told exist (title and state only): those under way.
PENDING = frozenset(
    s.value for s in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED)
)
MERGE_TARGETS = frozenset({ProposalStatus.SUBMITTED.value, ProposalStatus.ACCEPTED.value})


@dataclass(frozen=True)
class AnswerSummary:
    """The answer in force of a similar proposal: who gave it, its class and how it was rated."""

    reply_id: int
    agency: str
    outcome: str | None  # A/B/C
    ratings: tuple[tuple[str, int], ...]  # (rating, how many) in the order of models.Rating


@dataclass(frozen=True)
class SimilarProposal:
    proposal_id: int
    title: str
    status: str
    resemblance: Resemblance
    full: bool  # False: the viewer sees the title and state only
    facts: GroupFacts | None = None  # None when not ``full``
    answers: tuple[AnswerSummary, ...] = ()
    invited: bool = False  # the viewer (a member) has an open invitation to co-sign it
    signed: bool = False  # the viewer is its proposer or a confirmed co-signer

    @property
    def score(self) -> float:
        return self.resemblance.score

    @property
    def percent(self) -> int:
        return round(self.resemblance.score * 100)


def draft_query(title: str, suggestions: Sequence[str]) -> str:
    """What the engine is asked with: the title and the suggestions, the fields the index compares
    proposals by (their ``summary``); the background would only add the archive's common words."""
    return "\n".join(t for t in [title, *suggestions] if t and t.strip())


def _searcher(viewer: Viewer) -> Viewer:
    # A member is told of pending proposals they cannot read (title and state only, see above), so
    # the candidates are found among all; what each shows is decided per proposal below.
    return STAFF_SEARCH if viewer.role == Role.MEMBER else viewer


def _answers(session: Session, proposal_ids: Sequence[int]) -> dict[int, tuple[AnswerSummary, ...]]:
    if not proposal_ids:
        return {}
    rows = session.exec(
        select(Reply, Agency)
        .join(Agency, col(Agency.id) == col(Reply.agency_id), isouter=True)
        .where(col(Reply.proposal_id).in_(list(proposal_ids)))
        .where(col(Reply.status).in_(SHOWN_REPLY_STATUSES))
    ).all()
    rows = [(r, a) for r, a in rows if in_force(r)]
    counts: dict[int, Counter[str]] = {r.id or 0: Counter() for r, _a in rows}
    if counts:
        for reply_id, rating in session.exec(
            select(ReplyRating.reply_id, ReplyRating.rating).where(
                col(ReplyRating.reply_id).in_(list(counts))
            )
        ):
            counts[reply_id][rating] += 1
    order = ("satisfied", "basically_satisfied", "dissatisfied")
    found: dict[int, list[AnswerSummary]] = {}
    for reply, agency in sorted(rows, key=lambda ra: reply_order(ra[0])):
        got = counts[reply.id or 0]
        found.setdefault(reply.proposal_id, []).append(
            AnswerSummary(
                reply_id=reply.id or 0,
                agency=agency.name if agency else "",
                outcome=reply.outcome,
                ratings=tuple((r, got[r]) for r in order if got[r]),
            )
        )
    return {pid: tuple(a) for pid, a in found.items()}


def _signing(session: Session, member_id: int | None, proposal_ids: Sequence[int]) -> dict[int, str]:
    """The member's signer status per proposal ("confirmed", "pending", …), proposer as confirmed."""
    if member_id is None or not proposal_ids:
        return {}
    return {
        pid: status
        for pid, status in session.exec(
            select(ProposalSigner.proposal_id, ProposalSigner.status).where(
                ProposalSigner.member_id == member_id,
                col(ProposalSigner.proposal_id).in_(list(proposal_ids)),
                col(ProposalSigner.role).in_([SignerRole.COSIGNER.value, SignerRole.PROPOSER.value]),
            )
        )
    }


def similar_to_draft(
    *,
    session: Session,
    backend: SearchBackend,
    viewer: Viewer,
    title: str,
    suggestions: Sequence[str],
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[SimilarProposal]:
    """Proposals most like a draft (or a stored proposal's text), best first, as ``viewer`` may
    see them; ``exclude_id``: the proposal being written or reviewed itself."""
    suggestions = [s for s in suggestions if s and s.strip()]
    text = draft_query(title, suggestions)
    if not text:
        return []
    exclude = (proposal_group(exclude_id),) if exclude_id is not None else ()
    hits = backend.more_like_this(
        text, viewer=_searcher(viewer), types={UnitType.PROPOSAL}, exclude_groups=exclude, limit=CANDIDATES
    )
    facts_by_id: dict[int, GroupFacts] = {}
    for hit in hits:
        parsed = parse_group(hit.facts.group)
        if parsed is not None and parsed[0] == "p":
            facts_by_id.setdefault(parsed[1], hit.facts)
    if not facts_by_id:
        return []
    ids = list(facts_by_id)
    proposals = {p.id: p for p in session.exec(select(Proposal).where(col(Proposal.id).in_(ids))).all()}
    access = access_facts(session=session, proposal_ids=ids)
    theirs: dict[int, list[str]] = {pid: [] for pid in ids}
    for pid, row in session.exec(
        select(Suggestion.proposal_id, Suggestion.text)
        .where(col(Suggestion.proposal_id).in_(ids), col(Suggestion.parent_id).is_(None))
        .order_by(col(Suggestion.proposal_id), col(Suggestion.position))
    ):
        theirs[pid].append(row)
    ranked: list[tuple[Resemblance, int]] = []
    for pid in ids:
        proposal = proposals.get(pid)
        if proposal is None:
            continue  # deleted since the index was written
        rows = theirs[pid] or [proposal.original_text]
        ranked.append((resemblance(title, suggestions, proposal.title, rows), pid))
    # best first; equal scores in the engine's order (its rank is the tie-breaker, then the id)
    engine_rank = {pid: k for k, pid in enumerate(ids)}
    ranked.sort(key=lambda r: (-r[0].score, engine_rank[r[1]], r[1]))
    member_id = viewer.member_id if viewer.role == Role.MEMBER else None
    signing = _signing(session, member_id, ids)
    shown: list[tuple[Resemblance, Proposal, bool]] = []
    for found, pid in ranked:
        if found.score < MIN_SCORE:
            break  # ranked best first: the rest are lower still
        proposal = proposals[pid]
        full = can_see(access[pid], viewer) if pid in access else False
        if not full and not (viewer.role == Role.MEMBER and proposal.status in PENDING):
            continue
        shown.append((found, proposal, full))
        if len(shown) == limit:
            break
    answers = _answers(session, [p.id or 0 for _f, p, full in shown if full])
    return [
        SimilarProposal(
            proposal_id=p.id or 0,
            title=p.title,
            status=p.status,
            resemblance=found,
            full=full,
            facts=facts_by_id[p.id or 0] if full else None,
            answers=answers.get(p.id or 0, ()) if full else (),
            invited=signing.get(p.id or 0) == SignerStatus.PENDING.value
            and p.status in (ProposalStatus.DRAFT.value, ProposalStatus.SUBMITTED.value),
            signed=member_id is not None
            and (p.proposer_id == member_id or signing.get(p.id or 0) == SignerStatus.CONFIRMED.value),
        )
        for found, p, full in shown
    ]


def similar_to_proposal(
    *, session: Session, backend: SearchBackend, viewer: Viewer, proposal_id: int, limit: int = 5
) -> list[SimilarProposal]:
    """Proposals most like a stored one (the staff review page), the proposal itself left out."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return []
    theirs = [s.text for s in suggestions_of(session=session, proposal_id=proposal_id, top_level=True)]
    return similar_to_draft(
        session=session,
        backend=backend,
        viewer=viewer,
        title=proposal.title,
        suggestions=theirs or [proposal.original_text],
        exclude_id=proposal_id,
        limit=limit,
    )


def can_merge_into(source: Proposal, target_status: str) -> bool:
    """Whether the review list offers to merge ``source`` into a proposal in ``target_status`` in one
    step: the source is only submitted, and the target takes merged proposals (workflow.merge)."""
    return source.status == ProposalStatus.SUBMITTED.value and target_status in MERGE_TARGETS
