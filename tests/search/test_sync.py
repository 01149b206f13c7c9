"""The index follows commits and only commits: flushes, rollbacks and savepoints leave it alone."""

from __future__ import annotations

import fcntl
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session

from tracker.models import Agency, Proposal, ProposalSigner, ReplyPoint
from tracker.search import SearchBackend, get_backend
from tracker.search.whoosh.store import WRITE_LOCK
from tracker.services.library import record_reference
from tracker.services.search_sync import get_keeper, marks_of
from tracker.services.visibility import ANONYMOUS, Role, Viewer

STAFF = Viewer(Role.STAFF)


def _proposal(make: Any, title: str = "关于开通夜间公交线路的建议", **values: Any) -> Proposal:
    proposal = make.proposal(title=title, published_at=datetime.now(UTC), **values)
    make.suggestion(proposal, title="开通夜班公交", text="开通夜班公交。在主要客流走廊开通夜班公交线路。")
    return proposal


def test_a_commit_is_searchable_at_once(backend: SearchBackend, session: Session, make: Any) -> None:
    _proposal(make)
    assert backend.count("夜班公交", viewer=STAFF) == 0  # flushed, not committed
    session.commit()
    assert backend.count("夜班公交", viewer=STAFF) == 1


def test_a_rollback_leaves_nothing_in_the_index(backend: SearchBackend, session: Session, make: Any) -> None:
    before = backend.doc_count()
    _proposal(make)
    session.rollback()
    assert backend.count("夜班公交", viewer=STAFF) == 0
    assert backend.doc_count() == before
    # and the notes of the rolled-back flush do not ride along with the next commit
    assert "tracker.search.changed" not in session.info


def test_a_released_savepoint_waits_for_the_outer_commit(
    backend: SearchBackend, session: Session, make: Any
) -> None:
    nested = session.begin_nested()
    _proposal(make)
    nested.commit()
    assert backend.count("夜班公交", viewer=STAFF) == 0
    session.rollback()
    assert backend.count("夜班公交", viewer=STAFF) == 0

    nested = session.begin_nested()
    _proposal(make)
    nested.commit()
    session.commit()
    assert backend.count("夜班公交", viewer=STAFF) == 1


def test_an_edit_replaces_the_old_text(backend: SearchBackend, session: Session) -> None:
    assert backend.count('标题:"加强小型微型企业"', viewer=ANONYMOUS) == 1
    proposal = session.get(Proposal, 1)
    proposal.title = "关于加强小微企业梯度培育的建议"
    session.commit()
    assert backend.count("梯度培育", viewer=ANONYMOUS) == 1
    assert backend.count('标题:"加强小型微型企业"', viewer=ANONYMOUS) == 0


def test_a_deleted_proposal_leaves_the_index(backend: SearchBackend, session: Session, make: Any) -> None:
    proposal = _proposal(make)
    session.commit()
    session.delete(proposal)
    session.commit()
    assert backend.count("夜班公交", viewer=STAFF) == 0


def test_a_point_added_to_a_reply_is_indexed_with_its_proposal(
    backend: SearchBackend, session: Session
) -> None:
    session.add(
        ReplyPoint(
            reply_id=1,
            position=99,
            n=6,
            marker="六、",
            heading="关于夜市经济",
            text="关于夜市经济。另行研究。",
        )
    )
    session.commit()
    results = backend.count("夜市经济", viewer=ANONYMOUS)
    assert results == 1


def test_publishing_makes_a_proposal_public(backend: SearchBackend, session: Session, make: Any) -> None:
    proposal = make.proposal(title="关于设置共享单车停放区的建议")
    make.suggestion(proposal, title="划定停放区", text="划定停放区。在地铁站周边划定共享单车停放区。")
    session.commit()
    assert backend.count("共享单车", viewer=ANONYMOUS) == 0
    proposal.published_at = datetime.now(UTC)
    session.commit()
    assert backend.count("共享单车", viewer=ANONYMOUS) == 1


def test_a_new_cosigner_may_find_the_proposal(backend: SearchBackend, session: Session, make: Any) -> None:
    proposal = make.proposal(title="关于设置共享单车停放区的建议")
    make.suggestion(proposal, text="在地铁站周边划定共享单车停放区。")
    member = make.member(name="丙委员")
    session.commit()
    viewer = Viewer(Role.MEMBER, member_id=member.id)
    assert backend.count("共享单车", viewer=viewer) == 0
    session.add(ProposalSigner(proposal_id=proposal.id, member_id=member.id, role="cosigner"))
    session.commit()
    assert backend.count("共享单车", viewer=viewer) == 1


def test_renaming_an_agency_updates_its_proposals(backend: SearchBackend, session: Session, find) -> None:
    agency = session.get(Agency, 1)
    agency.name = "镇海区经济和信息化局"
    session.commit()
    facets = {f.value for f in find("培训").results.facets["agency"]}
    assert facets == {"镇海区经济和信息化局"}


def test_a_new_reference_document_is_searchable(backend: SearchBackend, session: Session) -> None:
    record_reference(
        session=session,
        slug="night-economy",
        text="关于发展夜间经济的意见\n一、总体要求\n发展夜间经济，繁荣夜市。\n二、主要任务\n建设夜间消费集聚区。\n",
        title="关于发展夜间经济的意见",
    )
    session.commit()
    assert backend.count("夜间消费集聚区", viewer=ANONYMOUS) == 1


def test_marks_name_the_groups_rows_belong_to() -> None:
    assert set(marks_of(Proposal(id=5, title="x"))) == {("p", 5)}
    assert set(marks_of(ProposalSigner(proposal_id=5, member_id=1))) == {("p", 5)}
    assert set(marks_of(ReplyPoint(id=3, reply_id=7, position=0))) == {("reply", 7)}
    assert set(marks_of(Agency(id=2, name="x"))) == {("agency", 2)}


def test_a_busy_index_defers_the_update_until_the_lock_is_free(
    app: Flask, backend: SearchBackend, session: Session, make: Any
) -> None:
    backend.lock_timeout = 0.2
    # Another process holds Whoosh's write lock (an exclusive flock on this file).
    lock = (Path(app.config["SEARCH_INDEX_DIR"]) / WRITE_LOCK).open("w")
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        _proposal(make)
        session.commit()  # the commit succeeds; the index update waits in pending/
        assert backend.pending()
        assert backend.count("夜班公交", viewer=STAFF) == 0
    finally:
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()
    deadline = time.monotonic() + 10
    while backend.pending() and time.monotonic() < deadline:
        time.sleep(0.1)  # the retry thread runs after 0.5 s
    assert not backend.pending()
    assert backend.count("夜班公交", viewer=STAFF) == 1
    assert not list((Path(app.config["SEARCH_INDEX_DIR"]) / "pending").glob("*.json"))
    assert get_backend(app) is backend
    assert get_keeper(app).check() == "up to date"
