"""Every page, for every role, has unique ids: a label's ``for``, a field's ``aria-describedby`` and
the error summary's links must each point at one element (issue 11, item 13).

The pages are those of the route table in tests/web/test_web_routes.py (every GET, and every POST
that answers with a page, such as a form shown back with its errors), so a route added there is
checked here too, plus the review screen in each state, where several action forms share one page.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest


def _routes():
    # the route table's module, loaded by path: the tests are not a package
    path = Path(__file__).with_name("test_web_routes.py")
    spec = importlib.util.spec_from_file_location("_route_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


_table = _routes()
ROLES, ROWS, scene = _table.ROLES, _table.ROWS, _table.scene  # ``scene``: the table's fixture

# the review screen in every state: the action forms it holds differ
REVIEW_PAGES = [
    "/review/{foreign}",  # submitted: accept, not accept, merge
    "/review/{accepted}",  # accepted: merge, assign
    "/review/{assigned}",
    "/review/{replied}",  # replied: the reply's review (督办审核) and close
    "/proposals/{replied}",
    "/proposals/{assigned}",
]


def duplicate_ids(parse, html: str) -> dict[str, int]:
    ids = Counter(el.attrs["id"] for el in parse(html).iter() if "id" in el.attrs)
    return {i: n for i, n in ids.items() if n > 1}


def dangling_references(parse, html: str) -> list[str]:
    """``for``, ``aria-describedby``/``aria-labelledby`` and ``href="#…"`` naming no element."""
    root = parse(html)
    ids = {el.attrs["id"] for el in root.iter() if "id" in el.attrs}
    missing = []
    for el in root.iter():
        refs = [el.attrs.get("for", "")]
        refs += el.attrs.get("aria-describedby", "").split() + el.attrs.get("aria-labelledby", "").split()
        href = el.attrs.get("href", "") if el.tag == "a" else ""
        if re.fullmatch(r"#[^\s#]+", href):
            refs.append(href[1:])
        missing += [f"<{el.tag}> → {ref}" for ref in refs if ref and ref not in ids]
    return missing


def _token(client, role: str) -> str:
    """The session's CSRF token, read from a page as a browser has it."""
    html = client.get("/login" if role == "anon" else "/").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_unique_ids(app, client, login, parse_html, scene: dict[str, int], role: str) -> None:
    # with CSRF on, as in production: every form renders its token field
    app.config["WTF_CSRF_ENABLED"] = True
    wrong: dict[str, object] = {}
    seen = 0
    requests = [(row.method, row.url, row.data) for row in ROWS]
    requests += [("GET", url, None) for url in REVIEW_PAGES]
    for method, template, data in requests:
        if role != "anon":
            login(client, role)  # again before each page: a row of the table logs out
        url = template.format(**scene)
        form = {k: v.format(**scene) for k, v in (data or {}).items()}
        if method == "POST":
            form["csrf_token"] = _token(client, role)
        response = client.get(url) if method == "GET" else client.post(url, data=form)
        html = response.get_data().decode("utf-8", "replace")  # Word files are binary
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen += 1
        if found := duplicate_ids(parse_html, html):
            wrong[f"{method} {url} (dup)"] = found
        if found := dangling_references(parse_html, html):
            wrong[f"{method} {url} (ref)"] = found
    assert seen >= 10
    assert wrong == {}


def test_the_check_finds_a_duplicate(parse_html) -> None:
    html = '<p id="a"></p><label for="a"></label><textarea id="a"></textarea>'
    assert duplicate_ids(parse_html, html) == {"a": 2}
    html = '<label for="x"></label><a href="#y">y</a>'
    assert dangling_references(parse_html, html) == ["<label> → x", "<a> → y"]
