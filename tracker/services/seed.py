"""Load seeds/ (described by seeds/manifest.toml) through the ordinary use cases, idempotently.

Every row is matched by its natural key first (a proposal by session and number, a reply by
proposal, agency and role, a reference document by slug), so a second run adds nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, col, func, select

from tracker.domain.sessions import SessionFields
from tracker.domain.textio import TextDecodeError, read_text_file
from tracker.models import Meeting, Proposal, ProposalStatus
from tracker.services.admin_log import SEED
from tracker.services.errors import ServiceError
from tracker.services.library import get_document, record_reference
from tracker.services.people import get_or_create_agency, get_or_create_meeting, get_or_create_member
from tracker.services.proposals import record_proposal
from tracker.services.replies import find_reply, record_reply
from tracker.services.sessions import create_session

MANIFEST = "manifest.toml"
KINDS = ("proposal", "reply", "reference")

# How the summary line names each table.
_LABELS = {
    "proposal": "proposals",
    "suggestion": "suggestions",
    "reply": "replies",
    "reply_point": "reply points",
    "point_link": "links",
    "reference_document": "reference documents",
    "reference_clause": "clauses",
}


class SeedError(ServiceError):
    """The seeds folder or its manifest cannot be used; the message names the file."""


@dataclass(frozen=True)
class SeedResult:
    totals: dict[str, int]  # rows per table after seeding
    created: dict[str, int]  # rows per table this run added

    @property
    def new_rows(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        parts = ", ".join(f"{label} {self.totals.get(table, 0)}" for table, label in _LABELS.items())
        return f"Seeded {self.new_rows} new rows; in the database: {parts}."


def table_counts(*, session: Session) -> dict[str, int]:
    """Row count of every table the models define."""
    return {
        table.name: session.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def load_manifest(seeds_dir: Path) -> list[dict[str, Any]]:
    path = seeds_dir / MANIFEST
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SeedError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML ({exc})") from None
    entries = data.get("file", [])
    if not isinstance(entries, list):
        raise SeedError(f"{path}: [[file]] entries expected")
    for i, entry in enumerate(entries, 1):
        for key in ("path", "kind"):
            if not isinstance(entry.get(key), str):
                raise SeedError(f"{path}: file #{i} has no {key!r}")
        if entry["kind"] not in KINDS:
            raise SeedError(f"{path}: file #{i} has unknown kind {entry['kind']!r}")
    return entries


def _read(seeds_dir: Path, entry: Mapping[str, Any]) -> str:
    try:
        return read_text_file(seeds_dir / entry["path"])
    except TextDecodeError as exc:
        raise SeedError(str(exc)) from None


def _require(entry: Mapping[str, Any], key: str) -> Any:
    if entry.get(key) in (None, ""):
        raise SeedError(f"{MANIFEST}: {entry['path']} needs {key!r}")
    return entry[key]


def load_sessions(seeds_dir: Path) -> list[dict[str, Any]]:
    """The [[session]] tables of the manifest (sessions the seed declares)."""
    with (seeds_dir / MANIFEST).open("rb") as fh:
        entries = tomllib.load(fh).get("session", [])
    if not isinstance(entries, list):
        raise SeedError(f"{MANIFEST}: [[session]] entries expected")
    return entries


def _seed_session(session: Session, entry: Mapping[str, Any]) -> Meeting:
    """A declared session, through the sessions service (checked and logged like an admin's)."""
    name = _require({"path": "[[session]]", **entry}, "full_name")
    existing = session.exec(select(Meeting).where(Meeting.name == name)).first()
    if existing is not None:
        return existing
    fields = SessionFields(
        body=entry.get("body", "政协"),
        organisation=entry.get("organisation", ""),
        term=entry.get("term", ""),
        sitting=entry.get("sitting", ""),
        full_name=name,
        short_name=entry.get("short_name", ""),
        year=entry.get("year"),
        intake=entry.get("intake", "meeting"),
        number_prefix=entry.get("number_prefix", ""),
    )
    try:
        return create_session(
            session=session,
            actor=SEED,
            fields=fields,
            is_open=bool(entry.get("open", False)),
            make_current=bool(entry.get("current", False)),
        )
    except ServiceError as error:
        raise SeedError(f"{MANIFEST}: session {name!r}: {error}") from None


def _seed_proposal(
    session: Session, seeds_dir: Path, entry: Mapping[str, Any], sessions: Mapping[str, Meeting]
) -> Proposal:
    body = entry.get("body")
    if entry.get("session"):
        meeting: Meeting | None = sessions.get(entry["session"])
        if meeting is None:
            raise SeedError(f"{MANIFEST}: {entry['path']} names session {entry['session']!r}, not declared")
    elif body or entry.get("meeting"):
        meeting = get_or_create_meeting(
            session=session, body=body, name=entry.get("meeting"), year=entry.get("year")
        )
    else:
        meeting = None
    number = entry.get("number")
    title = _require(entry, "title")
    proposer = (
        get_or_create_member(
            session=session, name=entry["proposer"], kind=entry.get("proposer_kind", "member")
        )
        if entry.get("proposer")
        else None
    )
    existing = _find_proposal(session, meeting_id=meeting.id if meeting else None, number=number, title=title)
    if existing is None and number is not None:
        # seeded by an earlier release under a session the manifest did not declare yet: the same
        # numbered document with the same title is that proposal, not a new one
        existing = session.exec(
            select(Proposal)
            .where(Proposal.number == number, Proposal.title == title)
            .order_by(col(Proposal.id))
        ).first()
    if existing is not None:
        return existing
    return record_proposal(
        session=session,
        text=_read(seeds_dir, entry),
        title=title,
        number=number,
        meeting=meeting,
        proposer=proposer,
        cosigners=[
            get_or_create_member(session=session, name=name, kind=entry.get("proposer_kind", "member"))
            for name in entry.get("cosigners", [])
        ],
        category=entry.get("category"),
        status=entry.get("status", ProposalStatus.SUBMITTED.value),
        # the date of publication is not in the documents: it is when this archive published it
        published_at=datetime.now(UTC) if entry.get("published") else None,
    )


def _find_proposal(
    session: Session, *, meeting_id: int | None, number: int | None, title: str
) -> Proposal | None:
    stmt = select(Proposal).where(
        col(Proposal.meeting_id).is_(None) if meeting_id is None else Proposal.meeting_id == meeting_id
    )
    # Without a number, the title is the only natural key a document gives us.
    stmt = (
        stmt.where(Proposal.number == number) if number is not None else stmt.where(Proposal.title == title)
    )
    return session.exec(stmt.order_by(col(Proposal.id))).first()


def seed(*, session: Session, seeds_dir: str | Path) -> SeedResult:
    """Load every file of the manifest that is not in the database yet."""
    seeds_dir = Path(seeds_dir)
    entries = load_manifest(seeds_dir)
    before = table_counts(session=session)
    sessions = {m.name or "": m for m in (_seed_session(session, e) for e in load_sessions(seeds_dir))}
    proposals: dict[str, Proposal] = {}
    for entry in (e for e in entries if e["kind"] == "proposal"):
        proposals[entry["path"]] = _seed_proposal(session, seeds_dir, entry, sessions)
    for entry in (e for e in entries if e["kind"] == "reply"):
        proposal = proposals.get(_require(entry, "proposal"))
        if proposal is None:
            raise SeedError(
                f"{MANIFEST}: {entry['path']} answers {entry['proposal']!r}, which is not a proposal entry"
            )
        agency = get_or_create_agency(session=session, name=entry["agency"]) if entry.get("agency") else None
        role = entry.get("role", "lead")
        if find_reply(
            session=session, proposal_id=proposal.id or 0, agency_id=agency.id if agency else None, role=role
        ):
            continue
        record_reply(
            session=session, proposal=proposal, text=_read(seeds_dir, entry), agency=agency, role=role
        )
    for entry in (e for e in entries if e["kind"] == "reference"):
        slug = _require(entry, "slug")
        if get_document(session=session, slug=slug) is not None:
            continue
        record_reference(
            session=session,
            slug=slug,
            text=_read(seeds_dir, entry),
            title=entry.get("title"),
            description=entry.get("description", ""),
            issuer=entry.get("issuer"),
            doc_number=entry.get("doc_number"),
            date_text=entry.get("date_text"),
            language=entry.get("language", "zh"),
            kind=entry.get("doc_kind", ""),
            source_name=entry.get("source"),
        )
    session.flush()
    after = table_counts(session=session)
    return SeedResult(totals=after, created={t: after[t] - before.get(t, 0) for t in after})
