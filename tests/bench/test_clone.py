"""`scripts/bench_archive.py clone` (tracker.bench.clone): a kept archive multiplied in SQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import func, select

from tracker.bench.clone import clone_archive
from tracker.bench.corpus import generate
from tracker.bench.run import SEEDS_DIR, load_corpus
from tracker.db import get_engine, session_scope
from tracker.generation import current
from tracker.models import Assignment, PointLink, Proposal, Reply, ReplyPoint, Suggestion
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import ANONYMOUS

COPIED = [Proposal, Suggestion, Reply, ReplyPoint, PointLink, Assignment]


def _counts(app: Flask) -> dict[str, int]:
    with session_scope(app) as session:
        return {m.__tablename__: session.exec(select(func.count()).select_from(m)).one() for m in COPIED}


@pytest.fixture
def archive(app: Flask) -> Flask:
    load_corpus(app.config["DATABASE_URL"], generate(proposals=12, seed=3, seeds_dir=SEEDS_DIR))
    return app


def test_clone_multiplies_the_proposals_and_what_hangs_off_them(archive: Flask, client: FlaskClient) -> None:
    app = archive
    before = _counts(app)
    assert before["proposal"] >= 12 and before["reply_point"] > 0 and before["point_link"] > 0
    with session_scope(app) as session:
        generation = current(session)
        original = session.exec(
            select(Proposal).where(Proposal.number.is_not(None)).order_by(Proposal.id)
        ).first()
        assert original is not None
        top = session.exec(select(func.max(Proposal.id))).one()
        top_number = session.exec(select(func.max(Proposal.number))).one()
        first, title, meeting_id, number = original.id, original.title, original.meeting_id, original.number
        links = len(
            session.exec(select(PointLink).join(Suggestion).where(Suggestion.proposal_id == first)).all()
        )

    with session_scope(app) as session:  # the original public, so are its copies
        session.exec(sa.update(Proposal).where(Proposal.id == first).values(published_at=func.now()))
    get_keeper(app).rebuild()
    found = get_keeper(app).backend.count(f'"{title}"', viewer=ANONYMOUS)
    assert found >= 1

    cloned = clone_archive(get_engine(app), 3)

    after = _counts(app)
    assert after == {name: 3 * n for name, n in before.items()}
    assert cloned.before["proposal"] == before["proposal"] and cloned.after["proposal"] == after["proposal"]
    with session_scope(app) as session:
        assert current(session) > generation  # pages kept by a running server are not served again
        copy = session.get(Proposal, first + 2 * top)
        assert copy is not None and copy.title == title and copy.meeting_id == meeting_id
        assert copy.number == number + 2 * top_number  # a new 案号 in the same session
        # each copy's rows refer to that copy's rows, as the originals do
        copied_links = session.exec(
            select(PointLink).join(Suggestion).where(Suggestion.proposal_id == copy.id)
        ).all()
        assert len(copied_links) == links
        for link in copied_links:
            point = session.get(ReplyPoint, link.reply_point_id)
            assert point is not None and session.get(Reply, point.reply_id).proposal_id == copy.id
        # 案号 unique per session (the constraint holds, and no two rows share one)
        pairs = session.exec(
            select(Proposal.meeting_id, Proposal.number).where(Proposal.number.is_not(None))
        ).all()
        assert len(pairs) == len(set(pairs))
        if get_engine(app).dialect.name == "sqlite":
            assert session.connection().exec_driver_sql("PRAGMA foreign_key_check").all() == []
        # the app still hands out fresh ids after the copies (PostgreSQL's sequences moved)
        new = Proposal(title="关于克隆之后新提案的提案", status="submitted")
        session.add(new)
        session.flush()
        assert new.id is not None and new.id > 3 * top

    # the app opens a copy, and search finds every copy once the index is rebuilt
    get_keeper(app).rebuild()
    copy_id = first + 2 * top
    page = client.get(f"/proposals/{copy_id}")
    assert page.status_code == 200 and title in page.get_data(as_text=True)
    backend = get_keeper(app).backend
    assert backend.count(f'"{title}"', viewer=ANONYMOUS) == 3 * found


def test_clone_wants_at_least_two_copies(app: Flask) -> None:
    with pytest.raises(ValueError):
        clone_archive(get_engine(app), 1)


def test_clone_leaves_the_archive_as_it_was_when_it_fails(
    archive: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: a failure half way through copies nothing."""
    before = _counts(archive)
    import tracker.bench.clone as clone

    calls = {"n": 0}
    original = clone._copy

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("stopped")
        return original(*args, **kwargs)

    monkeypatch.setattr(clone, "_copy", failing)
    with pytest.raises(RuntimeError):
        clone_archive(get_engine(archive), 2)
    assert _counts(archive) == before
