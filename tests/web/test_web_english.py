"""Every page in English (issue 15 acceptance): no Chinese UI text left, and Chinese back on switching.

Every row of the route table (tests/web/test_web_routes.py) is asked for by every role, in English
(a redirect is followed, so the flash message it leaves is read too), then again after switching
back. What may stay Chinese on an English page is the archive's own data: proposals, replies, names
of people, agencies, sessions and categories, the library. Rather than list such strings by hand,
the test reads every text value stored in the database once the rows have run (and what the rows'
forms type in) and allows a run of Chinese only where that exact run, with the digits and capitals
around it, occurs in the data: a UI string left untranslated, a Chinese date (2026年12月2日) or a
label made in code is in no row, so it is caught whatever the data. Allowed by rule instead: a 案号
(第12号, written as the committee writes it), what a form holds for editing (input values,
textareas: the letter being drafted is Chinese), and elements the page marks lang="zh-CN" (the
letter's salutation, the switch's "中文").
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, SQLModel

from tracker.db import get_engine

_spec = importlib.util.spec_from_file_location("route_table", Path(__file__).with_name("test_web_routes.py"))
assert _spec is not None and _spec.loader is not None
route_table = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("route_table", route_table)  # dataclasses look their module up there
_spec.loader.exec_module(route_table)
scene = route_table.scene  # the route table's fixture: proposals in every situation

CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
# A run of Chinese with the digits and Latin capitals around it (a date, a prefixed 案号).
RUN = re.compile(rf"[0-9A-Z{CJK}]*[\u3400-\u9fff][0-9A-Z{CJK}]*")
CASE_NUMBER = re.compile(r"^第[A-Z]*\d+号$")
READABLE = ("title", "aria-label", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The text a reader of the page meets: its text and readable attributes, but not what a form
    holds for editing (input values, textareas: the data being edited), nor scripts and styles,
    nor what the page itself marks as Chinese (lang="zh-CN": the letter's own words, the "中文"
    of the language switch)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    def _skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        skipped = tag in {"script", "style", "textarea"} or values.get("lang") == "zh-CN"
        if not skipped and not self._skipping():
            self.texts.extend(values[name] for name in READABLE if name in values)
            if tag in {"input", "button"} and values.get("type") in {"submit", "button"}:
                self.texts.append(values.get("value", ""))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.texts.append(data)


def data_corpus(app: Flask, typed: list[str]) -> str:
    """Every text stored in the database, and what the rows' forms type in (a form that fails comes
    back as typed), one after the other."""
    parts: list[str] = list(typed)
    with Session(get_engine(app)) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).all():
                for value in row:
                    if isinstance(value, str):
                        parts.append(value)
                    elif isinstance(value, dict | list):
                        parts.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(parts)


def chinese_ui(html: str, corpus: str) -> list[str]:
    """Runs of Chinese a reader meets on the page that are no data of the archive."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return [run for text in parser.texts for run in RUN.findall(text) if not _is_data(run, corpus)]


def _is_data(run: str, corpus: str) -> bool:
    if CASE_NUMBER.match(run):
        return True
    if len(run) == 1:  # one character (类, 年) occurs inside much data: it must be a whole value's run
        return run in _runs(corpus)
    return run in corpus  # a longer run may be a piece of data (a highlighted word, a cut excerpt)


_RUNS: dict[int, frozenset[str]] = {}


def _runs(corpus: str) -> frozenset[str]:
    key = hash(corpus)
    if key not in _RUNS:
        _RUNS[key] = frozenset(RUN.findall(corpus))
    return _RUNS[key]


def _requests(role: str, scene_ids: dict[str, int]):
    for row in route_table.ROWS:
        if row.endpoint in {"static", "favicon", "language.switch"} or row.url.endswith((".docx", ".csv")):
            continue
        yield (
            row,
            row.url.format(**scene_ids),
            {k: v.format(**scene_ids) for k, v in (row.data or {}).items()},
        )


def _switch(client, locale: str) -> None:
    response = client.post("/language", data={"locale": locale, "next": "/"})
    assert response.status_code == 303


@pytest.mark.parametrize("role", route_table.ROLES)
def test_every_page_speaks_english_and_chinese_again_after_switching_back(
    app: Flask, client, login, scene: dict[str, int], role: str
) -> None:
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    typed = [v for row in route_table.ROWS for v in (row.data or {}).values()]
    before = data_corpus(app, typed)
    english: dict[str, str] = {}
    for locale in ("en", "zh_CN"):
        if role != "anon":
            login(client, role)
        _switch(client, locale)  # kept on the account (and in the cookie) for the rows that follow
        for row, url, data in _requests(role, scene):
            if row.endpoint not in registered:
                continue
            if role != "anon":
                login(client, role)  # again before each row: one of them logs out
            response = client.get(url) if row.method == "GET" else client.post(url, data=data)
            if response.status_code in (301, 302, 303):
                response = client.get(response.headers["Location"])  # with the flash message it left
            if response.mimetype != "text/html":
                response.close()  # a file sent from disk (the API docs' assets) holds it open
                continue
            html = response.get_data(as_text=True)
            if locale == "en":
                assert '<html lang="en">' in html or "<html" not in html, url  # or a fragment
                english[f"{row.method} {url}"] = html
            else:
                if "<html" in html:
                    assert '<html lang="zh-CN">' in html, url
                    assert "提案办理追踪" in html, url  # the Chinese UI again, not only Chinese data
    # The posts added rows of their own (titles, notes): their text is data too.
    corpus = before + "\n" + data_corpus(app, typed)
    leftovers = {
        page: sorted(set(runs)) for page, html in english.items() if (runs := chinese_ui(html, corpus))
    }
    assert len(english) > 10
    assert leftovers == {}
