"""Segments pile up with updates and are merged: by a process of their own by default (the
request that wrote returns first, its documents already searchable), or in the request."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session

from tracker.models import Proposal
from tracker.search import SearchBackend
from tracker.search.whoosh_arrays import Evaluator
from tracker.search.whoosh_index import MERGE_AT_SEGMENTS, WhooshBackend
from tracker.search.whoosh_merge import main, merge
from tracker.services.workflow import utcnow


def segments(backend: WhooshBackend) -> int:
    with backend._searching() as searcher:
        return len(list(searcher.leaf_searchers()))


def edit(session: Session, times: int) -> None:
    proposal = session.get(Proposal, 1)
    for k in range(times):
        proposal.title = f"关于扶持小微企业发展的提案（第{k}稿）"
        session.commit()


@pytest.mark.parametrize("background", [True, False])
def test_segments_are_merged_once_they_pile_up(
    backend: SearchBackend, session: Session, find, background: bool
) -> None:
    assert isinstance(backend, WhooshBackend)
    backend.merge_in_background = background
    edit(session, MERGE_AT_SEGMENTS + 2)
    backend.wait_for_merge(timeout=60)
    assert segments(backend) < MERGE_AT_SEGMENTS
    # every edit was searchable when its commit returned, and the last one still is
    assert find("第9稿").results.total == 1
    assert find("第8稿").results.total == 0


def test_the_merge_command(backend: SearchBackend, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(backend, WhooshBackend)
    monkeypatch.setattr(backend, "_merge_soon", lambda: None)  # segments pile up unmerged
    edit(session, MERGE_AT_SEGMENTS + 2)
    before = segments(backend)
    assert before >= MERGE_AT_SEGMENTS
    assert merge(str(backend.path)) is True
    assert segments(backend) < before
    assert main([]) == 2


def test_a_searcher_answers_after_a_merge_deleted_its_segments_files(
    backend: SearchBackend, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's merge deletes the files of the segments it replaced; a searcher opened
    before reads what it needs when it opens, so it still answers (files opened lazily would be
    gone: the facts of those segments' documents would read as missing)."""
    assert isinstance(backend, WhooshBackend)
    monkeypatch.setattr(backend, "_merge_soon", lambda: None)
    for k in range(MERGE_AT_SEGMENTS + 1):  # a segment each, every one with live documents
        session.add(
            Proposal(
                title=f"关于新增企业的提案{k}",
                status="submitted",
                original_text=f"新增企业{k}",
                published_at=utcnow(),
            )
        )
        session.commit()
    with backend._searching():
        view = backend._view
    assert view is not None
    before = set(os.listdir(backend.path))
    assert merge(str(backend.path)) is True
    assert {n for n in before - set(os.listdir(backend.path)) if n.endswith(".col")}  # deleted
    hits = Evaluator(view.frame).run(backend.parse("新增企业"))
    assert len(hits) == MERGE_AT_SEGMENTS + 1
    assert (view.groups.of_doc[hits.docs] >= 0).all()
    assert view.groups.group_counts("status", view.groups.first >= 0).get("submitted", 0) >= len(hits)
    assert all(view.searcher.stored_fields(int(d))["type"] == "proposal" for d in hits.docs)
