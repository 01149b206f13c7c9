"""Atom feeds (issue 15): the proposals list (and so an agency, a category or a session), a search,
and each saved search or follow under its unguessable token, so a feed reader needs no login.

Every feed shows what the anonymous pages show and nothing else, whoever asks: the lists through
the page queries' visibility rule, a search through the backend as the anonymous visitor. Text goes
in as text (feedgen escapes it); characters XML cannot carry are dropped rather than failing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from tracker.db import get_session
from tracker.models import Agency, Category, Meeting, ProposalStatus
from tracker.search import get_backend
from tracker.services import follows
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import now as visibility_now
from tracker.web.args import choice_arg, id_arg
from tracker.web.labels import meeting_label
from tracker.web.search import _filters, _query

bp = Blueprint("feeds", __name__)
log = logging.getLogger(__name__)

MIMETYPE = "application/atom+xml"
# XML 1.0 has no place for these (lxml refuses them): a stray one in an imported text must not
# cost the whole feed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def entry_title(item: follows.FeedItem) -> str:
    return f"{item.case} {item.title}" if item.case else item.title


def atom(*, title: str, alternate: str, items: Sequence[follows.FeedItem]) -> Response:
    """An Atom document of these items (newest first as given); ``alternate`` is the page it follows."""
    feed = FeedGenerator()
    self_url = request.url
    feed.id(self_url)
    feed.title(_text(title))
    feed.link(href=alternate, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type=MIMETYPE)
    feed.author({"name": _("Proposal Tracker")})
    feed.language(str(get_locale() or "zh_CN").replace("_", "-"))
    feed.generator("Proposal Tracker")
    feed.updated(max((i.published_at for i in items), default=datetime(2000, 1, 1, tzinfo=UTC)))
    for item in items:
        link = url_for("proposals.detail", proposal_id=item.proposal_id, _external=True)
        entry = feed.add_entry(order="append")
        entry.id(link)
        entry.title(_text(entry_title(item)))
        entry.link(href=link, rel="alternate", type="text/html")
        entry.published(item.published_at)
        entry.updated(item.published_at)
        if item.case:
            # the 案号 also as a category, for readers that sort or filter by it
            entry.category({"term": _text(item.case), "label": _("Proposal number")})
        entry.summary(_text(item.summary) or _text(item.title))
    return Response(feed.atom_str(pretty=True), mimetype=MIMETYPE)


def _link_title(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


@bp.get("/proposals/feed.atom")
def proposals() -> Response:
    """The proposals list's feed, with its filters: ``session``, ``agency`` (the replying office),
    ``status``, and ``category`` (a category's id). A filter naming nothing gives an empty feed,
    as the list shows nothing for it."""
    session = get_session()
    meeting_id, agency_id, category_id = id_arg("session"), id_arg("agency"), id_arg("category")
    status = choice_arg("status", (s.value for s in ProposalStatus))
    names: list[str] = []
    category: str | None = None
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        names.append(meeting_label(meeting) if meeting is not None else "")
    if agency_id is not None:
        agency = session.get(Agency, agency_id)
        names.append(agency.name if agency is not None else "")
    found = session.get(Category, category_id) if category_id is not None else None
    if found is not None:
        category = found.name
        names.append(found.name)
    items = (
        []
        if category_id is not None and found is None  # an unknown category lists nothing
        else follows.public_items(
            session=session,
            now=visibility_now(),
            meeting_id=meeting_id,
            agency_id=agency_id,
            category=category,
            status=status,
        )
    )
    page_args: dict[str, Any] = {"session": meeting_id, "agency": agency_id, "status": status}
    return atom(
        title=_link_title(_("Proposals"), *names),
        alternate=url_for("proposals.index", _external=True, **{k: v for k, v in page_args.items() if v}),
        items=items,
    )


@bp.get("/search/feed.atom")
def search() -> Response:
    """A search's feed: the newest public proposals it finds (its words and facet filters)."""
    q, filters = _query(), _filters()
    ids = _search_ids(q, filters) if q or filters else []
    args: dict[str, Any] = {"q": q} if q else {}
    args.update({k: list(v) for k, v in filters.items()})
    return atom(
        title=_link_title(_("Search"), q),
        alternate=url_for("search.index", _external=True, **args),
        items=follows.items_of(session=get_session(), proposal_ids=ids, now=visibility_now()),
    )


@bp.get("/feeds/<token>.atom")
def follow(token: str) -> Response:
    """The feed of a saved search or a follow, by the token in its address (no login)."""
    session = get_session()
    row = follows.by_token(session=session, token=token)
    if row is None:
        abort(404)
    if row.kind == "search":
        args: dict[str, Any] = {"q": row.query} if row.query else {}
        args.update(row.filters)
        alternate = url_for("search.index", _external=True, **args)
        items = follows.items_of(
            session=session, proposal_ids=_search_ids(row.query, row.filters), now=visibility_now()
        )
    else:
        key = {"agency": "agency", "session": "session"}.get(row.kind)
        alternate = url_for("proposals.index", _external=True, **({key: row.target_id} if key else {}))
        items = follows.follow_items(session=session, backend=get_backend(), row=row, now=visibility_now())
    return atom(title=row.name, alternate=alternate, items=items)


def _search_ids(q: str, filters: Mapping[str, Sequence[str]]) -> list[int]:
    """As the search page: an index that fails to answer gives 503 and is checked again."""
    keeper = get_keeper(current_app)
    keeper.wait_ready()
    try:
        return follows.search_ids(
            backend=get_backend(), query=q, filters=filters, pages=1, page_size=follows.FEED_SIZE
        )
    except Exception:
        log.exception("search failed; checking the index")
        keeper.repair()
        abort(503)
