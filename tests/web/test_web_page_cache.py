"""Public pages are served from the page cache until the archive changes, and nothing personal is."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tests.conftest import TestDatabase, close_app, make_app
from tracker.models import Proposal
from tracker.web.page_cache import HEADER, request_cache

PUBLIC = ["/", "/proposals", "/proposals?page=1", "/library", "/search?q=培训"]


@pytest.mark.parametrize("url", PUBLIC)
def test_a_public_page_is_rendered_once_then_served_as_it_was(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    second = client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers[HEADER], second.headers[HEADER]) == ("miss", "hit")
    # the same page but the CSRF token of the language switch, signed afresh for each request
    assert _without_token(second.get_data()) == _without_token(first.get_data())
    assert second.mimetype == "text/html"


def _without_token(page: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", page)


def test_a_change_to_the_archive_is_shown_at_once(client: FlaskClient, session: Session) -> None:
    assert client.get("/proposals").headers[HEADER] == "miss"
    assert client.get("/proposals").headers[HEADER] == "hit"
    proposal = session.get(Proposal, 1)
    proposal.title = "关于扶持小微企业发展的提案（修订稿）"
    session.commit()  # the commit updates the search index: a new generation
    page = client.get("/proposals")
    assert page.headers[HEADER] == "miss"
    assert "修订稿" in page.get_data(as_text=True)
    found = client.get("/search?q=修订稿")
    assert found.headers[HEADER] == "miss" and "修订稿" in found.get_data(as_text=True)


def test_pages_of_logged_in_users_are_neither_served_nor_kept(client: FlaskClient, app: Flask, login) -> None:
    client.get("/")
    assert client.get("/").headers[HEADER] == "hit"
    with app.app_context():
        kept = len(request_cache())
    login(client, "staff")
    for url in ("/", "/proposals", "/search?q=培训"):
        response = client.get(url)
        assert response.status_code == 200 and HEADER not in response.headers
        assert "staff" in response.get_data(as_text=True) or "退出" in response.get_data(as_text=True)
    with app.app_context():
        assert len(request_cache()) == kept


def test_a_waiting_flash_message_is_shown_not_a_kept_page(client: FlaskClient) -> None:
    client.get("/")
    with client.session_transaction() as cookie:
        cookie["_flashes"] = [("message", "已退出登录")]
    response = client.get("/")
    assert HEADER not in response.headers
    assert "已退出登录" in response.get_data(as_text=True)


def test_proposal_pages_and_posts_are_not_cached(client: FlaskClient) -> None:
    for _ in range(2):
        assert HEADER not in client.get("/proposals/1").headers
    assert HEADER not in client.post("/search").headers


def test_the_cache_keeps_only_its_size_and_can_be_turned_off(test_database: TestDatabase) -> None:
    db = test_database
    small = make_app(db, PAGE_CACHE_SIZE=2)
    try:
        client = small.test_client()
        for url in ("/", "/proposals", "/library"):
            client.get(url)
        with small.app_context():
            assert len(request_cache()) == 2
        assert client.get("/").headers[HEADER] == "miss"  # the oldest went first
    finally:
        close_app(small)
    off = make_app(db, PAGE_CACHE_SIZE=0)
    try:
        client = off.test_client()
        assert all(HEADER not in client.get("/").headers for _ in range(2))
    finally:
        close_app(off)


def test_a_change_made_on_another_server_is_shown_at_once(app: Flask, tmp_path) -> None:
    """Two app servers on one database, each with its own index and cache: a proposal renamed on one
    is shown renamed on the other's public pages at once."""
    import shutil

    from tracker.db import get_engine

    shutil.copytree(app.config["SEARCH_INDEX_DIR"], tmp_path / "index-b")
    other = make_app(TestDatabase(url=app.config["DATABASE_URL"], index=tmp_path / "index-b", name="b"))
    try:
        b = other.test_client()
        assert b.get("/proposals").headers[HEADER] == "miss"
        shown = b.get("/proposals")
        assert shown.headers[HEADER] == "hit" and "小型微型企业" in shown.get_data(as_text=True)
        with Session(get_engine(app)) as on_a:  # server A renames it (A's own index follows)
            on_a.get(Proposal, 1).title = "关于扶持小微企业发展的提案（修订稿）"
            on_a.commit()
        after = b.get("/proposals")
        assert after.headers[HEADER] == "miss"
        assert "修订稿" in after.get_data(as_text=True)
        assert "修订稿" in b.get("/").get_data(as_text=True)
    finally:
        close_app(other)
