"""Segments pile up with updates and are merged by the tiered policy: a small merge by the update
itself, a large one by a process of its own by default (the request that wrote returns first, its
documents already searchable), or all in the request."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session
from whoosh.writing import SegmentWriter

from tracker.models import Proposal
from tracker.search import SearchBackend
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.whoosh import WhooshBackend, timing
from tracker.search.whoosh.arrays import Evaluator
from tracker.search.whoosh.facets import View
from tracker.search.whoosh.merging import (
    KEEP_SEGMENTS,
    MERGE_AT_SEGMENTS,
    busy_segments,
    main,
    merge,
    segments_to_merge,
)
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
    never leave the live index in more than MERGE_AT_SEGMENTS - 1 segments, and end at a handful.

    While a merging process merges (without the write lock), its segments stay until its swap and
    the updates merge the segments written meanwhile into one per INLINE_MERGE_DOCS documents: how
    many that makes depends on how long the merge takes (this machine's load), so the bound is
    checked when no merge is under way, and loosely while one is."""
    backend = WhooshBackend(tmp_path / "index", merge_in_background=background)
    try:
        backend.rebuild(lambda: _load([f"p{n}" for n in range(1, 101)]))
        quiet, merging = [], []
        for k in range(200):
            backend.index_documents([f"p{1000 + k}" if k % 2 else f"p{1 + k // 2}"], _load)
            # a merge seen running before the count: a swap in between only lowers the count
            running = bool(busy_segments(str(backend.path)))
            (merging if running else quiet).append(backend.segment_count())
        backend.wait_for_merge(timeout=60)
        assert max(quiet) <= MERGE_AT_SEGMENTS - 1, quiet
        assert max(merging, default=0) <= MERGE_AT_SEGMENTS + 2, merging
        assert background or not merging
        assert backend.segment_count() <= KEEP_SEGMENTS + 2
        assert backend.doc_count() == 200 * 6  # 100 built, 100 edited in place, 100 new
        assert backend.count("融资", viewer=ANONYMOUS) == 200
    finally:
        backend.close()


# -- a merge without the write lock (issue 14: submits waited for the merging process) ------------


def _edited(groups: Collection[str]) -> list[SearchDocument]:
    """The same groups after an edit: every unit's text replaced."""
    return [
        SearchDocument(
            key=unit.key,
            type=unit.type,
            title=unit.title,
            body="改为推进乡村振兴人才培养" if unit.position == 0 else unit.body,
            position=unit.position,
            facts=unit.facts,
            anchor=unit.anchor,
        )
        for unit in _load(groups)
    ]


def _piled_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WhooshBackend:
    """An index rebuilt with p1..p20, then p101..p108 committed a segment each, unmerged: the merge
    policy takes the eight small segments (p103 and p105 among them)."""
    backend = WhooshBackend(tmp_path / "index", merge_in_background=False)
    backend.rebuild(lambda: _load([f"p{n}" for n in range(1, 21)]))
    with monkeypatch.context() as patch:
        patch.setattr(backend, "_merge_plan", lambda *_: ([], False))
        for n in range(101, 109):
            backend.index_documents([f"p{n}"], _load)
    assert backend.segment_count() == 9
    return backend


@contextmanager
def _paused_merge(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A merge of ``path`` running in a thread, stopped as it starts reading the segments it merges
    until the block ends; the merge's result is checked (True: merged) when it finishes."""
    reached, go = threading.Event(), threading.Event()
    original = SegmentWriter.add_reader

    def add_reader(writer: SegmentWriter, reader: object) -> None:
        if threading.current_thread().name == "merging":
            reached.set()
            go.wait(60)
        original(writer, reader)

    monkeypatch.setattr(SegmentWriter, "add_reader", add_reader)
    outcome: list[bool] = []
    thread = threading.Thread(target=lambda: outcome.append(merge(str(path))), name="merging")
    thread.start()
    try:
        assert reached.wait(30)
        yield reached
    finally:
        go.set()
        thread.join(60)
    assert outcome == [True]


def test_a_merge_in_progress_does_not_block_an_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the merging process merges, an update takes the write lock at once (it waited for the
    whole merge, up to the lock timeout, before), and is searchable when it returns."""
    backend = _piled_up(tmp_path, monkeypatch)
    try:
        with _paused_merge(backend.path, monkeypatch):
            backend.lock_timeout = 1.0  # the merge would hold the lock far longer than this
            backend.index_documents(["p200"], _edited)
            assert backend.count("乡村振兴", viewer=ANONYMOUS) == 1
        assert backend.segment_count() < 9  # and the merge was swapped in
        assert backend.count("乡村振兴", viewer=ANONYMOUS) == 1
        assert backend.doc_count() == 29 * 6
    finally:
        backend.close()


def test_documents_replaced_or_deleted_during_a_merge_do_not_come_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge reads its segments as they were when it began; an update replacing a unit of one of
    them, and a deletion, made while it merges, are carried over to the merged segment at the swap."""
    backend = _piled_up(tmp_path, monkeypatch)
    try:
        assert backend.count("融资", viewer=ANONYMOUS) == 28
        with _paused_merge(backend.path, monkeypatch):
            backend.index_documents(["p103"], _edited)  # its old units are in a segment being merged
            backend.delete(["p105"])
            backend.index_documents(["p7"], _edited)  # in the rebuilt segment, not merged
        assert backend.segment_count() < 9
        assert backend.count("融资", viewer=ANONYMOUS) == 25  # p103, p105 and p7 no longer say it
        assert backend.count("乡村振兴", viewer=ANONYMOUS) == 2
        state = backend.state()
        assert "p105" not in state.counts
        assert state.counts["p103"] == state.counts["p7"] == state.counts["p104"] == 6
        assert backend.doc_count() == 27 * 6
    finally:
        backend.close()


# dies the third time the merge reads a segment: files of the new segment half written
_DYING_MERGE = """
import os, sys
from whoosh.writing import SegmentWriter
from tracker.search.whoosh import merging
original, calls = SegmentWriter.add_reader, []
def add_reader(writer, reader):
    calls.append(1)
    if len(calls) == 3:
        os._exit(9)
    original(writer, reader)
SegmentWriter.add_reader = add_reader
merging.merge(sys.argv[1])
"""


def test_a_merging_process_that_dies_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _piled_up(tmp_path, monkeypatch)
    try:
        died = subprocess.run(
            [sys.executable, "-c", _DYING_MERGE, str(backend.path)], env={**os.environ}, timeout=120
        )
        assert died.returncode == 9
        assert backend.segment_count() == 9  # the index as it was
        assert backend.doc_count() == 28 * 6
        assert backend.count("融资", viewer=ANONYMOUS) == 28
        monkeypatch.setattr(backend, "_merge_plan", lambda *_: ([], False))
        backend.index_documents(["p300"], _edited)  # writers go on (the locks died with it)
        assert backend.segment_count() == 10
        assert merge(str(backend.path)) is True  # and so does the next merge
        assert backend.segment_count() < 9
        assert backend.count("融资", viewer=ANONYMOUS) == 28
        assert backend.count("乡村振兴", viewer=ANONYMOUS) == 1
        # nothing of the dead merge is left behind: every segment file belongs to the index
        with backend._searching() as searcher:
            live = {leaf.reader().segment().segment_id() for leaf, _base in searcher.leaf_searchers()}
        strays = [
            n
            for n in os.listdir(backend.path)
            if n.startswith("units_") and "LOCK" not in n and n.split(".")[0] not in live
        ]
        assert strays == []
        assert not (backend.path / "merging").exists()
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("sizes", "busy", "plan"),
    [
        ([*BIG, 10, 12], 2, ([], False)),  # few segments, counting those being merged
        # a merge under way: the small segments written since join the update, never a busy one
        ([*BIG, 10, 12], 4, ([2, 3], False)),
        ([*BIG, 4000, 10, 12, 9], 3, ([3, 4, 5], False)),
        # and a large one is left alone (the running process merges again once it swapped)
        ([*BIG, 4000], 6, ([], False)),
    ],
)
def test_what_an_update_merges_while_a_merge_runs(
    tmp_path: Path, sizes: list[int], busy: int, plan: tuple[list[int], bool]
) -> None:
    backend = WhooshBackend(tmp_path / "index")
    assert backend._merge_plan(sizes, 6, busy) == plan


def test_a_searcher_opened_as_a_merge_swaps_its_segments_out_opens_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merging process swaps its segment in while this process opens a searcher on the previous
    generation: the replaced segments' files are gone before they were read, and the searcher is
    opened again on the new generation (Whoosh reads a missing stored-fields file as None)."""
    backend = _piled_up(tmp_path, monkeypatch)
    try:
        backend._drop_searcher()
        original, merged = View.__init__, []

        def view(self: View, searcher: object, cache: object) -> None:
            if not merged:
                merged.append(merge(str(backend.path)))
            original(self, searcher, cache)

        monkeypatch.setattr(View, "__init__", view)
        assert backend.count("融资", viewer=ANONYMOUS) == 28
        assert merged == [True] and backend.segment_count() < 9
    finally:
        backend.close()


def test_writers_lock_times_are_recorded_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _piled_up(tmp_path, monkeypatch)
    target = tmp_path / "locks.jsonl"
    monkeypatch.setenv(timing.ENV, str(target))
    monkeypatch.setattr(backend, "_merge_plan", lambda *_: ([], False))  # the merge left to merge()
    try:
        backend.index_documents(["p400"], _edited)
        assert merge(str(backend.path)) is True
        lines = timing.read(str(target))
        assert [line["what"] for line in lines] == ["update", "merge-plan", "merge-swap"]
        assert all(line["wait"] >= 0 and line["hold"] >= 0 for line in lines)
        monkeypatch.setenv(timing.ENV, str(tmp_path / "missing" / "locks.jsonl"))
        backend.index_documents(["p401"], _edited)  # a place it cannot write to fails nothing
        assert backend.count("乡村振兴", viewer=ANONYMOUS) == 2
    finally:
        backend.close()


def test_closing_leaves_a_merge_that_outlasts_its_wait_at_work(
    backend: SearchBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100,000 proposals the first merge after a rebuild took more than the minute closing
    waits, and close() raised TimeoutExpired: it now leaves the merging process to finish."""
    import subprocess
    import sys

    from tracker.search.whoosh import store

    assert isinstance(backend, WhooshBackend)
    monkeypatch.setattr(store, "CLOSE_MERGE_WAIT", 0.05)
    slow = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    backend._merger = slow  # a merge still at work
    try:
        backend.close()
        assert slow.poll() is None  # not waited for to the end, not killed
    finally:
        slow.kill()
        slow.wait()
