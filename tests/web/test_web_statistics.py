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
        "答复数": "3",
        "按期答复数": "2",
        "未注明日期的答复数（不计入时效）": "0",
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
        [
            "主办单位",  # the table counts lead agencies: the glossary's 主办单位
            "交办数",
            "答复数",
            "按期答复数",
            "未注明日期的答复数（不计入时效）",
            "逾期未答复数",
            "办复率",
            "按期办复率",
            "平均答复天数",
            "满意率",
        ],
        ["区教育局", "3", "1", "1", "0", "1", "33.3%", "100.0%", "40.0", "100.0%"],
        ["区财政局", "2", "2", "1", "0", "0", "100.0%", "50.0%", "100.0", "50.0%"],
    ]
    cards = page.find_all("dl", class_="stats-cards")[0].text()
    assert "60.0%" in cards and "66.7%" in cards


def test_the_sessions_table_has_each_session_and_the_overall_figures_cover_all(
    client, get_page, known
) -> None:
    tables = _tables(get_page("/statistics"))
    sessions = {row[0]: row for row in tables["sessions"][1:]}
    head = tables["sessions"][0]
    wanted = ["提交提案数", "立案数", "并案数", "转为意见建议数", "交办数", "答复数", "办复率"]
    s1 = dict(zip(head, sessions["政协 第九届第一次会议"], strict=True))
    s2 = dict(zip(head, sessions["政协 第九届第二次会议"], strict=True))
    assert [s1[k] for k in wanted] == ["9", "6", "1", "1", "5", "3", "60.0%"]
    assert [s2[k] for k in wanted] == ["2", "1", "0", "0", "1", "1", "100.0%"]
    summary = dict(tables["summary"][1:])
    # every session: the fixture's 11 submitted proposals and the seeded model case (replied, no date)
    assert summary["提交提案数"] == "12"
    assert summary["答复数"] == "5"
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


COUNT_LABELS = {  # the additive figures (tracker.domain.statistics.COUNTS) as the tables name them
    "提交提案数",
    "立案数",
    "并案数",
    "转为意见建议数",
    "交办数",
    "答复数",
    "按期答复数",
    "未注明日期的答复数（不计入时效）",
    "逾期未答复数",
}


@pytest.fixture
def every_state(known: dict[str, int], make, session: Session) -> dict[str, int]:
    """``known`` plus what staff meet before a session is chosen: a proposal merged into one of s1
    with no session of its own, one not accepted and one submitted with no session."""
    target = make.proposal(status="accepted", meeting_id=known["s1"], number=99)
    make.proposal(status="merged", meeting_id=None, merged_into_id=target.id)
    make.proposal(status="not_accepted", meeting_id=None)
    make.proposal(status="submitted", meeting_id=None)
    session.commit()
    return known


@pytest.mark.parametrize("source", ["page", "csv"])
def test_the_sessions_and_agencies_add_up_to_the_summary(client, get_page, every_state, source) -> None:
    if source == "page":
        tables = _tables(get_page("/statistics"))
    else:
        tables = {k: _csv(client, k, "") for k in ("summary", "sessions", "agencies")}
    summary = dict(tables["summary"][1:])
    assert set(summary) >= COUNT_LABELS
    for key in ("sessions", "agencies"):
        head, *rows = tables[key]
        assert len(set(head)) == len(head), head
        for column, name in enumerate(head):
            if name in COUNT_LABELS:
                total = sum(int(row[column]) for row in rows)
                assert total == int(summary[name]), (key, name)
        if key == "sessions":  # every figure has its column: none can vanish from the split
            assert set(head) >= COUNT_LABELS
    sessions = {row[0]: row for row in tables["sessions"][1:]}
    assert "届次未载明" in sessions  # the proposals whose session is not chosen yet have their row


def test_each_sessions_row_is_that_sessions_summary(client, get_page, every_state) -> None:
    """Computed one way: a session's row holds exactly the figures of the page scoped to it."""
    head, *rows = _tables(get_page("/statistics"))["sessions"]
    by_name = {row[0]: dict(zip(head[1:], row[1:], strict=True)) for row in rows}
    for key, name in (("s1", "政协 第九届第一次会议"), ("s2", "政协 第九届第二次会议")):
        summary = dict(_tables(get_page(f"/statistics?session={every_state[key]}"))["summary"][1:])
        assert by_name[name] == summary, name


def test_merged_and_not_accepted_proposals_count_in_their_session(client, get_page, every_state) -> None:
    sessions = {row[0]: row for row in _tables(get_page("/statistics"))["sessions"][1:]}
    head = _tables(get_page("/statistics"))["sessions"][0]
    s1 = dict(zip(head, sessions["政协 第九届第一次会议"], strict=True))
    unstated = dict(zip(head, sessions["届次未载明"], strict=True))
    # s1: the known nine, the new target and the proposal merged into it (no session of its own)
    assert (s1["提交提案数"], s1["立案数"], s1["并案数"]) == ("11", "7", "2")
    assert (unstated["提交提案数"], unstated["转为意见建议数"], unstated["并案数"]) == ("2", "1", "0")


def test_the_on_time_rate_says_how_many_replies_had_no_date(client, get_page, every_state) -> None:
    page = get_page("/statistics")
    summary = dict(_tables(page)["summary"][1:])
    assert summary["未注明日期的答复数（不计入时效）"] == "2"  # the seeded model case and s2's reply
    assert page.by_id("on-time-note").text() == "2 件答复未注明日期，未计入按期办复率。"
    scoped = get_page(f"/statistics?session={every_state['s1']}")
    assert not scoped.find_all(id="on-time-note")  # every reply of s1 has its date


def test_no_table_repeats_a_column_name(client, get_page, known) -> None:
    for key, (head, *_rows) in _tables(get_page("/statistics")).items():
        assert len(set(head)) == len(head), (key, head)
    assert _csv(client, "satisfaction", "")[0] == ["评价", "评价数", "占比"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("镇海区卫健局", "镇海区卫健局"),
        ("宁波市镇海区经济和信息化局", "宁波市镇海区经济和信息化局"),  # 13 characters: fits
        ("宁波市镇海区大数据发展管理局", "宁波市镇海区大数据发展管…"),  # 14 ran off the chart's left edge
        ("Zhenhai District Bureau of Big Data", "Zhenhai District Bureau …"),
    ],
)
def test_chart_labels_fit_the_label_column(client, get_page, make, session: Session, name, shown) -> None:
    agency = make.agency(name=name)
    p = make.proposal(status="assigned")
    session.add(
        Assignment(proposal_id=p.id, agency_id=agency.id, role="lead", deadline=TODAY + timedelta(days=5))
    )
    session.commit()
    chart = get_page("/statistics").by_id("chart-agencies")
    labels = [t.text() for t in chart.find_all("text", class_="chart-label")]
    assert shown in labels
    assert name in [t.text().split("：")[0] for t in chart.find_all("title")][1:]  # in full on hover
