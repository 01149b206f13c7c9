"""The archive's generation: bumped once by every transaction that changes what the public sees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlmodel import Session

from tracker import generation
from tracker.db import get_engine
from tracker.models import LoginAttempt, Proposal, Suggestion


def _count(app: Flask) -> int:
    with Session(get_engine(app)) as session:
        return generation.current(session)


@pytest.mark.parametrize(
    ("change", "bumps"),
    [
        (lambda s: setattr(s.get(Proposal, 1), "title", "关于…的建议（修订）"), 1),
        (lambda s: s.delete(s.get(Suggestion, 1)), 1),
        # bookkeeping the public never sees
        (lambda s: s.add(LoginAttempt(address="127.0.0.1", at=datetime.now(UTC))), 0),
        (lambda s: None, 0),
    ],
)
def test_a_commit_bumps_it_once_when_the_public_sees_the_change(app: Flask, change, bumps: int) -> None:
    before = _count(app)
    with Session(get_engine(app)) as session:
        change(session)
        session.flush()
        change(session) if bumps == 0 else None  # a second flush in the same transaction
        session.flush()
        session.commit()
    assert _count(app) == before + bumps


def test_a_rollback_leaves_it(app: Flask) -> None:
    before = _count(app)
    with Session(get_engine(app)) as session:
        session.get(Proposal, 1).title = "不会保存"
        session.flush()
        session.rollback()
        session.commit()  # nothing left to commit: no bump for the rolled-back change
    assert _count(app) == before


def test_it_is_visible_to_another_connection_only_with_the_rows(app: Flask) -> None:
    before = _count(app)
    writer = Session(get_engine(app))
    writer.get(Proposal, 1).title = "同时可见"
    writer.flush()
    assert _count(app) == before  # not committed: neither the row nor the count
    writer.commit()
    writer.close()
    with Session(get_engine(app)) as reader:
        assert reader.get(Proposal, 1).title == "同时可见"
        assert generation.current(reader) == before + 1
