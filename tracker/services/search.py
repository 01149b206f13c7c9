"""Searching the archive: the search box, similar proposals, and policy clauses related to a text.

These functions drive a ``SearchBackend`` directly and return plain dataclasses, so they run
without Flask (the benchmark calls them as the pages do). Visibility is the backend's job, in
its query: every function takes the ``Viewer`` it searches for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from tracker.models import Proposal, Suggestion
from tracker.search import SearchBackend, SearchRequest, SearchResults, Similar, Sort
from tracker.search.documents import GroupFacts, UnitType, proposal_group
from tracker.search.query import broader_queries, parse_case_number, session_matches
from tracker.services.visibility import ANONYMOUS, Viewer

DEFAULT_PAGE_SIZE = 10
UNITS_PER_GROUP = 3  # matching units shown under each result
MAX_HINTS = 3


@dataclass(frozen=True)
class QueryHint:
    """A query to try instead when nothing matched, with how many results it has."""

    text: str
    count: int
    kind: str  # "spelling" or "broader"


@dataclass(frozen=True)
class SearchOutcome:
    query: str
    results: SearchResults | None  # None when the query named exactly one proposal
    jump: GroupFacts | None = None  # the proposal a 案号 query names
    numbered: tuple[GroupFacts, ...] = ()  # several proposals carry the number typed
    hints: tuple[QueryHint, ...] = ()


def search(
    query: str,
    *,
    backend: SearchBackend,
    viewer: Viewer = ANONYMOUS,
    filters: Mapping[str, Sequence[str]] | None = None,
    sort: Sort | str = Sort.RELEVANCE,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    units_per_group: int = UNITS_PER_GROUP,
    history: bool = False,
) -> SearchOutcome:
    """Run the search box: a 案号 jumps to its proposal; otherwise ranked, grouped results.

    ``filters`` maps facet names (tracker.search.Facet) to accepted values. An empty query with
    filters lists what the filters select; an empty query without them returns no results.
    Reply points and letters are those in force; ``history`` adds the earlier letters a
    re-handling replaced (each hit marked as such).
    """
    query = " ".join(query.split())
    clean = {k: tuple(v) for k, v in (filters or {}).items() if v}
    numbered: tuple[GroupFacts, ...] = ()
    case = parse_case_number(query) if query else None
    if case is not None:
        numbered = numbered_proposals(backend=backend, viewer=viewer, number=case.number)
        numbered = tuple(
            f
            for f in numbered
            if (case.year is None or f.year == case.year)
            and (case.session is None or session_matches(case.session, f.meeting_body, f.meeting_name))
        )
        if len(numbered) == 1:
            return SearchOutcome(query=query, results=None, jump=numbered[0])
        if numbered:
            # several sessions have the number: the list of them is the answer (a lookup on the
            # number field), not a text search for 第 + 120 + 号
            return SearchOutcome(query=query, results=None, numbered=numbered)
    if not query and not clean:
        return SearchOutcome(query=query, results=None)
    results = backend.search(
        SearchRequest(
            text=query,
            viewer=viewer,
            filters=clean,
            sort=Sort(sort) if sort in Sort._value2member_map_ else Sort.RELEVANCE,
            page=page,
            page_size=page_size,
            units_per_group=units_per_group,
            history=history,
        )
    )
    # a 案号 no proposal has: spelling fixes or broader rewrites of 第 + 120 + 号 help nobody
    hints = (
        ()
        if results.total or not query or case is not None
        else query_hints(query, backend=backend, viewer=viewer, filters=clean)
    )
    return SearchOutcome(query=query, results=results, numbered=numbered, hints=hints)


def numbered_proposals(*, backend: SearchBackend, viewer: Viewer, number: int) -> tuple[GroupFacts, ...]:
    """The proposals ``viewer`` may see that carry this 案号 (one per session at most)."""
    found = backend.search(
        SearchRequest(
            text="",
            viewer=viewer,
            filters={"number": (str(number),), "type": (UnitType.PROPOSAL.value,)},
            page_size=100,
        )
    )
    return tuple(g.facts for g in found.groups)


def query_hints(
    query: str,
    *,
    backend: SearchBackend,
    viewer: Viewer = ANONYMOUS,
    filters: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[QueryHint, ...]:
    """When nothing matched: the query with misspelt words corrected, then broader rewrites."""
    hints: list[QueryHint] = []
    seen = {query}
    spelled = backend.spelling(query)
    candidates = [(spelled, "spelling")] if spelled else []
    candidates += [(text, "broader") for text in broader_queries(query)]
    for text, kind in candidates:
        if text in seen:
            continue
        seen.add(text)
        count = backend.count(text, viewer=viewer, filters=filters)
        if count:
            hints.append(QueryHint(text=text, count=count, kind=kind))
        if len(hints) == MAX_HINTS:
            break
    return tuple(hints)


def proposal_text(*, session: Session, proposal_id: int) -> str | None:
    """What a proposal asks: its title and suggestions (what similar proposals are compared by)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    texts = session.exec(
        select(Suggestion.text)
        .where(Suggestion.proposal_id == proposal_id, col(Suggestion.parent_id).is_(None))
        .order_by(col(Suggestion.position))
    ).all()
    return "\n".join([proposal.title, *texts] if texts else [proposal.title, proposal.original_text])


def similar_proposals(
    *,
    session: Session,
    backend: SearchBackend,
    viewer: Viewer = ANONYMOUS,
    proposal_id: int | None = None,
    text: str | None = None,
    limit: int = 5,
) -> list[Similar]:
    """Proposals most like a stored proposal (by id) or a draft's text, the proposal itself left out.

    For the proposal page, the staff review screen (before 立案 or 并案) and the submission form.
    """
    exclude: tuple[str, ...] = ()
    if proposal_id is not None:
        text = proposal_text(session=session, proposal_id=proposal_id)
        exclude = (proposal_group(proposal_id),)
    if not text or not text.strip():
        return []
    return backend.more_like_this(
        text, viewer=viewer, types={UnitType.PROPOSAL}, exclude_groups=exclude, limit=limit
    )


def related_clauses(
    *,
    session: Session,
    backend: SearchBackend,
    suggestion_id: int | None = None,
    text: str | None = None,
    limit: int = 3,
) -> list[Similar]:
    """Reference clauses most related to a suggestion (by id) or a text: for the reply editor."""
    if suggestion_id is not None:
        suggestion = session.get(Suggestion, suggestion_id)
        text = suggestion.text if suggestion is not None else None
    if not text or not text.strip():
        return []
    # The library is public: the anonymous viewer sees all of it.
    return backend.more_like_this(text, viewer=ANONYMOUS, types={UnitType.CLAUSE}, limit=limit)


def related_clauses_by_suggestion(
    *, session: Session, backend: SearchBackend, proposal_id: int, limit: int = 3
) -> dict[int, list[Similar]]:
    """For each top-level suggestion of a proposal, the clauses most related to it."""
    suggestions = session.exec(
        select(Suggestion)
        .where(Suggestion.proposal_id == proposal_id, col(Suggestion.parent_id).is_(None))
        .order_by(col(Suggestion.position))
    ).all()
    return {
        s.id: related_clauses(session=session, backend=backend, text=s.text, limit=limit)
        for s in suggestions
        if s.id is not None
    }
