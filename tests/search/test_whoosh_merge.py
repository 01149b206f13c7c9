"""Segments pile up with updates and are merged by the tiered policy: a small merge by the update
itself, a large one by a process of its own by default (the request that wrote returns first, its
documents already searchable), or all in the request."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tracker.models import Proposal
from tracker.search import SearchBackend
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.whoosh import WhooshBackend
from tracker.search.whoosh.arrays import Evaluator
from tracker.search.whoosh.merging import KEEP_SEGMENTS, MERGE_AT_SEGMENTS, main, merge, segments_to_merge
from tracker.services.visibility import ANONYMOUS
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
    monkeypatch.setattr(backend, "_merge_plan", lambda *_: ([], False))  # segments pile up unmerged
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
    monkeypatch.setattr(backend, "_merge_plan", lambda *_: ([], False))
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


BIG = [56_000, 57_000]  # two segments of a rebuild in two processes


@pytest.mark.parametrize(
    ("sizes", "options", "merged"),
    [
        ([], {}, []),
        ([10] * 5, {"keep": 5}, []),  # no more than it keeps
        ([500, 10, 10], {"keep": 2}, [1, 2]),  # the smallest two, so that two remain
        # segments of about the same size all join (each at most twice what is merged already)
        ([*BIG, 10, 12, 11, 9, 10, 13], {"keep": 5}, [2, 3, 4, 5, 6, 7]),
        # tiers: the recent small segments merge; a tier over twice their total stays
        ([*BIG, 4000, 900, 200, 10, 10, 10], {"keep": 5}, [4, 5, 6, 7]),
        ([*BIG, 4000, 900, 200, 10, 10, 10], {"keep": 5, "ratio": 0.1}, [2, 3, 4, 5, 6, 7]),
        ([1000, 600, 600, 600], {"keep": 2}, [0, 1, 2, 3]),  # a larger one joins once comparable
        # what an update merges itself: the smallest up to the limit, the larger ones count as kept
        ([*BIG, 4000, 900, 200, 10, 10, 10], {"keep": 5, "limit": 1000}, [4, 5, 6, 7]),
        ([*BIG, 4000, 900, 200, 10, 10, 10], {"keep": 5, "limit": 100}, [5, 6, 7]),
        ([*BIG, 4000, 900, 200, 10, 10, 10], {"keep": 5, "limit": 5}, []),
    ],
)
def test_which_segments_merge(sizes: list[int], options: dict, merged: list[int]) -> None:
    assert segments_to_merge(sizes, **options) == merged


def _units(group: str) -> Iterator[SearchDocument]:
    number = int(group[1:])
    facts = GroupFacts(
        group=group, title=f"关于第{number}号提案", published=True, proposal_id=number, number=number
    )
    yield SearchDocument(
        key=group,
        type=UnitType.PROPOSAL,
        title=facts.title,
        body="加强小微企业融资服务",
        position=0,
        facts=facts,
    )
    for k in range(1, 6):
        yield SearchDocument(
            key=f"s{number}-{k}",
            type=UnitType.SUGGESTION,
            title="",
            body=f"建议{k}：完善公共服务平台",
            position=k,
            facts=facts,
            anchor=f"s{k}",
        )


def _load(groups: Collection[str]) -> list[SearchDocument]:
    return [unit for group in groups for unit in _units(group)]


@pytest.mark.parametrize("background", [True, False])
def test_a_stream_of_single_updates_leaves_a_handful_of_segments(tmp_path: Path, background: bool) -> None:
    """200 commits of one proposal each (new ones and edits of old ones, as submits and replies come)
    never leave the live index in more than MERGE_AT_SEGMENTS segments, and end at a handful."""
    backend = WhooshBackend(tmp_path / "index", merge_in_background=background)
    try:
        backend.rebuild(lambda: _load([f"p{n}" for n in range(1, 101)]))
        seen = []
        for k in range(200):
            backend.index_documents([f"p{1000 + k}" if k % 2 else f"p{1 + k // 2}"], _load)
            seen.append(backend.segment_count())
        backend.wait_for_merge(timeout=60)
        assert max(seen) <= MERGE_AT_SEGMENTS - 1, seen
        assert backend.segment_count() <= KEEP_SEGMENTS + 2
        assert backend.doc_count() == 200 * 6  # 100 built, 100 edited in place, 100 new
        assert backend.count("融资", viewer=ANONYMOUS) == 200
    finally:
        backend.close()
