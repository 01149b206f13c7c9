"""Segments pile up with updates and are merged: by a process of their own by default (the
request that wrote returns first, its documents already searchable), or in the request."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tracker.models import Proposal
from tracker.search import SearchBackend
from tracker.search.whoosh_index import MERGE_AT_SEGMENTS, WhooshBackend
from tracker.search.whoosh_merge import main, merge


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
