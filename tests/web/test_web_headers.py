"""Security headers (issue 11, item 3): every response carries them, whatever it is (page, JSON,
Word file, CSV, static file, redirect, error page), for the public and for logged-in roles."""

from __future__ import annotations

import pytest
from flask import Flask

EXPECTED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

# (who, method, url, status): HTML, JSON, .docx, CSV, static files, redirects and error pages.
ROUTES = [
    (None, "GET", "/", 200),
    (None, "GET", "/proposals", 200),
    (None, "GET", "/proposals/1", 200),
    (None, "GET", "/proposals/1/similar", 200),
    (None, "GET", "/replies/1", 200),
    (None, "GET", "/replies/1/letter.docx", 200),
    (None, "GET", "/proposals/1/form.docx", 200),
    (None, "GET", "/library", 200),
    (None, "GET", "/library/beijing-sme-plan-2011-2015", 200),
    (None, "GET", "/search?q=%E5%9F%B9%E8%AE%AD", 200),
    (None, "GET", "/api/search?q=%E5%9F%B9%E8%AE%AD", 200),
    (None, "GET", "/statistics", 200),
    (None, "GET", "/statistics/summary.csv", 200),
    (None, "GET", "/static/css/app.css", 200),
    (None, "GET", "/static/js/similar.js", 200),
    (None, "GET", "/login", 200),
    (None, "GET", "/review", 302),  # to the login page
    (None, "POST", "/logout", 303),
    (None, "GET", "/no-such-page", 404),
    (None, "GET", "/proposals/999999", 404),
    (None, "PUT", "/login", 405),
    ("member", "GET", "/my", 200),
    ("member", "GET", "/my/proposals/new", 200),
    ("agency", "GET", "/inbox", 200),
    ("agency", "GET", "/review", 403),
    ("staff", "GET", "/review", 200),
    ("staff", "GET", "/review/1", 200),
    ("staff", "GET", "/review/overdue", 200),
]


@pytest.mark.parametrize("header", sorted(EXPECTED))
@pytest.mark.parametrize(("who", "method", "url", "status"), ROUTES)
def test_every_response_carries_the_header(
    client, login, header: str, who: str | None, method: str, url: str, status: int
) -> None:
    if who:
        login(client, who)
    response = client.open(url, method=method)
    response.close()  # static files are streamed from an open file
    assert response.status_code == status
    assert response.headers.get(header) == EXPECTED[header]
    assert len(response.headers.getlist(header)) == 1


@pytest.mark.parametrize("header", sorted(EXPECTED))
def test_server_errors_and_csrf_refusals_carry_them_too(app: Flask, header: str) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers.get(header) == EXPECTED[header]
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/login", data={"username": "staff", "password": "staff-demo"})
    assert refused.status_code == 400
    assert refused.headers.get(header) == EXPECTED[header]


def test_the_policy_allows_no_inline_script_or_style() -> None:
    policy = EXPECTED["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    ("url", "production", "sent"),
    [
        ("http://localhost/", False, False),  # development over http: a browser would ignore it
        ("https://localhost/", False, True),
        ("http://localhost/", True, True),  # production (behind an HTTPS proxy)
        ("https://localhost/static/css/app.css", False, True),
    ],
)
def test_hsts_over_https_and_in_production(app: Flask, url: str, production: bool, sent: bool) -> None:
    if production:
        app.config["TRACKER_ENV"] = "production"
    response = app.test_client().get(url)
    response.close()
    assert ("Strict-Transport-Security" in response.headers) == sent
    if sent:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_can_be_turned_off(app: Flask) -> None:
    app.config["HSTS_SECONDS"] = 0
    assert "Strict-Transport-Security" not in app.test_client().get("https://localhost/").headers


def test_pages_have_no_inline_script_or_style(client, login) -> None:
    """What the policy would block: nothing of ours may need it."""
    login(client, "staff")
    for url in ("/", "/proposals/1", "/replies/1", "/statistics", "/review", "/review/1", "/library"):
        html = client.get(url).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, url
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), (url, tag[:80])
