"""The search box: /search (page) and /api/search (the same search as JSON), similar proposals.

The page escapes every piece of text; only the <mark> around matches is markup (``fragment_html``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from tracker.db import get_session
from tracker.i18n import lazy_gettext as _l
from tracker.models import Meeting, ProposalStatus
from tracker.search import Facet, Fragment, GroupHit, SearchResults, Sort, UnitHit, get_backend
from tracker.search.documents import GroupFacts, UnitType
from tracker.services import search as search_service
from tracker.services.people import all_meetings
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import visible_proposal
from tracker.web import page_cache
from tracker.web.args import page_arg, require_id
from tracker.web.auth import current_viewer
from tracker.web.labels import label, meeting_label, session_name
from tracker.web.precedents import related_clauses_html

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_FILTER_VALUES = 10

UNIT_TYPE = {
    UnitType.PROPOSAL: _l("Proposal"),
    UnitType.SUGGESTION: _l("Suggestion"),
    UnitType.REPLY_POINT: _l("Reply point"),
    UnitType.REPLY: _l("Reply letter"),
    UnitType.DOCUMENT: _l("Reference document"),
    UnitType.CLAUSE: _l("Policy clause"),
}
OUTCOME = {
    "A": _l("A: solved or mostly solved"),
    "B": _l("B: being solved or planned"),
    "C": _l("C: cannot be solved for now"),
}
FACET_TITLE = {
    Facet.SESSION: _l("Session"),
    Facet.YEAR: _l("Year"),
    Facet.CATEGORY: _l("Category"),
    Facet.AGENCY: _l("Replying office"),
    Facet.OUTCOME: _l("Reply outcome"),
    Facet.STATUS: _l("Status"),
    Facet.TYPE: _l("Type"),
}


URL_SAFE = "!$'()*,/:;?@"  # what Werkzeug leaves unescaped in a query string (url_for)


# -- rendering helpers (also template filters) -----------------------------------------------------


def fragment_html(fragment: Fragment) -> Markup:
    """Escaped text with the matches in <mark>: the only markup a result carries."""
    # A results page holds some seventy fragments: joined as plain strings of escaped pieces
    # (Markup.format escapes through a Formatter, several times slower).
    return Markup(
        "".join(
            f"<mark>{escape(text)}</mark>" if marked else str(escape(text))
            for text, marked in fragment.pieces
        )
    )


def group_url(facts: GroupFacts) -> str:
    if facts.proposal_id is not None:
        return url_for("proposals.detail", proposal_id=facts.proposal_id)
    return url_for("library.document", slug=facts.slug)


def unit_url(facts: GroupFacts, unit: UnitHit) -> str:
    if unit.reply_id is not None and (unit.type == UnitType.REPLY or unit.history):
        # a letter's own text, and any point of an earlier letter: on that letter's page
        letter = url_for("replies.detail", reply_id=unit.reply_id)
        return f"{letter}#{unit.anchor}" if unit.type == UnitType.REPLY_POINT and unit.anchor else letter
    base = group_url(facts)
    return f"{base}#{unit.anchor}" if unit.anchor else base


def unit_label(unit: UnitHit) -> str:
    return str(UNIT_TYPE.get(unit.type, unit.type))


def unit_history_label(unit: UnitHit) -> str:
    """What marks a hit of an earlier letter ("" for what is in force)."""
    return str(_l("Earlier letter, superseded by a re-handling")) if unit.history else ""


def facet_label(name: str, value: str) -> str:
    if name == Facet.SESSION:
        meeting = get_session().get(Meeting, int(value)) if value.isdigit() else None
        return meeting_label(meeting) if meeting is not None else value
    if name == Facet.STATUS:
        return label("proposal_status", value)
    if name == Facet.OUTCOME:
        return str(OUTCOME.get(value, value))
    if name == Facet.TYPE:
        return str(UNIT_TYPE.get(UnitType(value), value)) if value in UnitType._value2member_map_ else value
    return value


def session_text(facts: GroupFacts) -> str:
    if facts.meeting_id is None:
        return ""
    return session_name(facts.meeting_body, facts.meeting_name, facts.year)


# -- reading the request ---------------------------------------------------------------------------


def _query(args: Any = None) -> str:
    """The query as the page reads it, from the query string or (saving a search) ``args``."""
    return " ".join((request.args if args is None else args).get("q", "").split())[:MAX_QUERY_LENGTH]


def _filters(args: Any = None) -> dict[str, tuple[str, ...]]:
    allowed: dict[str, set[str] | None] = {name.value: None for name in Facet}
    allowed[Facet.STATUS] = {s.value for s in ProposalStatus}
    allowed[Facet.TYPE] = {t.value for t in UnitType}
    allowed[Facet.OUTCOME] = set(OUTCOME)
    filters = {}
    for name, accepted in allowed.items():
        values = [
            v.strip()[:100] for v in (request.args if args is None else args).getlist(name) if v.strip()
        ]
        values = [v for v in dict.fromkeys(values) if accepted is None or v in accepted][:MAX_FILTER_VALUES]
        if values:
            filters[name] = tuple(values)
    return filters


def _history() -> bool:
    """``history=1``: earlier letters (replaced by a re-handling's) are searched too."""
    return request.args.get("history", "") in ("1", "true", "on", "yes")


def _sort() -> Sort:
    value = request.args.get("sort", "")
    return Sort(value) if value in Sort._value2member_map_ else Sort.RELEVANCE


def _run() -> tuple[search_service.SearchOutcome, bool]:
    """Search as the request asks; also whether the index had finished its start-up check.

    An index that fails to answer gives 503 and is checked again (and rebuilt if need be) in the
    background; the other pages do not depend on it.
    """
    keeper = get_keeper(current_app)
    ready = keeper.wait_ready()
    try:
        outcome = search_service.search(
            _query(),
            backend=get_backend(),
            viewer=current_viewer(),
            filters=_filters(),
            sort=_sort(),
            page=page_arg(),
            page_size=current_app.config.get("SEARCH_PAGE_SIZE", 10),
            history=_history(),
        )
    except Exception:
        log.exception("search failed; checking the index")
        keeper.repair()
        abort(503)
    return outcome, ready


def _args(
    q: str, filters: Mapping[str, tuple[str, ...]], sort: Sort, history: bool | None = None
) -> dict[str, Any]:
    """Query arguments of a results URL: only what is in use, so links stay short. ``history``
    defaults to the request's own."""
    args: dict[str, Any] = {"q": q} if q else {}
    args.update({name: list(values) for name, values in filters.items()})
    if sort != Sort.RELEVANCE:
        args["sort"] = sort.value
    if _history() if history is None else history:
        args["history"] = "1"
    return args


def _url(base: str, args: Mapping[str, Any]) -> str:
    """``base`` with ``args`` as its query string, encoded as url_for encodes them."""
    items = [(k, v) for k, values in args.items() for v in (values if isinstance(values, list) else [values])]
    return f"{base}?{urlencode(items, safe=URL_SAFE)}" if items else base


def _toggle_urls(
    base: str, q: str, filters: Mapping[str, tuple[str, ...]], sort: Sort
) -> Callable[[str, str], str]:
    """``url(name, value)``: the page's address with ``value`` of facet ``name`` toggled, the same
    string as ``_url(base, _args(q, _toggled(filters, name, value), sort))``. A results page has
    over a hundred such links; the parts that do not change are encoded once."""

    def encode(items: list[tuple[str, str]]) -> str:
        return urlencode(items, safe=URL_SAFE)

    head = encode([("q", q)]) if q else ""
    encoded = {name: encode([(name, v) for v in values]) for name, values in filters.items()}
    tail = encode(
        ([("sort", sort.value)] if sort != Sort.RELEVANCE else [])
        + ([("history", "1")] if _history() else [])
    )
    others: dict[str, tuple[str, str]] = {}  # name -> the parts before and after its own values

    def url(name: str, value: str) -> str:
        if name not in others:
            before = [head, *(encoded[k] for k in filters if k != name)]
            others[name] = ("&".join(p for p in before if p), tail)
        before, after = others[name]
        current = filters.get(name, ())
        changed = tuple(v for v in current if v != value) if value in current else (*current, value)
        own = "&".join(f"{quote_plus(name, URL_SAFE)}={quote_plus(v, URL_SAFE)}" for v in changed)
        query = "&".join(p for p in (before, own, after) if p)
        return f"{base}?{query}" if query else base

    return url


def _toggled(filters: Mapping[str, tuple[str, ...]], name: str, value: str) -> dict[str, tuple[str, ...]]:
    current = filters.get(name, ())
    changed = tuple(v for v in current if v != value) if value in current else (*current, value)
    return {**{k: v for k, v in filters.items() if k != name}, **({name: changed} if changed else {})}


# -- pages -----------------------------------------------------------------------------------------


@bp.get("/search")
def index() -> ResponseReturnValue:
    outcome, ready = _run()
    if not ready:
        page_cache.skip()
    if outcome.jump is not None:
        return redirect(group_url(outcome.jump))
    q, filters, sort = outcome.query, _filters(), _sort()
    return render_template(
        "search/results.html",
        outcome=outcome,
        results=outcome.results,
        q=q,
        filters=filters,
        sort=sort,
        ready=ready,
        args=_args(q, filters, sort),
        facet_links=_facet_links(outcome.results, q, filters, sort),
        hint_links=[(h, url_for("search.index", **_args(h.text, filters, sort))) for h in outcome.hints],
        clear_url=url_for("search.index", **_args(q, {}, sort)),
        history=_history(),
        history_url=url_for("search.index", **_args(q, filters, sort, history=not _history())),
    )


def _facet_links(
    results: SearchResults | None, q: str, filters: Mapping[str, tuple[str, ...]], sort: Sort
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(name, title, [{label, count, selected, url}]) for each facet with something to choose."""
    if results is None:
        return []
    # one URL per facet value (over a hundred on a page): built from the page's own address, as
    # url_for would, without a routing lookup each
    base = url_for("search.index")
    sessions = (
        {m.id: m for m in all_meetings(session=get_session())} if results.facets.get(Facet.SESSION) else {}
    )

    def label_of(name: Facet, value: str) -> str:
        if name == Facet.SESSION and value.isdigit() and int(value) in sessions:
            return meeting_label(sessions[int(value)])
        return facet_label(name, value)

    toggle_url = _toggle_urls(base, q, filters, sort)
    facets = []
    for name in Facet:
        values = [
            {
                "label": label_of(name, f.value),
                "count": f.count,
                "selected": f.selected,
                "url": toggle_url(name, f.value),
            }
            for f in results.facets.get(name, ())
        ]
        if values:
            facets.append((name.value, str(FACET_TITLE[name]), values))
    return facets


@bp.get("/api/search")
def api() -> ResponseReturnValue:
    outcome, ready = _run()
    if outcome.jump is not None:
        facts = outcome.jump
        return jsonify(
            query=outcome.query,
            jump={"proposal_id": facts.proposal_id, "number": facts.number, "url": group_url(facts)},
        )
    results = outcome.results
    filters, sort = _filters(), _sort()
    body: dict[str, Any] = {
        "query": outcome.query,
        "ready": ready,
        "sort": sort.value,
        "filters": {k: list(v) for k, v in filters.items()},
        "history": _history(),
        "numbered": [
            _group_json(GroupHit(facts=f, title=Fragment(((f.title, False),)), score=0.0, units=()))
            for f in outcome.numbered
        ],
        "hints": [
            {
                "query": h.text,
                "count": h.count,
                "kind": h.kind,
                "url": url_for("search.index", **_args(h.text, filters, sort)),
            }
            for h in outcome.hints
        ],
    }
    if results is not None:
        body.update(
            total=results.total,
            total_units=results.total_units,
            history_units=results.history_units,
            page=results.page,
            pages=results.pages,
            groups=[_group_json(g) for g in results.groups],
            facets={
                name: [
                    {
                        "value": f.value,
                        "label": facet_label(name, f.value),
                        "count": f.count,
                        "selected": f.selected,
                    }
                    for f in counts
                ]
                for name, counts in results.facets.items()
                if counts
            },
        )
    else:
        body.update(total=0, total_units=0, history_units=0, page=1, pages=1, groups=[], facets={})
    return jsonify(body)


def _fragment_json(fragment: Fragment) -> dict[str, str]:
    return {"text": fragment.text, "html": str(fragment_html(fragment))}


def _group_json(group: GroupHit) -> dict[str, Any]:
    facts = group.facts
    return {
        "kind": "proposal" if facts.proposal_id is not None else "document",
        "id": facts.proposal_id if facts.proposal_id is not None else facts.document_id,
        "number": facts.number,
        "session": session_text(facts),
        "status": facts.status,
        "category": facts.category,
        "agencies": list(facts.agencies),
        "title": facts.title,
        "title_html": str(fragment_html(group.title)),
        "url": group_url(facts),
        "score": round(group.score, 4),
        "unit_count": group.unit_count,
        "units": [
            {
                "type": u.type.value,
                "title": u.title.text,
                "title_html": str(fragment_html(u.title)),
                "anchor": u.anchor,
                "url": unit_url(facts, u),
                # of an earlier letter, replaced by a re-handling's (only with history=1)
                "superseded": u.history,
                "fragments": [_fragment_json(f) for f in u.fragments],
            }
            for u in group.units
        ],
    }


# -- similar proposals on the proposal page --------------------------------------------------------


@bp.get("/proposals/<int:proposal_id>/similar")
def similar(proposal_id: int) -> ResponseReturnValue:
    """The similar-proposals section of a proposal page, as a fragment the page fetches after it
    is shown: more-like-this reads much of the index, so it stays off the page's own render."""
    found = visible_proposal(
        session=get_session(), viewer=current_viewer(), proposal_id=require_id(proposal_id)
    )
    if found is None:
        abort(404)
    return render_template("search/_similar.html", proposal=found)


@bp.get("/proposals/<int:proposal_id>/clauses")
def related_clauses(proposal_id: int) -> ResponseReturnValue:
    """The policy clauses each suggestion of a proposal page relates to, as a fragment the page
    fetches after it is shown (tracker.web.precedents.related_clauses_html)."""
    found = visible_proposal(
        session=get_session(), viewer=current_viewer(), proposal_id=require_id(proposal_id)
    )
    if found is None:
        abort(404)
    return related_clauses_html(found)


def similar_proposals_for(proposal_id: int, limit: int = 5) -> list[Any]:
    """The proposals most like this one that the visitor may see (a template helper)."""
    return search_service.similar_proposals(
        session=get_session(),
        backend=get_backend(),
        viewer=current_viewer(),
        proposal_id=proposal_id,
        limit=limit,
    )


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(fragment_html)
    app.add_template_global(group_url)
    app.add_template_global(unit_url)
    app.add_template_global(unit_label)
    app.add_template_global(unit_history_label)
    app.add_template_global(session_text)
    app.add_template_global(similar_proposals_for)
