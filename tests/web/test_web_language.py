"""The language switch (issue 15): visitors by cookie or Accept-Language, accounts on every device,
the page cache kept apart per language, and Word files in Chinese whatever the UI speaks."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.db import get_engine
from tracker.models import Reply, User
from tracker.web.page_cache import HEADER

BRAND_EN = "Proposal Tracker"
BRAND_ZH = "提案办理追踪"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_visitor_reads_chinese_by_default_and_english_after_switching(client: FlaskClient) -> None:
    page = client.get("/proposals").get_data(as_text=True)
    assert _lang(page) == "zh-CN" and BRAND_ZH in page
    assert 'value="en"' in page and ">English</button>" in page  # the switch, named in its own language
    response = client.post("/language", data={"locale": "en", "next": "/proposals?page=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/proposals?page=1"  # back where the reader was
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/proposals?page=1").get_data(as_text=True)
    assert _lang(page) == "en" and BRAND_EN in page and BRAND_ZH not in page
    assert ">中文</button>" in page and 'lang="zh-CN"' in page
    client.post("/language", data={"locale": "zh_CN", "next": "/"})
    assert _lang(client.get("/").get_data(as_text=True)) == "zh-CN"


@pytest.mark.parametrize(
    ("header", "lang"),
    [("en-GB,en;q=0.9", "en"), ("zh-TW,zh;q=0.9,en;q=0.5", "zh-CN"), ("fr-FR", "zh-CN"), ("", "zh-CN")],
)
def test_a_visitor_without_a_choice_gets_accept_language(client: FlaskClient, header: str, lang: str) -> None:
    page = client.get("/library", headers={"Accept-Language": header}).get_data(as_text=True)
    assert _lang(page) == lang


def test_the_cookie_beats_accept_language(client: FlaskClient) -> None:
    client.post("/language", data={"locale": "zh_CN", "next": "/"})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(page) == "zh-CN"


def test_an_account_keeps_its_choice_on_every_device(app: Flask, login) -> None:
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "staff")
    assert laptop.post("/language", data={"locale": "en", "next": "/review"}).status_code == 303
    with Session(get_engine(app)) as session:
        assert session.exec(select(User).where(User.username == "staff")).one().locale == "en"
    login(phone, "staff")  # no cookie there, and a browser asking for Chinese
    page = phone.get("/review", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert _lang(page) == "en" and "Review" in page
    phone.post("/language", data={"locale": "zh_CN", "next": "/review"})
    assert _lang(laptop.get("/review", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "zh-CN"


@pytest.mark.parametrize("data", [{"locale": "fr"}, {"locale": ""}, {}, {"locale": "en_US"}])
def test_an_unknown_language_is_refused_and_nothing_is_kept(
    app: Flask, client: FlaskClient, login, data: dict[str, str]
) -> None:
    login(client, "member")
    response = client.post("/language", data=data)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    with Session(get_engine(app)) as session:
        assert session.exec(select(User).where(User.username == "member")).one().locale is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""])
def test_the_switch_never_leads_off_the_site(client: FlaskClient, target: str) -> None:
    response = client.post("/language", data={"locale": "en", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_page_cache_keeps_each_language_apart(app: Flask) -> None:
    chinese, english = app.test_client(), app.test_client()
    english.post("/language", data={"locale": "en", "next": "/"})
    first = english.get("/proposals")
    again = english.get("/proposals")
    assert (first.headers[HEADER], again.headers[HEADER]) == ("miss", "hit")
    served = chinese.get("/proposals")  # the same address, after the English page was kept
    page = served.get_data(as_text=True)
    assert served.headers[HEADER] == "miss" and _lang(page) == "zh-CN" and BRAND_ZH in page
    assert _lang(chinese.get("/proposals").get_data(as_text=True)) == "zh-CN"
    assert _lang(english.get("/proposals").get_data(as_text=True)) == "en"
    assert {"Cookie", "Accept-Language"} <= set(served.vary)  # so proxies keep them apart too


def test_a_page_served_from_the_cache_carries_the_visitors_own_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True  # as in production
    first, second = app.test_client(), app.test_client()
    assert first.get("/library").headers[HEADER] == "miss"
    kept = second.get("/library")
    assert kept.headers[HEADER] == "hit"
    token = TOKEN.search(kept.get_data(as_text=True))
    assert token is not None
    response = second.post(
        "/language", data={"csrf_token": token.group(1), "locale": "en", "next": "/library"}
    )
    assert response.status_code == 303  # not the other visitor's token, refused as 400
    assert _lang(second.get("/library").get_data(as_text=True)) == "en"


def _docx_text(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return [p.text for p in document.paragraphs] + cells


def test_word_files_stay_chinese_whatever_the_ui_language(client: FlaskClient, session: Session) -> None:
    reply = session.exec(select(Reply)).first()
    assert reply is not None
    urls = [f"/replies/{reply.id}/letter.docx", f"/proposals/{reply.proposal_id}/form.docx"]
    chinese = [_docx_text(client.get(url).data) for url in urls]
    client.post("/language", data={"locale": "en", "next": "/"})
    english = [_docx_text(client.get(url).data) for url in urls]
    assert english == chinese
    assert "提案" in " ".join(english[1]) and "年" in " ".join(
        english[0]
    )  # the form's labels, the letter's date


def test_a_page_answering_a_post_switches_back_to_the_page_it_came_from(client: FlaskClient) -> None:
    """The login form come back with its problem was answered at POST /login?next=…: the switch
    leads to the page the form was sent from, never to an address that only takes POST."""
    page = client.post(
        "/login?next=/my",
        data={"username": "staff", "password": "wrong"},
        headers={"Referer": "http://localhost/login?next=/my"},
    ).get_data(as_text=True)
    found = re.search(r'name="next" value="([^"]*)"', page)
    assert found is not None and found.group(1) == "/login?next=/my"
    page = client.post(
        "/login",
        data={"username": "staff", "password": "wrong"},
        headers={"Referer": "https://evil.example/x"},
    ).get_data(as_text=True)
    found = re.search(r'name="next" value="([^"]*)"', page)
    assert found is not None and found.group(1) == ""  # another site's address: the home page instead
