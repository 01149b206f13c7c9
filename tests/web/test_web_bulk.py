"""Bulk downloads per session (/api/v1/sessions/<id>/download.zip): JSON Lines and CSV of the public
rows, read back; nothing unpublished; rebuilt when the public data change, kept while they do not."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from tracker.models import Proposal
from tracker.services import bulk

FILES = {f"{name}.{ext}" for name in bulk.TABLES for ext in ("jsonl", "csv")} | {"README.txt"}


@pytest.fixture
def scene(session: Session, make) -> dict[str, Any]:
    now = datetime.now(UTC)
    meeting = make.meeting(name="第十届第四次会议", year=2025)
    agency = make.agency(name="区交通局")
    public = make.proposal(
        title='=HYPERLINK("http://evil.example","点此")',
        meeting_id=meeting.id,
        number=1,
        status="replied",
        published_at=now - timedelta(hours=1),
    )
    first = make.suggestion(public, title="增开线路")
    sub = make.suggestion(public, title="细则", parent_id=first.id, position=1, n=None, marker="（一）")
    reply = make.reply(public, agency_id=agency.id, outcome="A")
    point = make.point(reply)
    sub_point = make.point(
        reply, parent_id=point.id, position=1, n=None, marker="（一）", heading="", text="细节"
    )
    make.link(point, first)
    make.link(sub_point, sub, method="number", confidence=0.5)
    make.reply(public, agency_id=agency.id, status="returned", title="被退回的答复")
    hidden = make.proposal(title="未公开的提案", meeting_id=meeting.id, number=2)
    make.suggestion(hidden, title="未公开的建议")
    make.reply(hidden, agency_id=agency.id, title="未公开提案的答复")
    session.commit()
    return {
        "meeting": meeting.id,
        "public": public.id,
        "hidden": hidden.id,
        "suggestions": [first.id, sub.id],
        "reply": reply.id,
        "points": [point.id, sub_point.id],
    }


def _download(client: FlaskClient, meeting_id: int) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/sessions/{meeting_id}/download.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"session-{meeting_id}.zip" in response.headers["Content-Disposition"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _jsonl(archive: zipfile.ZipFile, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in archive.read(f"{name}.jsonl").decode("utf-8").splitlines()]


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))


def test_the_zip_holds_the_public_rows_as_json_lines_and_csv(client: FlaskClient, scene) -> None:
    archive = _download(client, scene["meeting"])
    assert set(archive.namelist()) == FILES
    proposals = _jsonl(archive, "proposals")
    assert [p["id"] for p in proposals] == [scene["public"]]
    assert proposals[0]["lead_agencies"] == ""  # no assignment recorded in this scene
    suggestions = _jsonl(archive, "suggestions")
    assert [(s["id"], s["parent_id"]) for s in suggestions] == [
        (scene["suggestions"][0], None),
        (scene["suggestions"][1], scene["suggestions"][0]),
    ]
    replies = _jsonl(archive, "replies")
    assert [r["id"] for r in replies] == [scene["reply"]]  # not the letter sent back
    points = _jsonl(archive, "points")
    assert [(p["id"], p["parent_id"], p["reply_id"]) for p in points] == [
        (scene["points"][0], None, scene["reply"]),
        (scene["points"][1], scene["points"][0], scene["reply"]),
    ]
    links = _jsonl(archive, "links")
    assert {(ln["reply_point_id"], ln["suggestion_id"], ln["method"]) for ln in links} == {
        (scene["points"][0], scene["suggestions"][0], "manual"),
        (scene["points"][1], scene["suggestions"][1], "number"),
    }
    # the CSV files hold the same rows, column for column
    for name in bulk.TABLES:
        header = next(csv.reader(io.StringIO(archive.read(f"{name}.csv").decode("utf-8-sig"))))
        assert tuple(header) == bulk.TABLES[name]
        rows = _csv(archive, name)
        assert [r["id" if "id" in r else "reply_point_id"] for r in rows] == [
            str(r["id" if "id" in r else "reply_point_id"]) for r in _jsonl(archive, name)
        ]
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    assert "未公开" not in everything


def test_csv_cells_are_neutralised_and_json_keeps_the_text(client: FlaskClient, scene) -> None:
    archive = _download(client, scene["meeting"])
    title = '=HYPERLINK("http://evil.example","点此")'
    assert _jsonl(archive, "proposals")[0]["title"] == title
    assert _csv(archive, "proposals")[0]["title"] == "'" + title


def test_the_zip_is_rebuilt_when_the_public_data_change(
    app: Flask, client: FlaskClient, scene, session: Session
) -> None:
    folder = Path(app.config["OPEN_DATA_DIR"])
    first = _download(client, scene["meeting"])
    assert len(_jsonl(first, "proposals")) == 1
    [state] = [p.name for p in folder.iterdir()]
    # kept while nothing changes: the same file is served again
    built = (folder / state / f"session-{scene['meeting']}.zip").stat().st_mtime_ns
    _download(client, scene["meeting"])
    assert (folder / state / f"session-{scene['meeting']}.zip").stat().st_mtime_ns == built
    # publishing a proposal (a public change: the archive's generation moves) rebuilds it
    hidden = session.get(Proposal, scene["hidden"])
    assert hidden is not None
    hidden.published_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    second = _download(client, scene["meeting"])
    assert {p["id"] for p in _jsonl(second, "proposals")} == {scene["public"], scene["hidden"]}
    assert [p.name for p in folder.iterdir()] != [state]  # the old state's folder is gone
    assert len(list(folder.iterdir())) == 1


def test_a_scheduled_publication_shows_once_its_moment_has_come(
    client: FlaskClient, scene, session: Session
) -> None:
    from tracker.services.visibility import clock

    hidden = session.get(Proposal, scene["hidden"])
    assert hidden is not None
    moment = datetime.now(UTC) + timedelta(days=1)
    hidden.published_at = moment
    session.commit()
    assert len(_jsonl(_download(client, scene["meeting"]), "proposals")) == 1
    with clock(lambda: moment + timedelta(seconds=1)):
        assert len(_jsonl(_download(client, scene["meeting"]), "proposals")) == 2


def test_the_docs_page_links_each_session_with_public_proposals(client: FlaskClient, get_page, scene) -> None:
    links = {
        a.attrs["href"] for a in get_page("/api/docs").find_all("a") if "download.zip" in a.attrs["href"]
    }
    assert f"/api/v1/sessions/{scene['meeting']}/download.zip" in links


def test_an_unknown_session_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/sessions/999999/download.zip")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_the_session_list_links_its_download(client: FlaskClient, get_page, scene) -> None:
    page = get_page(f"/proposals?session={scene['meeting']}")
    [link] = page.find_all("p", class_="open-data-link")
    hrefs = [a.attrs["href"] for a in link.find_all("a")]
    assert hrefs == [f"/api/v1/sessions/{scene['meeting']}/download.zip", "/api/docs"]
    assert not get_page("/proposals").find_all("p", class_="open-data-link")
    assert not get_page("/proposals?session=999999").find_all("p", class_="open-data-link")
    footer = get_page("/").find_all("footer")[0]
    assert "/api/docs" in [a.attrs["href"] for a in footer.find_all("a")]
