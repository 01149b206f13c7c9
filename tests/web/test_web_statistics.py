"""The statistics page over a fixture of proposals in known states: the expected counts and rates,
per session and per agency, and every table's CSV holds exactly what the page shows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from tracker.models import Assignment, ReplyRating

TODAY = date.today()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(4, 0), tzinfo=UTC)  # noon in Beijing: the same day there


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def known(session: Session, make) -> dict[str, int]:
    """Ten proposals of one session in every state, and one of another session."""
    s1 = make.meeting(name="第九届第一次会议", year=2021)
    s2 = make.meeting(name="第九届第二次会议", year=2022)
    edu, fin = make.agency(name="区教育局"), make.agency(name="区财政局")
    proposer, cosigner, third = make.member(name="甲"), make.member(name="乙"), make.member(name="丙")

    def proposal(status: str, meeting=s1):
        return make.proposal(status=status, meeting_id=meeting.id, proposer_id=proposer.id)

    def assigned(status: str, agency, assigned_days_ago: int, deadline: date):
        p = proposal(status)
        make_assignment(p, agency, assigned_days_ago, deadline)
        return p

    def make_assignment(p, agency, assigned_days_ago: int, deadline: date) -> None:
        session.add(
            Assignment(
                proposal_id=p.id,
                agency_id=agency.id,
                role="lead",
                deadline=deadline,
                assigned_at=_at(ago(assigned_days_ago)),
            )
        )

    def replied(p, agency, replied_days_ago: int, outcome: str, ratings=()):
        reply = make.reply(
            p, agency_id=agency.id, status="issued", outcome=outcome, issued_at=_at(ago(replied_days_ago))
        )
        for member, rating in ratings:
            session.add(ReplyRating(reply_id=reply.id, member_id=member.id, rating=rating))

    for status in ("draft", "submitted", "not_accepted", "merged", "accepted"):
        proposal(status)
    assigned("assigned", edu, 100, ago(10))  # overdue
    assigned("assigned", edu, 10, TODAY + timedelta(days=80))  # not due yet
    p = assigned("replied", edu, 90, TODAY + timedelta(days=30))
    replied(p, edu, 50, "A", [(proposer, "satisfied")])  # 40 days, on time
    p = assigned("closed", fin, 120, ago(30))
    replied(
        p, fin, 10, "B", [(proposer, "dissatisfied"), (cosigner, "basically_satisfied")]
    )  # 110 days, late
    p = assigned("replied", fin, 100, ago(9))
    replied(p, fin, 10, "A")  # 90 days, on time by one day
    # a reply sent back or superseded does not count: only the one in force
    make.reply(p, agency_id=fin.id, status="superseded", outcome="C", issued_at=_at(ago(60)))
    proposal("submitted", meeting=s2)
    session.add(
        ReplyRating(
            reply_id=make.reply(proposal("replied", meeting=s2), status="returned").id,
            member_id=third.id,
            rating="dissatisfied",
        )
    )
    session.commit()
    return {"s1": s1.id, "s2": s2.id}


def _tables(page) -> dict[str, list[list[str]]]:
    found = {}
    for table in page.find_all("table", class_="data-table"):
        key = table.attrs["id"].removeprefix("data-")
        head = [th.text() for th in table.find_all("thead")[0].find_all("th")]
        rows = [
            [cell.text() for cell in tr.iter() if cell.tag in ("th", "td")]
            for tr in table.find_all("tbody")[0].find_all("tr")
        ]
        found[key] = [head, *rows]
    return found


def _csv(client, key: str, query: str) -> list[list[str]]:
    response = client.get(f"/statistics/{key}.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_one_session_gives_the_expected_counts_and_rates(client, get_page, known) -> None:
    page = get_page(f"/statistics?session={known['s1']}")
    tables = _tables(page)
    summary = dict(tables["summary"][1:])
    assert summary == {
        "提交提案数": "9",
        "立案数": "6",
        "并案数": "1",
        "转为意见建议数": "1",
        "交办数": "5",
        "已答复": "3",
        "按期答复数": "2",
        "逾期未答复数": "1",
        "办复率": "60.0%",
        "按期办复率": "66.7%",
        "平均答复天数": "80.0",
        "满意率": "66.7%",
    }
    assert tables["outcomes"][1:] == [
        ["A 类——所提问题已经解决或基本解决，或建议已采纳", "2", "66.7%"],
        ["B 类——所提问题正在解决或已列入计划", "1", "33.3%"],
        ["C 类——因条件限制，留作参考", "0", "0.0%"],
    ]
    assert tables["satisfaction"][1:] == [
        ["满意", "1", "33.3%"],
        ["基本满意", "1", "33.3%"],
        ["不满意", "1", "33.3%"],
    ]
    assert tables["agencies"] == [
        ["承办单位", "已交办", "已答复", "逾期未复", "办复率", "按期办复率", "平均答复天数", "满意率"],
        ["区教育局", "3", "1", "1", "33.3%", "100.0%", "40.0", "100.0%"],
        ["区财政局", "2", "2", "0", "100.0%", "50.0%", "100.0", "50.0%"],
    ]
    cards = page.find_all("dl", class_="stats-cards")[0].text()
    assert "60.0%" in cards and "66.7%" in cards


def test_the_sessions_table_has_each_session_and_the_overall_figures_cover_all(
    client, get_page, known
) -> None:
    tables = _tables(get_page("/statistics"))
    sessions = {row[0]: row for row in tables["sessions"][1:]}
    assert sessions["政协 第九届第一次会议"][1:7] == ["9", "6", "1", "1", "3", "60.0%"]
    assert sessions["政协 第九届第二次会议"][1:7] == ["2", "1", "0", "0", "1", "100.0%"]
    summary = dict(tables["summary"][1:])
    # every session: the fixture's 11 submitted proposals and the seeded model case (replied, no date)
    assert summary["提交提案数"] == "12"
    assert summary["已答复"] == "5"
    assert summary["按期办复率"] == "66.7%"  # replies of unknown date are left out of the timing


@pytest.mark.parametrize("query", ["", "?session={s1}"])
def test_every_csv_matches_its_table_on_the_page(client, get_page, known, query: str) -> None:
    query = query.format(**known)
    tables = _tables(get_page(f"/statistics{query}"))
    assert set(tables) == {"summary", "outcomes", "satisfaction", "agencies", "sessions"}
    for key, shown in tables.items():
        assert _csv(client, key, query) == shown, key
    links = {a.attrs["href"] for a in get_page(f"/statistics{query}").find_all("a", class_="csv-link")}
    assert links == {f"/statistics/{key}.csv{query}" for key in tables}


def test_an_empty_scope_shows_dashes_not_zero_percent(client, get_page, make, session: Session) -> None:
    meeting = make.meeting(name="第十一届第一次会议", year=2030)
    session.commit()
    summary = dict(_tables(get_page(f"/statistics?session={meeting.id}"))["summary"][1:])
    assert summary["办复率"] == "—" and summary["满意率"] == "—" and summary["提交提案数"] == "0"


def test_charts_are_inline_svg_with_escaped_text(client, get_page, make, session: Session) -> None:
    agency = make.agency(name="<script>alert(1)</script>局")
    p = make.proposal(status="assigned")
    session.add(
        Assignment(proposal_id=p.id, agency_id=agency.id, role="lead", deadline=TODAY + timedelta(days=5))
    )
    session.commit()
    response = client.get("/statistics")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    page = get_page("/statistics")
    charts = page.find_all("svg", class_="chart")
    assert {c.attrs["id"] for c in charts} == {"chart-outcomes", "chart-satisfaction", "chart-agencies"}
    assert all(c.attrs["role"] == "img" for c in charts)
    assert "<script" not in html.split('id="chart-agencies"')[1].split("</svg>")[0].replace("&lt;script", "")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("key", ["summary", "outcomes", "satisfaction", "agencies", "sessions"])
def test_no_csv_cell_is_a_formula(client, make, session: Session, key: str) -> None:
    """User text (an agency's or a session's name) that a spreadsheet would evaluate is neutralised
    in every export; the figures stay plain numbers."""
    meeting = make.meeting(body=None, name="@SUM(1+1)*cmd|' /C calc'!A0", year=2031)
    agency = make.agency(name='=HYPERLINK("http://evil.example","点此")')
    p = make.proposal(status="assigned", meeting_id=meeting.id)
    session.add(
        Assignment(proposal_id=p.id, agency_id=agency.id, role="lead", deadline=TODAY + timedelta(days=5))
    )
    session.commit()
    rows = _csv(client, key, "")
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)], rows
    named = {"agencies": agency.name, "sessions": meeting.name}.get(key)
    if named is not None:  # shown as typed, behind the quote that makes it text
        assert ["'" + named] in [row[:1] for row in rows]
