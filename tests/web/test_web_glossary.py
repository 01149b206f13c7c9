"""Every page speaks the glossary (issue 11, item 18): no second name for a concept, dates as people
read them (2026年12月2日), every 案号 as 第N号 with its session's prefix, and the person's name, not the
login name, in the header.

The pages are those of the route table in tests/web/test_web_routes.py (as test_web_unique_ids.py
reads it), so a page added there is checked here too.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session, select

from tracker.domain.glossary import FORBIDDEN_SYNONYMS, GLOSSARY
from tracker.models import Meeting, User
from tracker.services.docx_export import FORM_LABELS


def _routes():
    path = Path(__file__).with_name("test_web_routes.py")
    spec = importlib.util.spec_from_file_location("_route_table_glossary", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


_table = _routes()
ROLES, ROWS, scene = _table.ROLES, _table.ROWS, _table.scene  # ``scene``: the table's fixture

PREFIX = "Z"  # the scene's session numbers its proposals 第Z1号, 第Z2号 …
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)")
SLASH_DATE = re.compile(r"(?<!\d)\d{4}/\d{1,2}/\d{1,2}(?!\d)")
CASE_NUMBER = re.compile(r"第\S+号")
# "No. 3", or "3号提案" without 第 (a 案号 field is checked by its <dd> below)
BARE_NUMBER = re.compile(r"No\.\s*\d|(?<![第\dZ“])\d+号提案")  # “2号提案”: a query example


def glossary_problems(parse, html: str, *, login_name: str | None = None) -> list[str]:
    """What a page says against the glossary."""
    root = parse(html)
    for el in root.find_all("script") + root.find_all("style"):
        el.children.clear()
    text = root.text()
    problems = [f"synonym {word}" for word in FORBIDDEN_SYNONYMS if word in text]
    problems += [f"ISO date {d}" for d in ISO_DATE.findall(text)]
    problems += [f"slash date {d}" for d in SLASH_DATE.findall(text)]
    problems += [f"bare number {n!r}" for n in BARE_NUMBER.findall(text)]
    for dt in root.find_all("dt"):
        if dt.text() != GLOSSARY["number"].zh:
            continue
        dd = next(el for el in dt.parent.find_all("dd"))
        if not CASE_NUMBER.fullmatch(dd.text()) and dd.text() != "未载明":
            problems.append(f"案号 shown as {dd.text()!r}")
    if login_name is not None:
        for header in root.find_all(class_="user-name"):
            if re.search(rf"(?<![\w.-]){re.escape(login_name)}(?![\w.-])", header.text()):
                problems.append(f"login name {login_name!r} in the header")
    return problems


def _token(client, role: str) -> str:
    html = client.get("/login" if role == "anon" else "/").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_the_check_finds_each_kind_of_problem(parse_html) -> None:
    page = (
        '<p class="user-name">staff <span>提案委员会办公室</span></p>'
        "<dl><div><dt>案号</dt><dd>3</dd></div></dl><p>附议人：张三；会办单位：商务局</p>"
        "<p>办理期限：2027-01-15；提交于 2026/12/2 12:39；No. 3；3号提案</p>"
    )
    assert sorted(glossary_problems(parse_html, page, login_name="staff")) == sorted(
        [
            "synonym 附议人",
            "synonym 会办单位",
            "ISO date 2027-01-15",
            "slash date 2026/12/2",
            "bare number 'No. 3'",
            "bare number '3号提案'",
            "案号 shown as '3'",
            "login name 'staff' in the header",
        ]
    )
    fine = (
        '<p class="user-name">王芳 <span>提案委员会办公室</span></p>'
        "<dl><div><dt>案号</dt><dd>第Z3号</dd></div></dl><p>联名人：张三；协办单位：商务局；会办意见</p>"
        "<p>办理期限：2027年1月15日；提交于 2026年12月2日 12:39；第Z3号提案</p>"
    )
    assert glossary_problems(parse_html, fine, login_name="staff") == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_the_glossary(
    app, client, login, parse_html, session: Session, scene: dict[str, int], role: str
) -> None:
    meeting = session.get(Meeting, scene["session"])
    assert meeting is not None
    meeting.number_prefix = PREFIX
    session.add(meeting)
    session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    login_name = role if role in ("staff", "admin") else None
    wrong: dict[str, list[str]] = {}
    seen = 0
    for row in ROWS:
        if role != "anon":
            login(client, role)  # again before each page: a row of the table logs out
        url = row.url.format(**scene)
        form = {k: v.format(**scene) for k, v in (row.data or {}).items()}
        if row.method == "POST":
            form["csrf_token"] = _token(client, role)
        response = client.get(url) if row.method == "GET" else client.post(url, data=form)
        html = response.get_data().decode("utf-8", "replace")
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen += 1
        if found := glossary_problems(parse_html, html, login_name=login_name):
            wrong[f"{row.method} {url}"] = found
    assert seen >= 10
    assert wrong == {}


def test_the_session_prefix_is_part_of_every_case_number(
    client, login, parse_html, session: Session, scene: dict[str, int]
) -> None:
    meeting = session.get(Meeting, scene["session"])
    assert meeting is not None
    meeting.number_prefix = PREFIX
    session.add(meeting)
    session.commit()
    login(client, "staff")
    page = parse_html(client.get(f"/proposals/{scene['accepted']}").get_data(as_text=True))
    number = next(dt.parent.find_all("dd")[0].text() for dt in page.find_all("dt") if dt.text() == "案号")
    assert re.fullmatch(rf"第{PREFIX}\d+号", number)
    queue = client.get("/review?status=accepted").get_data(as_text=True)
    assert number in queue
    form = Document(io.BytesIO(client.get(f"/proposals/{scene['accepted']}/form.docx").data))
    assert {row.cells[0].text: row.cells[1].text for row in form.tables[0].rows}["案号"] == number


@pytest.mark.parametrize("username", ["staff", "admin"])
def test_the_header_names_the_person(client, login, parse_html, session: Session, username: str) -> None:
    user = session.exec(select(User).where(User.username == username)).one()
    assert user.display_name  # the demo seed names its office staff (王芳) and administrator
    login(client, username)
    header = parse_html(client.get("/").get_data(as_text=True)).find_all(class_="user-name")[0]
    assert user.display_name in header.text() and username not in header.text()


def test_an_account_without_a_name_shows_its_login_name(client, login, parse_html, session: Session) -> None:
    user = session.exec(select(User).where(User.username == "staff")).one()
    user.display_name = None
    session.add(user)
    session.commit()
    login(client, "staff")
    header = parse_html(client.get("/").get_data(as_text=True)).find_all(class_="user-name")[0]
    assert header.text().startswith("staff ")


def test_the_word_form_and_the_proposal_page_use_the_same_labels(
    client, login, parse_html, scene: dict[str, int]
) -> None:
    login(client, "staff")
    pid = scene["assigned"]
    page = parse_html(client.get(f"/proposals/{pid}").get_data(as_text=True))
    on_page = {dt.text() for dt in page.find_all("dt")} | {h.text() for h in page.find_all("h2")}
    form = Document(io.BytesIO(client.get(f"/proposals/{pid}/form.docx").data))
    in_word = {row.cells[0].text for row in form.tables[0].rows} | {p.text for p in form.paragraphs}
    # every concept both show is named alike: the page's label is the Word form's
    for concept in ("number", "session", "proposer", "cosigners", "category", "submitted", "lead"):
        assert FORM_LABELS[concept] in on_page, concept
        assert FORM_LABELS[concept] in in_word, concept
    assert not (set(FORBIDDEN_SYNONYMS) & (on_page | in_word))


@pytest.mark.parametrize(("table", "concept"), [("sessions", "session"), ("agencies", "lead")])
def test_the_statistics_csv_headers_are_the_glossary_labels(client, login, table: str, concept: str) -> None:
    login(client, "staff")
    response = client.get(f"/statistics/{table}.csv")
    assert response.status_code == 200
    header = response.get_data().decode("utf-8-sig").splitlines()[0]
    assert header.split(",")[0] == GLOSSARY[concept].zh
