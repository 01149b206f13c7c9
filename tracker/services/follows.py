"""Following and alerts (issue 15): the one write path of saved searches, follows and what each has
told, the daily matching, and the public items of the Atom feeds.

Matching runs in `tracker remind` (``match``), not when a proposal is published: a scheduled
publication (定时公开) becomes public at its moment with no transaction at all, and the search index
is brought up to date after commit, so only a later run can see both. Each run looks, per follow,
at the proposals whose publication moment came since its high-water mark (tracker.domain.follows)
and asks the search backend as the anonymous visitor, or the page queries' visibility rule, which
of them match: nothing unpublished, withheld or not yet come ever matches. Functions flush and
never commit.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from tracker.domain.follows import (
    MAX_FOLLOWS,
    FollowKind,
    ProposalFacts,
    Target,
    check_name,
    check_search,
    clean_name,
    follows_proposal,
    window_start,
)
from tracker.domain.glossary import case_number
from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.notifications import Kind
from tracker.models import (
    Agency,
    Category,
    Follow,
    FollowMatch,
    Meeting,
    Proposal,
    Reply,
    Suggestion,
    User,
)
from tracker.search import SearchBackend, Sort
from tracker.services import notifications
from tracker.services import search as search_service
from tracker.services.errors import InvalidInput, NotFoundError
from tracker.services.visibility import ANONYMOUS, aware, public_clause

log = logging.getLogger(__name__)

SEARCH_PAGE = 100  # proposals asked of the backend at a time when matching a saved search
SEARCH_PAGES = 20  # at most this many pages: a saved search matching thousands is not an alert
FEED_SIZE = 50
SUMMARY_LIMIT = 400


def _invalid(error: RuleError) -> InvalidInput:
    return InvalidInput(error.problems)


TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what token_urlsafe makes; anything else is no token


def new_token() -> str:
    return secrets.token_urlsafe(24)


# -- the account's own follows ---------------------------------------------------------------------


def list_for(*, session: Session, user_id: int) -> list[Follow]:
    return list(
        session.exec(
            select(Follow)
            .where(Follow.user_id == user_id)
            .order_by(col(Follow.kind) != FollowKind.SEARCH.value, col(Follow.created_at), col(Follow.id))
        ).all()
    )


def _room(session: Session, user_id: int) -> None:
    count = session.exec(select(func.count()).select_from(Follow).where(Follow.user_id == user_id)).one()
    if count >= MAX_FOLLOWS:
        raise InvalidInput(
            [
                Problem(
                    "name",
                    N_("You follow %(limit)d things already: delete one first."),
                    {"limit": MAX_FOLLOWS},
                )
            ]
        )


def _named(name: str | None) -> str:
    text = clean_name(name)
    try:
        check_name(text)
    except RuleError as error:
        raise _invalid(error) from None
    return text


def save_search(
    *,
    session: Session,
    user_id: int,
    name: str | None,
    query: str,
    filters: Mapping[str, Sequence[str]],
    now: datetime,
) -> Follow:
    """Save a search of /search (its words and facet filters, as the page read them) by name."""
    query = clean_name(query)
    kept = {k: [c for c in (clean_name(v) for v in values) if c] for k, values in filters.items()}
    kept = {k: v for k, v in kept.items() if v}
    problems: list[Problem] = []
    try:
        check_search(query, kept)
    except RuleError as error:
        problems.extend(error.problems)
    text = clean_name(name)
    try:
        check_name(text)
    except RuleError as error:
        problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    _room(session, user_id)
    row = Follow(
        user_id=user_id,
        kind=FollowKind.SEARCH.value,
        name=text,
        query=query,
        filters=kept,
        token=new_token(),
        created_at=aware(now),
    )
    session.add(row)
    session.flush()
    return row


def target_name(*, session: Session, kind: FollowKind, target_id: int) -> str | None:
    """The name of an agency, category or session that may be followed (active ones only); None:
    there is no such thing to follow. A session's name is its short name or its full name."""
    if kind == FollowKind.AGENCY:
        agency = session.get(Agency, target_id)
        return agency.name if agency is not None and agency.active else None
    if kind == FollowKind.CATEGORY:
        category = session.get(Category, target_id)
        return category.name if category is not None and category.active else None
    if kind == FollowKind.SESSION:
        meeting = session.get(Meeting, target_id)
        if meeting is None:
            return None
        return meeting.short_name or meeting.name or str(meeting.year or target_id)
    return None


def follow(
    *, session: Session, user_id: int, kind: str, target_id: int | None, name: str | None, now: datetime
) -> Follow:
    """Follow an agency, a category or a session; following it again keeps the one follow."""
    try:
        wanted = FollowKind(kind)
    except ValueError:
        raise NotFoundError(N_("There is no such thing to follow."), field="kind") from None
    if wanted == FollowKind.SEARCH or target_id is None:
        raise NotFoundError(N_("There is no such thing to follow."), field="kind")
    found_name = target_name(session=session, kind=wanted, target_id=target_id)
    if found_name is None:
        raise NotFoundError(N_("There is no such thing to follow."), field="target")
    existing = session.exec(
        select(Follow).where(
            Follow.user_id == user_id, Follow.kind == wanted.value, Follow.target_id == target_id
        )
    ).first()
    if existing is not None:
        return existing
    _room(session, user_id)
    row = Follow(
        user_id=user_id,
        kind=wanted.value,
        name=_named(name or found_name),
        target_id=target_id,
        token=new_token(),
        created_at=aware(now),
    )
    session.add(row)
    session.flush()
    return row


def _own(session: Session, user_id: int, follow_id: int) -> Follow:
    row = session.get(Follow, follow_id)
    if row is None or row.user_id != user_id:
        raise NotFoundError(N_("There is no such saved search or follow."), field="follow")
    return row


def rename(*, session: Session, user_id: int, follow_id: int, name: str | None) -> Follow:
    row = _own(session, user_id, follow_id)
    row.name = _named(name)
    session.add(row)
    session.flush()
    return row


def delete(*, session: Session, user_id: int, follow_id: int) -> None:
    row = _own(session, user_id, follow_id)
    session.exec(sa.delete(FollowMatch).where(col(FollowMatch.follow_id) == row.id))  # type: ignore[call-overload]
    session.delete(row)
    session.flush()


def renew_token(*, session: Session, user_id: int, follow_id: int) -> Follow:
    """A new feed address; the old one stops working (for a feed address shared by mistake)."""
    row = _own(session, user_id, follow_id)
    row.token = new_token()
    session.add(row)
    session.flush()
    return row


def by_token(*, session: Session, token: str) -> Follow | None:
    """The follow of a feed address, if its account is still active."""
    if not TOKEN.fullmatch(token):
        return None
    row = session.exec(select(Follow).where(Follow.token == token)).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return row if user is not None and user.active else None


# -- matching (tracker remind) ----------------------------------------------------------------------


def _facts(session: Session, proposals: Sequence[Proposal]) -> list[ProposalFacts]:
    ids = [p.id for p in proposals if p.id is not None]
    agencies: dict[int, set[int]] = defaultdict(set)
    if ids:
        for proposal_id, agency_id in session.exec(
            select(Reply.proposal_id, Reply.agency_id).where(
                col(Reply.proposal_id).in_(ids), col(Reply.agency_id).is_not(None)
            )
        ).all():
            agencies[proposal_id].add(agency_id)
    return [
        ProposalFacts(
            proposal_id=p.id or 0,
            meeting_id=p.meeting_id,
            category=p.category,
            agency_ids=frozenset(agencies.get(p.id or 0, ())),
        )
        for p in proposals
    ]


def search_ids(
    *, backend: SearchBackend, query: str, filters: Mapping[str, Sequence[str]], pages: int, page_size: int
) -> list[int]:
    """The proposals a search finds for the anonymous visitor, newest first (a 案号 query: the
    proposals carrying that number)."""
    found: list[int] = []
    for page in range(1, pages + 1):
        outcome = search_service.search(
            query,
            backend=backend,
            viewer=ANONYMOUS,
            filters={k: tuple(v) for k, v in filters.items()},
            sort=Sort.DATE,
            page=page,
            page_size=page_size,
            units_per_group=1,
        )
        if outcome.jump is not None:
            return [outcome.jump.proposal_id] if outcome.jump.proposal_id is not None else []
        if outcome.results is None:
            return [f.proposal_id for f in outcome.numbered if f.proposal_id is not None]
        found += [g.facts.proposal_id for g in outcome.results.groups if g.facts.proposal_id is not None]
        if outcome.results.page >= outcome.results.pages:
            break
    return list(dict.fromkeys(found))


def _target(session: Session, row: Follow) -> Target:
    kind = FollowKind(row.kind)
    category = session.get(Category, row.target_id) if kind == FollowKind.CATEGORY and row.target_id else None
    return Target(kind, row.target_id, category.name if category is not None else None)


def _matching(
    session: Session, backend: SearchBackend, row: Follow, candidates: list[Proposal]
) -> list[Proposal]:
    if row.kind == FollowKind.SEARCH.value:
        wanted = {p.id for p in candidates}
        ids = set(
            search_ids(
                backend=backend,
                query=row.query,
                filters=row.filters,
                pages=SEARCH_PAGES,
                page_size=SEARCH_PAGE,
            )
        )
        return [p for p in candidates if p.id in wanted & ids]
    target = _target(session, row)
    chosen = {f.proposal_id for f in _facts(session, candidates) if follows_proposal(target, f)}
    return [p for p in candidates if p.id in chosen]


def _index_healthy(backend: SearchBackend) -> bool:
    """Whether the index is there to ask; a missing or unreadable one is rebuilt by the app's check."""
    try:
        healthy = backend.state().healthy
    except Exception:
        log.exception("the search index could not tell its state")
        return False
    if not healthy:
        log.warning("the search index is missing or unreadable: saved searches wait for the next run")
    return healthy


@dataclass(frozen=True)
class MatchRun:
    follows: int  # follows looked at
    matched: int  # (follow, proposal) pairs newly told
    notified: int  # notifications made (one per account and proposal)
    failed: int = 0  # saved searches the index could not answer (tried again next run)


def match(*, session: Session, backend: SearchBackend, now: datetime) -> MatchRun:
    """Tell each follow's account of the proposals that became public since the last run and match
    it, once per follow (a row in follow_match is the guard, also against two runs at once); an
    account told of one proposal by several follows gets one notification naming them all."""
    now = aware(now)
    rows = session.exec(
        select(Follow)
        .join(User, col(User.id) == col(Follow.user_id))
        .where(col(User.active).is_(True))
        .order_by(col(Follow.id))
    ).all()
    told: dict[tuple[int, int], list[str]] = defaultdict(list)
    proposals: dict[int, Proposal] = {}
    matched = skipped = 0
    healthy: bool | None = None  # the index, asked once, when a saved search needs it
    for row in rows:
        start = window_start(aware(row.created_at), aware(row.checked_until) if row.checked_until else None)
        already = select(FollowMatch.proposal_id).where(FollowMatch.follow_id == row.id)
        candidates = list(
            session.exec(
                select(Proposal).where(
                    public_clause(now),
                    col(Proposal.published_at) > start,
                    col(Proposal.id).not_in(already),
                )
            ).all()
        )
        if candidates and row.kind == FollowKind.SEARCH.value:
            healthy = _index_healthy(backend) if healthy is None else healthy
            if not healthy:
                skipped += 1  # an index that is missing would find nothing: the news would be lost
                continue
        try:
            found = _matching(session, backend, row, candidates) if candidates else []
        except Exception:
            # an index that fails to answer costs this run this search, not the digests and reminders
            # that follow; the mark stays, so the next run looks at the same proposals again
            log.exception("matching follow %s failed", row.id)
            skipped += 1
            continue
        for proposal in found:
            try:
                with session.begin_nested():
                    session.add(
                        FollowMatch(follow_id=row.id or 0, proposal_id=proposal.id or 0, matched_at=now)
                    )
                    session.flush()
            except IntegrityError:
                continue  # another run told it
            matched += 1
            proposals[proposal.id or 0] = proposal
            told[(row.user_id, proposal.id or 0)].append(row.name)
        row.checked_until = now
        session.add(row)
    session.flush()
    made = 0
    for (user_id, proposal_id), names in sorted(told.items()):
        user = session.get(User, user_id)
        proposal = proposals[proposal_id]
        if user is None:
            continue
        params = {
            "title": proposal.title,
            "case": _case(session, proposal),
            "follow": "、".join(dict.fromkeys(names)),
        }
        made += len(
            notifications.notify(
                session=session,
                kind=Kind.FOLLOWED,
                users=[user],
                proposal=proposal,
                params=params,
                # when it became public: so the next daily digest after that moment carries it
                now=aware(proposal.published_at or now),
            )
        )
    return MatchRun(follows=len(rows), matched=matched, notified=made, failed=skipped)


# -- the feeds' items ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    proposal_id: int
    title: str
    case: str  # 案号 as people read it, or ""
    published_at: datetime
    summary: str  # plain text: the feed escapes it


def _case(session: Session, proposal: Proposal) -> str:
    if proposal.number is None:
        return ""
    meeting = session.get(Meeting, proposal.meeting_id) if proposal.meeting_id else None
    return case_number(proposal.number, meeting.number_prefix if meeting else None)


def _summaries(session: Session, ids: Sequence[int]) -> dict[int, str]:
    texts: dict[int, list[str]] = defaultdict(list)
    if ids:
        for proposal_id, text in session.exec(
            select(Suggestion.proposal_id, Suggestion.text)
            .where(col(Suggestion.proposal_id).in_(list(ids)), col(Suggestion.parent_id).is_(None))
            .order_by(col(Suggestion.proposal_id), col(Suggestion.position))
        ).all():
            texts[proposal_id].append(" ".join(text.split()))
    return {k: " ".join(v) for k, v in texts.items()}


def _items(session: Session, proposals: Sequence[Proposal]) -> list[FeedItem]:
    summaries = _summaries(session, [p.id for p in proposals if p.id is not None])
    items = []
    for p in proposals:
        text = summaries.get(p.id or 0) or " ".join((p.background or p.original_text or "").split())
        if len(text) > SUMMARY_LIMIT:
            text = text[: SUMMARY_LIMIT - 1] + "…"
        items.append(
            FeedItem(
                proposal_id=p.id or 0,
                title=p.title,
                case=_case(session, p),
                published_at=aware(p.published_at) if p.published_at else aware(p.created_at),
                summary=text,
            )
        )
    return items


def public_items(
    *,
    session: Session,
    now: datetime,
    meeting_id: int | None = None,
    agency_id: int | None = None,
    category: str | None = None,
    status: str | None = None,
    limit: int = FEED_SIZE,
) -> list[FeedItem]:
    """The latest public proposals of a list (the proposals list's filters; a category by name),
    newest publication first: what the anonymous list shows, nothing else."""
    stmt = select(Proposal).where(public_clause(aware(now)))
    if meeting_id is not None:
        stmt = stmt.where(Proposal.meeting_id == meeting_id)
    if agency_id is not None:
        stmt = stmt.where(col(Proposal.id).in_(select(Reply.proposal_id).where(Reply.agency_id == agency_id)))
    if category is not None:
        stmt = stmt.where(Proposal.category == category)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    rows = session.exec(
        stmt.order_by(col(Proposal.published_at).desc(), col(Proposal.id).desc()).limit(limit)
    ).all()
    return _items(session, list(rows))


def items_of(*, session: Session, proposal_ids: Sequence[int], now: datetime) -> list[FeedItem]:
    """Feed items of these proposals in this order, the public ones only (the search already asked
    as the anonymous visitor: this is the page queries' rule said again)."""
    if not proposal_ids:
        return []
    rows = session.exec(
        select(Proposal).where(col(Proposal.id).in_(list(proposal_ids)), public_clause(aware(now)))
    ).all()
    by_id = {p.id: p for p in rows}
    return _items(session, [by_id[i] for i in proposal_ids if i in by_id])


def follow_items(*, session: Session, backend: SearchBackend, row: Follow, now: datetime) -> list[FeedItem]:
    """The feed of a saved search or a follow."""
    kind = FollowKind(row.kind)
    if kind == FollowKind.SEARCH:
        ids = search_ids(backend=backend, query=row.query, filters=row.filters, pages=1, page_size=FEED_SIZE)
        return items_of(session=session, proposal_ids=ids, now=now)
    if kind == FollowKind.CATEGORY:
        target = _target(session, row)
        if not target.category_name:
            return []
        return public_items(session=session, now=now, category=target.category_name)
    if kind == FollowKind.AGENCY:
        return public_items(session=session, now=now, agency_id=row.target_id)
    return public_items(session=session, now=now, meeting_id=row.target_id)
