"""Public pages kept rendered per process until the archive changes.

The home page, the proposal lists, the library and search results look the same to every visitor
who is not logged in, and most requests of the public are for the same few of them. A rendered
page is kept under its URL, the locale, the archive's generation and the search index's generation:
every commit that changes what these pages show (a proposal, its replies, publication, a session, an
agency, a reference document) bumps the archive's generation in the database in the same transaction
(tracker/generation.py), so no server serves a page after the data under it changed, whichever server
made the change; and this server's index generation moves when its index does. A scheduled
publication changes what they show without any commit: the key also holds the latest publication
moment already come (tracker.services.visibility.publication_mark), which moves on the moment a
scheduled one comes, so a page is not served without it afterwards. Nothing personal is kept or
served: requests of logged-in users, requests with a flash message waiting, and responses that set a
cookie pass by the cache. The one form every page holds (the language switch, issue 15) carries the
visitor's CSRF token: the page is kept with a placeholder in its place, and each visitor served from
the cache gets their own token there, so a kept page never hands one visitor's token to another.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from tracker import generation
from tracker.db import get_session
from tracker.search import get_backend
from tracker.services.visibility import publication_mark

CACHED_ENDPOINTS = frozenset({"home.index", "proposals.index", "library.index", "search.index"})
HEADER = "X-Page-Cache"  # "hit" or "miss": what the cache did with a request it could serve

_EXTENSION_KEY = "tracker.page_cache"
_SESSION_BEFORE = "tracker.page_cache.session"  # the session as the request found it, but its CSRF token
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"  # never in a rendered page: NUL is not valid HTML text


class PageCache:
    """A bounded LRU of rendered responses: (status, mimetype, body) by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], tuple[int, str, bytes]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> tuple[int, str, bytes] | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple[Any, ...], page: tuple[int, str, bytes]) -> None:
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def _key() -> tuple[Any, ...] | None:
    """The cache key of this request, or None when it must not be cached."""
    if request.method != "GET" or request.endpoint not in CACHED_ENDPOINTS:
        return None
    if current_user.is_authenticated or session.get("_flashes"):
        return None
    db = get_session()
    mark = publication_mark(session=db)
    return (request.full_path, str(get_locale()), generation.current(db), get_backend().generation(), mark)


def _serve() -> Response | None:
    key = _key()
    if key is None:
        return None
    page = request_cache().get(key)
    request.environ[_EXTENSION_KEY] = key
    request.environ[_SESSION_BEFORE] = _session_but_token()
    if page is None:
        return None
    status, mimetype, body = page
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, generate_csrf().encode())
    response = Response(body, status=status, mimetype=mimetype)
    response.headers[HEADER] = "hit"
    return response


def _keep(response: Response) -> Response:
    key = request.environ.get(_EXTENSION_KEY)
    if key is None or response.headers.get(HEADER) == "hit":
        return response
    response.headers[HEADER] = "miss"
    # A session changed by anything but a new CSRF token means the page was made for this visitor.
    personal = session.modified and _session_but_token() != request.environ.get(_SESSION_BEFORE)
    if response.status_code == 200 and "Set-Cookie" not in response.headers and not personal:
        body = response.get_data()
        token = g.get(_csrf_field())
        if token:
            body = body.replace(token.encode(), CSRF_PLACEHOLDER)
        request_cache().put(key, (response.status_code, response.mimetype or "text/html", body))
    return response


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _session_but_token() -> dict[str, Any]:
    field = _csrf_field()
    return {k: v for k, v in session.items() if k != field}


def request_cache() -> PageCache:
    return current_app.extensions[_EXTENSION_KEY]


def skip() -> None:
    """Keep this request's page out of the cache (it shows a passing state, such as an index
    still being checked)."""
    request.environ.pop(_EXTENSION_KEY, None)


def init_app(app: Flask) -> None:
    size = int(app.config.get("PAGE_CACHE_SIZE", 0))
    if size <= 0:
        return
    app.extensions[_EXTENSION_KEY] = PageCache(size)
    app.before_request(_serve)
    app.after_request(_keep)
