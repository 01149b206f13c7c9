"""The accounts pages of the administration (issue 12): list and search, create bound to a member or
agency, deactivate (a copied cookie is refused at once), reactivate, unlock, reset the password
(generated and shown once), change the role, end logins; every change in the admin log; and the
per-account lock-out shared by two app servers on one database."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from sqlmodel import Session, select

from tests.conftest import TestDatabase, close_app, make_app
from tracker.models import AdminChange, Agency, LoginFailure, LoginSession, User
from tracker.services import accounts

NEW = {"username": "chen", "role": "agency", "member": "", "password": "", "generate": "y"}


def _user(session: Session, name: str) -> User:
    session.expire_all()
    return session.exec(select(User).where(User.username == name)).one()


def _log(session: Session, user: User) -> list[AdminChange]:
    session.expire_all()
    return list(
        session.exec(
            select(AdminChange)
            .where(AdminChange.kind == "user", AdminChange.object_id == user.id)
            .order_by(AdminChange.id)
        ).all()
    )


def test_list_searches_by_name_role_and_status_and_shows_last_login(
    client, login, session: Session, get_page, make
) -> None:
    login(client, "agency")
    make.user(username="retired", role="staff", active=False)
    session.commit()
    login(client, "admin")
    page = get_page("/admin/users")
    rows = {r.find_all("th")[0].text(): r.text() for r in page.find_all("tbody")[0].find_all("tr")}
    assert set(rows) == {"member", "agency", "staff", "admin", "retired"}
    assert "戴培红" in rows["member"] and "镇海区经信局" in rows["agency"]
    assert "从未" not in rows["agency"] and "从未" in rows["staff"]  # the agency has logged in
    assert "已停用" in rows["retired"]

    def names(url: str) -> list[str]:
        return [r.find_all("th")[0].text() for r in get_page(url).find_all("tbody")[0].find_all("tr")]

    assert names("/admin/users?q=经信局") == ["agency"]
    assert names("/admin/users?q=戴培红") == ["member"]
    assert names("/admin/users?role=admin") == ["admin"]
    assert names("/admin/users?status=inactive") == ["retired"]
    assert "没有符合条件的账号" in get_page("/admin/users?q=nobody").text()
    get_page("/admin/users?role=king&status=odd&page=99999999999999")  # odd filters are no filter


def test_list_is_paginated(app: Flask, client, login, session: Session, get_page, make) -> None:
    for n in range(5):
        make.user(username=f"zz{n}")
    session.commit()
    app.config["ADMIN_USERS_PAGE_SIZE"] = 3
    login(client, "admin")
    second = get_page("/admin/users?q=zz&page=2")
    assert [r.find_all("th")[0].text() for r in second.find_all("tbody")[0].find_all("tr")] == ["zz3", "zz4"]
    assert second.find_all("a", rel="prev")[0].attrs["href"] == "/admin/users?page=1&q=zz"


def test_create_with_a_generated_password_shows_it_once(client, login, session: Session, parse_html) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    login(client, "admin")
    response = client.post("/admin/users/new", data={**NEW, "agency": str(agency.id)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = parse_html(response.data).by_id("new-password").text()
    assert len(password) == 19
    made = _user(session, "chen")
    assert (made.role, made.agency_id, made.active) == ("agency", agency.id, True)
    assert accounts.authenticate(session=session, username="chen", password=password) is not None
    assert password not in client.get(f"/admin/users/{made.id}").get_data(as_text=True)  # once only
    [created] = _log(session, made)
    assert created.action == "create" and password not in repr((created.before, created.after))
    log = parse_html(client.get("/admin/log?kind=user").data).text()
    assert "账号" in log and "chen" in log


def test_a_refused_account_comes_back_as_typed(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    response = client.post(
        "/admin/users/new",
        data={"username": "chen", "role": "member", "member": "", "agency": "", "password": "短密码"},
    )
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("username").attrs["value"] == "chen"
    assert page.find_all("option", value="member", selected="")  # the role chosen stays chosen
    assert "短密码" not in response.get_data(as_text=True)  # a password is never sent back
    errors = {el.attrs["id"] for el in page.find_all("ul", class_="field-errors")}
    assert errors == {"member-errors", "password-errors"}
    assert session.exec(select(User).where(User.username == "chen")).first() is None


def test_deactivation_refuses_a_copied_cookie_at_once(app: Flask, client, login, session: Session) -> None:
    """The member's browser is logged in; a copy of its cookie is taken; the admin deactivates the
    account: the next request of either copy is a visitor's, and the password no longer logs in."""
    login(client, "member")
    assert client.get("/my").status_code == 200
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/my").status_code == 200

    admin = app.test_client()
    login(admin, "admin")
    member = _user(session, "member")
    assert admin.post(f"/admin/users/{member.id}/deactivate").status_code == 303
    for browser in (client, copy):
        response = browser.get("/my")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/login", data={"username": "member", "password": "member-demo"}).status_code == 200
    [change] = _log(session, member)
    assert (change.action, change.before["active"], change.after["active"]) == ("deactivate", True, False)
    assert change.before["open_logins"] == 1  # the copy is the same login

    assert admin.post(f"/admin/users/{member.id}/reactivate").status_code == 303
    assert client.post("/login", data={"username": "member", "password": "member-demo"}).status_code == 303
    assert copy.get("/my").status_code == 302  # the old login stays ended


def test_admin_cannot_deactivate_or_demote_themself(client, login, session: Session) -> None:
    me = login(client, "admin")
    response = client.post(f"/admin/users/{me.id}/deactivate", follow_redirects=True)
    assert "不能对自己的账号" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{me.id}/role", data={"role": "staff"})
    assert response.status_code == 422
    assert _user(session, "admin").role == "admin" and _user(session, "admin").active


def test_reset_password_typed_or_generated_ends_logins(
    app: Flask, client, login, session: Session, parse_html
) -> None:
    login(client, "staff")
    admin = app.test_client()
    login(admin, "admin")
    staff = _user(session, "staff")
    response = admin.post(f"/admin/users/{staff.id}/password", data={"password": "a typed temporary"})
    assert response.status_code == 303
    assert client.get("/review").status_code == 302  # the staff member's login ended
    session.expire_all()
    assert accounts.authenticate(session=session, username="staff", password="a typed temporary")
    response = admin.post(f"/admin/users/{staff.id}/password", data={"generate": "y"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    generated = parse_html(response.data).by_id("new-password").text()
    session.expire_all()
    assert accounts.authenticate(session=session, username="staff", password=generated)
    short = admin.post(f"/admin/users/{staff.id}/password", data={"password": "short"})
    assert short.status_code == 422 and "short" not in parse_html(short.data).by_id("password").attrs.get(
        "value", ""
    )
    changes = _log(session, staff)
    assert [c.action for c in changes] == ["reset_password", "reset_password"]
    assert "a typed temporary" not in repr([(c.before, c.after) for c in changes])
    assert generated not in repr([(c.before, c.after) for c in changes])


def test_change_role_takes_effect_on_the_next_request(app: Flask, client, login, session: Session) -> None:
    """Staff promoted to admin open the administration; demoted back, they get 403 there again, and
    admins keep the staff screens."""
    login(client, "staff")
    assert client.get("/admin/users").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    staff = _user(session, "staff")
    assert admin.post(f"/admin/users/{staff.id}/role", data={"role": "admin"}).status_code == 303
    assert client.get("/admin/users").status_code == 200
    assert client.get("/review").status_code == 200  # an admin is also staff
    assert admin.post(f"/admin/users/{staff.id}/role", data={"role": "staff"}).status_code == 303
    assert client.get("/admin/users").status_code == 403
    refused = admin.post(f"/admin/users/{staff.id}/role", data={"role": "agency", "agency": ""})
    assert refused.status_code == 422 and _user(session, "staff").role == "staff"
    assert [(c.before["role"], c.after["role"]) for c in _log(session, staff)] == [
        ("staff", "admin"),
        ("admin", "staff"),
    ]


def test_admin_sees_and_ends_open_logins(app: Flask, client, login, session: Session, get_page) -> None:
    other = app.test_client()
    login(client, "agency")
    login(other, "agency")
    admin = app.test_client()
    login(admin, "admin")
    agency = _user(session, "agency")
    page = admin.get(f"/admin/users/{agency.id}")
    assert page.status_code == 200
    logins = session.exec(
        select(LoginSession).where(LoginSession.user_id == agency.id, LoginSession.ended_at.is_(None))
    ).all()
    assert len(logins) == 2
    for row in logins:
        assert f"/admin/users/{agency.id}/logins/{row.id}/end" in page.get_data(as_text=True)
    assert admin.post(f"/admin/users/{agency.id}/logins/{logins[0].id}/end").status_code == 303
    statuses = sorted([client.get("/inbox").status_code, other.get("/inbox").status_code])
    assert statuses == [200, 302]  # one browser logged out, the other still in
    assert admin.post(f"/admin/users/{agency.id}/logins/end").status_code == 303
    assert client.get("/inbox").status_code == other.get("/inbox").status_code == 302
    staff = _user(session, "staff")
    assert admin.post(f"/admin/users/{staff.id}/logins/{logins[1].id}/end").status_code == 404
    assert [c.action for c in _log(session, agency)] == ["end_login", "end_login"]


def _second_app(app: Flask, tmp_path: Path, **overrides) -> Flask:
    """Another app server on the same database file (its own process state: limiter, caches)."""
    shutil.copytree(app.config["SEARCH_INDEX_DIR"], tmp_path / "second-index")
    second = TestDatabase(url=app.config["DATABASE_URL"], index=tmp_path / "second-index", name="second")
    return make_app(second, **overrides)


def test_lock_out_holds_across_two_app_servers_and_unlock_clears_it(
    app: Flask, tmp_path: Path, session: Session, login
) -> None:
    lock = {"LOGIN_LOCK_ATTEMPTS": 4, "LOGIN_LOCK_WINDOW_MINUTES": 15, "LOGIN_LOCK_MINUTES": 15}
    app.config.update(lock)
    second = _second_app(app, tmp_path, **lock)
    try:
        one, two = app.test_client(), second.test_client()
        # two failures on each server, from different addresses: the per-address limit is not reached
        for n, client in enumerate((one, two, one, two)):
            response = client.post(
                "/login",
                data={"username": "staff", "password": f"wrong {n}"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
            )
            assert response.status_code == 200
        assert len(session.exec(select(LoginFailure)).all()) == 4
        for client in (one, two):  # locked on both: the right password is refused, with the same words
            response = client.post("/login", data={"username": "staff", "password": "staff-demo"})
            assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)
        assert _user(session, "staff").locked_until is not None

        admin = app.test_client()
        login(admin, "admin")
        staff = _user(session, "staff")
        page = admin.get("/admin/users?status=locked").get_data(as_text=True)
        assert ">staff</a>" in page
        assert admin.post(f"/admin/users/{staff.id}/unlock").status_code == 303
        response = two.post("/login", data={"username": "staff", "password": "staff-demo"})
        assert response.status_code == 303  # unlocked for the other server too
        [unlocked] = _log(session, staff)
        assert (unlocked.action, unlocked.before["failed_logins"], unlocked.after["locked_until"]) == (
            "unlock",
            4,
            None,
        )
    finally:
        close_app(second)


def test_the_per_address_limit_still_counts_before_the_account_lock(client) -> None:
    for n in range(5):
        assert client.post("/login", data={"username": "staff", "password": f"wrong {n}"}).status_code == 200
    assert client.post("/login", data={"username": "staff", "password": "staff-demo"}).status_code == 429


def test_members_of_the_same_name_are_told_apart(client, login, session: Session, get_page, make) -> None:
    first, second = make.member(name="张三"), make.member(name="张三")
    session.commit()
    login(client, "admin")
    options = {
        o.attrs["value"]: o.text() for o in get_page("/admin/users/new").by_id("member").find_all("option")
    }
    assert (
        options[str(first.id)] == f"张三 (#{first.id})" and options[str(second.id)] == f"张三 (#{second.id})"
    )
    assert "戴培红" in options.values()


def test_the_per_address_limit_holds_across_two_app_servers(app: Flask, tmp_path: Path) -> None:
    """Failed logins from one address reach two servers, one in another process: the limit counts
    them together, as one server would."""
    import subprocess
    import sys
    import textwrap

    app.config["LOGIN_RATE_LIMIT"] = "5 per minute"
    one = app.test_client()
    for n in range(3):
        assert one.post("/login", data={"username": "staff", "password": f"wrong {n}"}).status_code == 200
    shutil.copytree(app.config["SEARCH_INDEX_DIR"], tmp_path / "second-index")
    script = textwrap.dedent(
        f"""
        from tracker import create_app
        app = create_app({{"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
            "SEARCH_CHECK_ON_START": False, "LOGIN_RATE_LIMIT": "5 per minute",
            "DATABASE_URL": {app.config["DATABASE_URL"]!r}, "SEARCH_INDEX_DIR": {str(tmp_path / "second-index")!r}}})
        two = app.test_client()
        codes = [two.post("/login", data={{"username": "staff", "password": p}}).status_code
                 for p in ("wrong 3", "wrong 4", "staff-demo")]
        other = two.post("/login", data={{"username": "staff", "password": "staff-demo"}},
                         environ_base={{"REMOTE_ADDR": "10.0.0.9"}}).status_code
        print(*codes, other)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # two more failures, then the right password is held back; another address is not
    assert done.stdout.split() == ["200", "200", "429", "303"]
    assert one.post("/login", data={"username": "staff", "password": "staff-demo"}).status_code == 429
