"""Following (issue 15): saved searches and follows of an agency, a category or a session, and which
newly public proposals each one is told of. Pure rules: tracker.services.follows reads the rows,
asks the search backend (as the anonymous visitor) for saved searches, and stores what matched.

What is "new": a proposal whose publication moment came inside the follow's window. The window
starts where the last run stopped (a high-water mark), moved back by ``OVERLAP`` so a publication
committed by a transaction that was still open when the last run read the database is not missed;
the follow's own record of what it already told (one row per follow and proposal) keeps an item
from being told twice. It never starts before the follow was made: following an agency does not
bring its whole archive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .drafting import clean_text
from .messages import N_, Problem, RuleError

NAME_LIMIT = 80
OVERLAP = timedelta(days=1)
MAX_FOLLOWS = 100  # per account: a saved search costs a search every day


class FollowKind(StrEnum):
    SEARCH = "search"  # a saved search: a query and facet filters of /search
    AGENCY = "agency"  # proposals an agency replied to (as the proposals list filters them)
    CATEGORY = "category"
    SESSION = "session"  # a meeting (届次会议)


@dataclass(frozen=True)
class ProposalFacts:
    """What the follow rules need to know of a public proposal."""

    proposal_id: int
    meeting_id: int | None
    category: str | None
    agency_ids: frozenset[int] = field(default_factory=frozenset)  # agencies that replied


@dataclass(frozen=True)
class Target:
    """What a follow of an agency, a category or a session points at (the category by its name,
    as proposals carry it)."""

    kind: FollowKind
    target_id: int | None
    category_name: str | None = None


def follows_proposal(target: Target, facts: ProposalFacts) -> bool:
    """Whether a follow of an agency, a category or a session takes in this proposal; a saved
    search is judged by the search backend, not here."""
    if target.kind == FollowKind.AGENCY:
        return target.target_id is not None and target.target_id in facts.agency_ids
    if target.kind == FollowKind.SESSION:
        return target.target_id is not None and facts.meeting_id == target.target_id
    if target.kind == FollowKind.CATEGORY:
        return bool(target.category_name) and facts.category == target.category_name
    return False


def window_start(created_at: datetime, checked_until: datetime | None) -> datetime:
    """Where a run looks from: the last high-water mark less the overlap, never before the follow."""
    if checked_until is None:
        return created_at
    return max(created_at, checked_until - OVERLAP)


def clean_name(text: str | None) -> str:
    """A follow's name (or a saved search's words) as stored: one line, spaces collapsed, no control
    characters (PostgreSQL refuses NUL in text)."""
    return clean_text(text, one_line=True)


def check_name(name: str) -> None:
    if not name:
        raise RuleError(Problem("name", N_("Give it a name.")))
    if len(name) > NAME_LIMIT:
        raise RuleError(
            Problem(
                "name",
                N_("Too long: %(count)d characters; at most %(limit)d."),
                {"count": len(name), "limit": NAME_LIMIT},
            )
        )


def check_search(query: str, filters: Mapping[str, Sequence[str]]) -> None:
    """A saved search needs something to look for: words or at least one filter (an empty search
    lists nothing on the search page either)."""
    if not query and not any(filters.values()):
        raise RuleError(Problem("q", N_("Search for something before saving the search.")))


def default_search_name(query: str, filter_values: Sequence[str]) -> str:
    """The name a saved search gets when none is typed: its words, else its filters."""
    text = query or " · ".join(filter_values)
    return text[: NAME_LIMIT - 1] + "…" if len(text) > NAME_LIMIT else text
