"""Template helpers for precedents and clause citations (issue 16): the reply editor's panel beside
each suggestion (tracker/templates/reply_editor/_precedents.html), the clauses on the proposal page
and on the letter page; and reading the editor form's citations and copy button.

Search is a help on these pages, never a reason to lose them: if it fails, they show without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from werkzeug.datastructures import MultiDict

from tracker import generation
from tracker.db import get_session
from tracker.models import Proposal, Suggestion
from tracker.search import get_backend
from tracker.services import precedents
from tracker.services import search as search_service
from tracker.services.precedents import ClauseRef, Precedent, Source
from tracker.services.proposals import suggestions_of
from tracker.services.replies import ReplyLetter
from tracker.web.auth import current_viewer
from tracker.web.page_cache import PageCache

log = logging.getLogger(__name__)

_FRAGMENTS = "tracker.related_clauses"  # rendered fragments, see related_clauses_html
NOT_A_CLAUSE = -1  # a ticked value that is no clause id: refused by the service like an unknown one


def cited_from(form: MultiDict[str, str], suggestions: list[Suggestion]) -> dict[int, list[int]]:
    """Suggestion id -> clause ids ticked under its answer, for the suggestions whose list of
    clauses was on the page (``cites-<id>``): unticking every box clears them; others keep theirs."""
    cited: dict[int, list[int]] = {}
    for s in suggestions:
        if s.id is None or not form.get(f"cites-{s.id}"):
            continue
        values = form.getlist(f"cite-{s.id}")
        cited[s.id] = [int(v) if v.isdigit() and len(v) < 12 else NOT_A_CLAUSE for v in values]
    return cited


@dataclass
class EditorAids:
    """What the editor shows beside each suggestion besides its related clauses."""

    precedents: dict[int, list[Precedent]] = field(default_factory=dict)
    cited: dict[int, list[int]] = field(default_factory=dict)  # suggestion id -> clause ids ticked
    refs: dict[int, ClauseRef] = field(default_factory=dict)  # clause id -> link (cited ones)
    sources: dict[int, list[Source]] = field(default_factory=dict)  # precedents copied, per suggestion


def editor_aids(editor: Any, page: Any) -> EditorAids:
    session, viewer = get_session(), current_viewer()
    draft_id = editor.draft.id if editor.draft else None
    if request.method == "POST" and page.mode == "sections":
        # a form shown again shows the boxes as ticked, over what the draft holds
        stored = precedents.draft_citations(session=session, draft_id=draft_id)
        cited = {**stored, **cited_from(request.form, editor.suggestions)}
    else:
        cited = precedents.draft_citations(session=session, draft_id=draft_id)
    aids = EditorAids(cited=cited, sources=precedents.sources_of(session=session, draft_id=draft_id))
    aids.refs = precedents.clause_refs(
        session=session, clause_ids={c for ids in cited.values() for c in ids if c > 0}
    )
    if editor.locked or page.mode != "sections":
        return aids
    try:
        backend = get_backend()
        for suggestion in editor.suggestions:
            aids.precedents[suggestion.id] = precedents.precedents_for(
                session=session, backend=backend, viewer=viewer, suggestion=suggestion
            )
    except Exception:  # the search index is a help here, never a reason to lose the editor
        log.exception("precedents for proposal %s", editor.proposal.id)
    return aids


def clause_id(unit: Any) -> int | None:
    """The clause id of a related-clause hit (units keyed "c<id>")."""
    key = getattr(unit, "key", "")
    return int(key[1:]) if key[:1] == "c" and key[1:].isdigit() else None


@dataclass
class ProposalClauses:
    cited: dict[int, list[ClauseRef]] = field(default_factory=dict)  # reply point id -> clauses


def proposal_clauses(detail: Any) -> ProposalClauses:
    """For the proposal page: the clauses each answer shown cites (stored rows, no search; the
    clauses each suggestion relates to come after the page, from ``related_clauses_html``)."""
    point_ids = {answer.point.id for row in detail.rows for answer in row.answers}
    return ProposalClauses(cited=precedents.point_citations(session=get_session(), point_ids=point_ids))


def related_clauses_html(proposal: Proposal) -> str:
    """The proposal page's related clauses, one block per suggestion, as the fragment the page
    fetches after it is shown (static/js/clauses.js): one more-like-this search a suggestion was
    most of a first view's time (121 ms against 35 ms without, 1,000 proposals).

    What a suggestion relates to depends on its text and the public library alone, so it is the
    same for every visitor who may open the proposal: kept rendered under the archive's generation
    (bumped in the transaction of every write to a proposal or the library, whichever server made
    it) and this server's index generation, so no server serves it after the data under it moved."""
    session, backend = get_session(), get_backend()
    key = (proposal.id, str(get_locale()), generation.current(session), backend.generation())
    cache: PageCache = current_app.extensions[_FRAGMENTS]
    kept = cache.get(key)
    if kept is not None:
        return kept[2].decode()
    suggestions = suggestions_of(session=session, proposal_id=proposal.id or 0, top_level=True)
    try:
        related = [
            (s, search_service.related_clauses(session=session, backend=backend, text=s.text))
            for s in suggestions
        ]
    except Exception:  # the page stands without them; not kept, so the next view tries again
        log.exception("related clauses for proposal %s", proposal.id)
        return ""
    html = render_template("proposals/_related_clauses.html", related=related)
    cache.put(key, (200, "text/html", html.encode()))
    return html


def letter_citations(letter: ReplyLetter) -> dict[int, list[ClauseRef]]:
    """For the letter page: reply point id -> the clauses it cites."""
    return precedents.point_citations(session=get_session(), point_ids=[p.point.id for p in letter.points])


def init_app(app: Flask) -> None:
    app.extensions[_FRAGMENTS] = PageCache(int(app.config.get("RELATED_CLAUSES_CACHE_SIZE", 2000)))
    app.add_template_global(editor_aids)
    app.add_template_global(proposal_clauses)
    app.add_template_global(letter_citations)
    app.add_template_global(clause_id)
