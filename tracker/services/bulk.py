"""Bulk downloads: one session's public data as a .zip of JSON Lines and CSV files.

Five tables (proposals, suggestions, replies, points, links), each as ``<table>.jsonl`` (one JSON
object a line, for programs) and ``<table>.csv`` (UTF-8 with a byte-order mark, every cell made
safe to open in a spreadsheet, for people). The rows are the open-data API's (services/open_data.py):
what the anonymous pages show and nothing else.

The file is built once per state of the archive and kept on disk under
``instance/open-data/<generation>-<mark>/``: the archive's generation (bumped by every public change,
in the database, so every server agrees) and the latest publication moment already come (a scheduled
publication shows with no write). A server that finds no file for the current state builds it and
moves it into place atomically; the folders of older states are removed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from tracker import generation
from tracker.domain.spreadsheet import csv_text
from tracker.domain.visibility import aware
from tracker.models import Agency, Proposal
from tracker.services import open_data
from tracker.services.proposals import replies_of, reply_visible, suggestions_of
from tracker.services.visibility import ANONYMOUS, publication_mark

TABLES: dict[str, tuple[str, ...]] = {
    "proposals": (
        "id",
        "session_id",
        "number",
        "case_number",
        "title",
        "category",
        "proposer",
        "joint_proposers",
        "cosigners",
        "status",
        "submitted_on",
        "accepted_on",
        "published_at",
        "merged_into_id",
        "lead_agencies",
        "co_agencies",
        "background",
        "leadin",
        "closing",
    ),
    "suggestions": ("id", "proposal_id", "parent_id", "position", "n", "marker", "title", "text"),
    "replies": (
        "id",
        "proposal_id",
        "agency_id",
        "agency",
        "role",
        "status",
        "title",
        "doc_number",
        "date_text",
        "date_on",
        "outcome",
        "salutation",
        "preamble",
        "closing",
        "signature",
    ),
    "points": ("id", "reply_id", "parent_id", "position", "n", "marker", "heading", "text", "outcome"),
    "links": ("reply_point_id", "suggestion_id", "method", "confidence"),
}


def _flatten(items: Sequence[dict[str, Any]], parent_key: str, owner: dict[str, Any]) -> Iterable[dict]:
    """A tree of suggestions or points as rows in document order, each naming its parent."""
    for item in items:
        yield {**owner, parent_key: None, **item}
        for child in _flatten(item.get("sub_points", []), parent_key, owner):
            yield {**child, parent_key: child.get(parent_key) or item["id"]}


def session_tables(*, session: Session, meeting_id: int) -> dict[str, list[dict[str, Any]]]:
    """The public rows of one session, table by table."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    proposal_ids = session.exec(
        select(Proposal.id)
        .where(Proposal.meeting_id == meeting_id, open_data.public_proposals())
        .order_by(col(Proposal.number).is_(None), col(Proposal.number), col(Proposal.id))
    ).all()
    names = dict(session.exec(select(Agency.id, Agency.name)).all())
    for pid in proposal_ids:
        item = open_data.proposal(session=session, proposal_id=pid or 0)
        if item is None:  # unpublished between the two queries
            continue
        tables["proposals"].append(
            {
                **item,
                "joint_proposers": "、".join(item["joint_proposers"]),
                "cosigners": "、".join(c["name"] for c in item["cosigners"] if c["status"] == "confirmed"),
                "lead_agencies": "、".join(a["name"] for a in item["agencies"] if a["role"] == "lead"),
                "co_agencies": "、".join(a["name"] for a in item["agencies"] if a["role"] != "lead"),
            }
        )
        for position, row in enumerate(suggestions_of(session=session, proposal_id=pid or 0)):
            tables["suggestions"].append(
                {
                    "id": row.id,
                    "proposal_id": pid,
                    "parent_id": row.parent_id,
                    "position": position,
                    "n": row.n,
                    "marker": row.marker,
                    "title": row.title,
                    "text": row.text,
                }
            )
        for reply in replies_of(session=session, proposal_id=pid or 0):
            if not reply_visible(reply, ANONYMOUS):
                continue
            letter = open_data.reply_row(session=session, reply=reply, agency_names=names)
            tables["replies"].append(letter)
            points = list(_flatten(letter["points"], "parent_id", {"reply_id": reply.id}))
            for position, point in enumerate(points):
                tables["points"].append({**point, "position": position})
                for link in point["links"]:
                    tables["links"].append({"reply_point_id": point["id"], **link})
    return {name: [{k: row.get(k) for k in TABLES[name]} for row in rows] for name, rows in tables.items()}


def zip_bytes(tables: dict[str, list[dict[str, Any]]], *, note: str) -> bytes:
    """The tables as JSON Lines and CSV files in one .zip, with a README naming the files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", note)
        for name, rows in tables.items():
            columns = TABLES[name]
            lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
            archive.writestr(f"{name}.jsonl", lines)
            body = csv_text([columns, *([row[c] for c in columns] for row in rows)])
            archive.writestr(f"{name}.csv", ("\ufeff" + body).encode("utf-8"))
    return buffer.getvalue()


def state(*, session: Session) -> str:
    """The archive's state as a folder name: its generation and the latest publication come."""
    mark = publication_mark(session=session)
    stamp = aware(mark).astimezone(UTC).strftime("%Y%m%dT%H%M%S%f") if mark else "none"
    return f"{generation.current(session)}-{stamp}"


def session_zip(*, session: Session, meeting_id: int, folder: Path, note: str) -> Path:
    """The path of the session's .zip for the archive's current state, built if not yet on disk."""
    current = state(session=session)
    here = folder / current
    path = here / f"session-{meeting_id}.zip"
    if path.exists():
        return path
    here.mkdir(parents=True, exist_ok=True)
    data = zip_bytes(session_tables(session=session, meeting_id=meeting_id), note=note)
    # written beside and renamed: a concurrent reader sees the whole file or none
    fd, temporary = tempfile.mkstemp(dir=here, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
    for old in folder.iterdir():
        if old.is_dir() and old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    return path
