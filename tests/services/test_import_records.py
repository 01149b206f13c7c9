"""Import provenance: one row per file content, waiting for review when there are reasons."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session

from tracker.models import ImportState
from tracker.services.errors import ServiceError
from tracker.services.import_records import (
    find_by_hash,
    finish_run,
    latest_from_source,
    mark_reviewed,
    record_imported_file,
    start_run,
)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(session: Session, data: bytes, **overrides):
    run = overrides.pop("run", None)
    fields = dict(
        source_name="2024/第12号.docx",
        content_hash=digest(data),
        byte_size=len(data),
        file_format="docx",
        kind="proposal",
        text=data.decode(),
        confidence=0.93,
        found={"number": {"value": 12, "how": "file name", "confidence": 0.9}},
    )
    fields.update(overrides)
    return record_imported_file(session=session, run=run, **fields)


@pytest.mark.parametrize(
    ("reasons", "state"),
    [((), ImportState.IMPORTED), ([{"code": "unpaired"}], ImportState.REVIEW)],
)
def test_a_file_waits_for_review_only_when_there_are_reasons(session: Session, reasons, state) -> None:
    row = record(session, "关于…的建议".encode(), reasons=reasons)
    assert row.state == state.value
    assert row.reasons == list(reasons)


def test_the_same_bytes_are_found_again_and_never_recorded_twice(session: Session) -> None:
    data = "同一个文件".encode()
    run = start_run(session=session, actor="command line")
    first = record(session, data, run=run)
    assert find_by_hash(session=session, content_hash=digest(data)) == first
    assert first.run_id == run.id
    with pytest.raises(ServiceError, match="imported before"):
        record(session, data, source_name="copy/第12号.docx")


def test_a_changed_file_is_told_apart_by_its_hash(session: Session) -> None:
    record(session, "第一版".encode())
    latest = latest_from_source(session=session, source_name="2024/第12号.docx")
    assert latest is not None and latest.content_hash == digest("第一版".encode())
    assert latest.content_hash != digest("第二版".encode())
    assert latest_from_source(session=session, source_name="other.docx") is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"kind": "letter"}, "kind"), ({"content_hash": "abc"}, "content_hash")],
)
def test_bad_values_are_refused(session: Session, overrides, field) -> None:
    with pytest.raises(ServiceError) as error:
        record(session, b"x", **overrides)
    assert error.value.field == field


def test_review_and_run_summary(session: Session) -> None:
    run = start_run(session=session, actor="staff1", origin="upload")
    row = record(session, b"y", run=run, reasons=[{"code": "low_confidence"}])
    mark_reviewed(session=session, imported=row, reviewer_id=None)
    assert row.state == ImportState.REVIEWED.value and row.reviewed_at is not None
    assert row.reasons == [{"code": "low_confidence"}]  # kept as history
    finish_run(session=session, run=run, summary={"created": 1})
    assert run.summary == {"created": 1} and run.finished_at is not None
