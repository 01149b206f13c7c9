"""Shared set-up for the browser tests: the app served on a free loopback port, Debian's chromium
driven by Playwright, a folder for screenshots, and logging in and out as a person would."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _ReadWhole:
    """Each response read whole (and its iterable closed) before the dev server sends it.

    Chromium cancels requests it no longer needs (the favicon's, on a quick navigation); when the
    connection drops, werkzeug's dev server can raise before closing the response, so a static
    file's handle is left to the garbage collector, and the suite's warnings-as-errors then fail
    whichever test was running (seen once in CI: an unclosed static/favicon.svg)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        chunks = self.app(environ, start_response)
        try:
            return [b"".join(chunks)]
        finally:
            if hasattr(chunks, "close"):
                chunks.close()


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, on its own migrated and seeded copy of the database."""
    app.config["WTF_CSRF_ENABLED"] = True
    httpd = make_server("127.0.0.1", 0, _ReadWhole(app), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


@pytest.fixture
def browser():
    # Not a skip: CI installs chromium (`make browser`), and a missing one must fail the run.
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium fonts-wqy-microhei)"
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TRACKER_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def _log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()


@pytest.fixture
def log_in():
    """``log_in(page, base, username, password)``: through the login form, as a person would."""
    return _log_in


@pytest.fixture
def log_out():
    """``log_out(page)``: the header's logout button."""
    return _log_out
