"""XLSX beside every CSV (the statistics tables): the same rows read back with openpyxl, the same
formula neutralisation, figures stored as numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from tracker.models import Assignment

TABLES = ("summary", "outcomes", "satisfaction", "agencies", "sessions")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(client, key: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/statistics/{key}.csv{query}")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _xlsx(client, key: str, query: str = "") -> list[list[object]]:
    response = client.get(f"/statistics/{key}.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == f"attachment; filename=statistics-{key}.xlsx"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(value)


@pytest.fixture
def hostile(session: Session, make) -> dict[str, str]:
    meeting = make.meeting(body=None, name="@SUM(1+1)*cmd|' /C calc'!A0", year=2031)
    agency = make.agency(name='=HYPERLINK("http://evil.example","点此")')
    p = make.proposal(status="assigned", meeting_id=meeting.id)
    session.add(
        Assignment(
            proposal_id=p.id, agency_id=agency.id, role="lead", deadline=date.today() + timedelta(days=5)
        )
    )
    session.commit()
    return {"agencies": agency.name, "sessions": meeting.name or "", "id": str(meeting.id)}


@pytest.mark.parametrize("key", TABLES)
@pytest.mark.parametrize("query", ["", "?session={id}"])
def test_every_xlsx_holds_its_csv(client, hostile, key: str, query: str) -> None:
    query = query.format(**hostile)
    rows = _xlsx(client, key, query)
    assert [[_text(c) for c in row] for row in rows] == _csv(client, key, query)
    named = hostile.get(key)
    if named is not None and not query:  # neutralised as in the CSV: shown as typed, behind a quote
        assert ["'" + named] in [row[:1] for row in rows]


def test_figures_are_numbers(client, hostile) -> None:
    summary = dict((row[0], row[1]) for row in _xlsx(client, "summary")[1:])
    assert isinstance(summary["提交提案数"], int) and summary["提交提案数"] >= 1
    assert isinstance(summary["办复率"], str)  # "60.0%" or "—", as the page shows it


def test_the_page_links_each_xlsx(client, get_page) -> None:
    page = get_page("/statistics")
    links = {a.attrs["href"] for a in page.find_all("a", class_="xlsx-link")}
    assert links == {f"/statistics/{key}.xlsx" for key in TABLES}
    assert client.get("/statistics/nothing.xlsx").status_code == 404
