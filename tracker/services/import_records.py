"""The one write path of import provenance: runs (``ImportRun``) and the files they brought in
(``ImportedFile``), and the lookups that make an import safe to run twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from tracker.models import (
    ImportedFile,
    ImportKind,
    ImportRun,
    ImportState,
    Proposal,
    ReferenceDocument,
    Reply,
)
from tracker.services.errors import ServiceError


def start_run(*, session: Session, actor: str, actor_id: int | None = None, origin: str = "cli") -> ImportRun:
    run = ImportRun(actor=actor, actor_id=actor_id, origin=origin)
    session.add(run)
    session.flush()
    return run


def finish_run(
    *, session: Session, run: ImportRun, summary: Mapping[str, Any], now: datetime | None = None
) -> None:
    run.summary = dict(summary)
    run.finished_at = now or datetime.now(UTC)
    session.add(run)
    session.flush()


def find_by_hash(*, session: Session, content_hash: str) -> ImportedFile | None:
    """The file with these exact bytes, if it was imported before."""
    return session.exec(select(ImportedFile).where(ImportedFile.content_hash == content_hash)).first()


def latest_from_source(*, session: Session, source_name: str) -> ImportedFile | None:
    """The last file imported under this name (a different hash means the file changed since)."""
    stmt = select(ImportedFile).where(ImportedFile.source_name == source_name)
    return session.exec(stmt.order_by(col(ImportedFile.id).desc())).first()


def record_imported_file(
    *,
    session: Session,
    run: ImportRun | None,
    source_name: str,
    content_hash: str,
    byte_size: int,
    file_format: str,
    kind: str,
    text: str,
    confidence: float,
    found: Mapping[str, Any],
    reasons: Sequence[Mapping[str, Any]] = (),
    proposal: Proposal | None = None,
    reply: Reply | None = None,
    document: ReferenceDocument | None = None,
) -> ImportedFile:
    """Record where an imported document came from; it waits for review when ``reasons`` name why."""
    try:
        kind = ImportKind(kind).value
    except ValueError:
        raise ServiceError(f"unknown import kind {kind!r}", field="kind") from None
    if len(content_hash) != 64:
        raise ServiceError("the content hash is not a SHA-256 hex digest", field="content_hash")
    if find_by_hash(session=session, content_hash=content_hash) is not None:
        raise ServiceError(f"{source_name}: this file was imported before", field="content_hash")
    row = ImportedFile(
        run_id=run.id if run else None,
        source_name=source_name,
        content_hash=content_hash,
        byte_size=byte_size,
        file_format=file_format,
        kind=kind,
        state=(ImportState.REVIEW if reasons else ImportState.IMPORTED).value,
        reasons=[dict(r) for r in reasons],
        confidence=round(float(confidence), 4),
        found=dict(found),
        text=text,
        proposal_id=proposal.id if proposal else None,
        reply_id=reply.id if reply else None,
        document_id=document.id if document else None,
    )
    session.add(row)
    session.flush()
    return row


def mark_reviewed(
    *, session: Session, imported: ImportedFile, reviewer_id: int | None, now: datetime | None = None
) -> None:
    """A person checked the file's parts: it leaves the review queue (its reasons stay, as history)."""
    imported.state = ImportState.REVIEWED.value
    imported.reviewed_at = now or datetime.now(UTC)
    imported.reviewed_by = reviewer_id
    session.add(imported)
    session.flush()


def pair_reply(*, session: Session, imported: ImportedFile, reply: Reply) -> None:
    """An unpaired reply file now has its letter, recorded for the proposal staff chose."""
    imported.reply_id = reply.id
    imported.proposal_id = reply.proposal_id
    session.add(imported)
    session.flush()


def note_correction(
    *,
    session: Session,
    imported: ImportedFile,
    what: str,
    reviewer_id: int | None,
    now: datetime | None = None,
) -> None:
    """Keep, with how the parts were found, that a person corrected them (``what``: boundaries of the
    proposal or the reply, links, pairing), by whom and when."""
    found = dict(imported.found or {})
    found["corrections"] = [
        *found.get("corrections", []),
        {"what": what, "by": reviewer_id, "at": (now or datetime.now(UTC)).isoformat()},
    ]
    imported.found = found  # a new dict: the JSON column notices only a new value
    session.add(imported)
    session.flush()
