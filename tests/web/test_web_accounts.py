"""Logging in and out: where each role lands, failed attempts, the rate limit, cookie flags, safe
redirects, and the production settings that refuse a development secret key."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from tracker import create_app
from tracker.config import ConfigError
from tracker.services.accounts import set_password


@pytest.mark.parametrize(
    ("username", "password", "start"),
    [
        ("member", "member-demo", "/my"),
        ("agency", "agency-demo", "/inbox"),
        ("staff", "staff-demo", "/review"),
        ("admin", "admin-demo", "/review"),
    ],
)
def test_each_demo_account_logs_in_to_its_work(client, username: str, password: str, start: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 303 and response.headers["Location"] == start
    page = client.get(start)
    assert page.status_code == 200
    assert "退出登录" in page.get_data(as_text=True)


def test_wrong_password_says_so_and_keeps_the_username(client) -> None:
    response = client.post("/login", data={"username": "staff", "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "用户名或密码错误" in html
    assert 'value="staff"' in html
    assert client.get("/review").status_code == 302  # not logged in


def test_login_is_rate_limited_per_address(client) -> None:
    for _ in range(5):
        assert client.post("/login", data={"username": "staff", "password": "nope"}).status_code == 200
    blocked = client.post("/login", data={"username": "staff", "password": "staff-demo"})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    other = client.post(
        "/login",
        data={"username": "staff", "password": "staff-demo"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert other.status_code == 303


def test_successful_logins_do_not_use_up_the_limit(client) -> None:
    for _ in range(7):
        assert client.post("/login", data={"username": "staff", "password": "staff-demo"}).status_code == 303
        client.post("/logout")


def test_session_cookie_is_http_only_and_same_site(client) -> None:
    response = client.post("/login", data={"username": "staff", "password": "staff-demo"})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over http; production sets it (below)


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/proposals", "/proposals"),
        ("//evil.example/x", "/review"),
        ("https://evil.example/", "/review"),
        ("/\\evil.example", "/review"),
        # browsers drop tab/CR/LF and read "\\" as "/": each of these would leave the site
        ("/\t/evil.example", "/review"),
        ("/%09/evil.example", "/%09/evil.example"),  # escaped: a path of this site, as the browser reads it
        ("\\\\evil.example/x", "/review"),
        ("/\\/evil.example", "/review"),
        ("/\r\n/evil.example", "/review"),
        ("\t//evil.example", "/review"),
        ("https:/evil.example", "/review"),
        ("javascript:alert(1)", "/review"),
        ("/\nLocation: https://evil.example", "/review"),  # was a 500 (newline in a header)
        ("/proposals\x00", "/review"),
        ("/\x7f/evil.example", "/review"),
        ("/" + "a" * 5000, "/review"),
        ("/proposals?status=replied", "/proposals?status=replied"),
        ("/proposals/1#s3", "/proposals/1#s3"),
        ("/search?q=%E5%9F%B9%E8%AE%AD", "/search?q=%E5%9F%B9%E8%AE%AD"),
    ],
)
def test_login_only_redirects_within_the_site(client, next_url: str, landing: str) -> None:
    response = client.post(
        "/login", query_string={"next": next_url}, data={"username": "staff", "password": "staff-demo"}
    )
    assert response.headers["Location"] == landing


def test_role_pages_send_anonymous_visitors_to_the_login_page(client) -> None:
    response = client.get("/review/overdue?page=2")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/review/overdue?page=2"]}
    assert "请先登录" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "raw_next", ["/%09/evil.example", "/%0A/evil.example", "%0D%0A//evil.example", "/%00"]
)
def test_a_next_with_control_characters_is_refused_cleanly(client, raw_next: str) -> None:
    """As the attacker wrote it (the issue's probe): the characters arrive unescaped."""
    response = client.post(f"/login?next={raw_next}", data={"username": "staff", "password": "staff-demo"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/review"


def test_a_huge_address_is_not_copied_into_the_login_redirect(client) -> None:
    response = client.get("/review/overdue", query_string={"q": "x" * 30_000})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert len(client.get("/login", query_string={"next": "/" + "a" * 30_000}).get_data()) < 30_000


def test_the_login_form_carries_only_a_next_it_would_follow(client) -> None:
    html = client.get("/login", query_string={"next": "/\t/evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html
    html = client.get("/login", query_string={"next": "/proposals"}).get_data(as_text=True)
    assert 'action="/login?next=/proposals"' in html


def test_logout_ends_the_session(client, login) -> None:
    login(client, "staff")
    assert client.get("/review").status_code == 200
    assert client.post("/logout").headers["Location"] == "/"
    assert client.get("/review").status_code == 302


def test_a_password_change_logs_the_account_out(app: Flask, client, login, session) -> None:
    login(client, "member")
    assert client.get("/my").status_code == 200
    set_password(session=session, username="member", password="another password")
    session.commit()
    assert client.get("/my").status_code == 302


def test_an_inactive_account_is_logged_out(client, login, session) -> None:
    user = login(client, "agency")
    from tracker.models import User

    row = session.get(User, user.id)
    row.active = False
    session.commit()
    assert client.get("/inbox").status_code == 302


def test_production_refuses_the_development_secret_key(tmp_path: Path) -> None:
    quiet = {"SEARCH_INDEX_DIR": str(tmp_path / "index"), "SEARCH_CHECK_ON_START": False}
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "TRACKER_ENV": "production", **quiet}
    for key in ("dev", "", "short"):
        with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY"):
            create_app({**base, "SECRET_KEY": key})
    app = create_app({**base, "SECRET_KEY": "a-long-random-production-secret"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    development = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", **quiet})
    assert development.config["SECRET_KEY"] == "dev"
    assert development.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(("proxies", "second_client"), [(1, 303), (0, 429)])
def test_behind_a_trusted_proxy_the_limit_counts_the_client_address(
    test_database, proxies: int, second_client: int
) -> None:
    """Behind one proxy, two clients' tries count apart; without TRUSTED_PROXIES both are the proxy's
    (and a forged header is not believed)."""
    from tests.conftest import close_app, make_app

    app = make_app(test_database, TRUSTED_PROXIES=proxies, LOGIN_RATE_LIMIT="3 per minute")
    try:
        client = app.test_client()
        proxy = {"REMOTE_ADDR": "10.0.0.1"}

        def post(client_address: str, password: str) -> int:
            headers = {"X-Forwarded-For": client_address}
            data = {"username": "staff", "password": password}
            return client.post("/login", data=data, headers=headers, environ_base=proxy).status_code

        assert [post("203.0.113.5", f"wrong {n}") for n in range(3)] == [200, 200, 200]
        assert post("203.0.113.5", "staff-demo") == 429
        assert post("198.51.100.7", "staff-demo") == second_client
    finally:
        close_app(app)
