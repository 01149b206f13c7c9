"""schemathesis against /api/openapi.json: every operation of the open-data API, called in-process
(WSGI) on a seeded database with public, unpublished, withheld and merged proposals, answers what its
document says (status codes, content types, bodies), never a 5xx, and turns bad parameters away
with a 4xx JSON error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlmodel import Session

from tracker import generation


@pytest.fixture
def api_schema(app: Flask, session: Session, make):
    meeting = make.meeting(name="第十届第四次会议", year=2025, number_prefix="Z")
    agency = make.agency(name="区交通局")
    now = datetime.now(UTC)
    public = make.proposal(
        title="关于公交的建议", meeting_id=meeting.id, number=3, status="replied", published_at=now
    )
    first = make.suggestion(public, title="增开线路")
    make.suggestion(public, title="细则", parent_id=first.id, position=1, n=None, marker="（一）")
    reply = make.reply(public, agency_id=agency.id, outcome="A", date_on=now.date())
    make.link(make.point(reply), first)
    make.proposal(title="未公开", meeting_id=meeting.id, number=4)
    make.proposal(title="暂不公开", meeting_id=meeting.id, withheld_reason="涉密", withheld_at=now)
    make.proposal(
        title="并入", status="merged", merged_into_id=public.id, published_at=now - timedelta(days=1)
    )
    generation.bump(session)
    session.commit()
    app.config["API_RATE_LIMIT"] = ""  # thousands of calls from one address: the limit has its own test
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


# schemathesis's own pytest decorator (``from_fixture``) reads a pytest attribute that pytest 9
# removed, so the operations are walked here with its strategies and hypothesis's ``given``.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_does_what_its_document_says(api_schema, mode: GenerationMode) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}",
        "/api/v1/proposals",
        "/api/v1/proposals/{proposal_id}",
        "/api/v1/proposals/{proposal_id}/replies",
        "/api/v1/agencies",
        "/api/v1/statistics",
    }
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not (len(operation.query) or len(operation.path_parameters)):
            continue  # nothing to get wrong in a request without parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def check(case) -> None:
            case.call_and_validate()

        check()
