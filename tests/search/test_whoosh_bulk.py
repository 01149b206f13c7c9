"""The rebuild's own writer (tracker/search/whoosh/bulk.py) writes what Whoosh's writer writes:
the same postings, blocks and statistics, stored fields, columns and lengths; it splits its output
into segments past a number of postings, and in several processes it commits their segments
together or, when a worker fails, the rebuild is done again in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from whoosh.reading import SegmentReader

from tracker.search import SearchBackend, SearchRequest
from tracker.search.documents import SearchDocument
from tracker.search.whoosh import WhooshBackend, bulk
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import Role, Viewer

STAFF = Viewer(Role.STAFF)
QUERIES = ("小微企业", "融资 担保", '"服务与管理"', "培训 OR 人才", "标题:企业", "financing", "第2号")


@pytest.fixture
def documents(app: Flask) -> list[SearchDocument]:
    docs = list(get_keeper(app)._all())
    assert len(docs) > 100  # the seeded archive: proposals, replies, reference documents
    return docs


def _segment_files(backend: WhooshBackend) -> dict[str, bytes]:
    """The files of the index's only segment, by name less the segment's (random) id."""
    ix = backend._index()
    (segment,) = ix._segments()
    prefix = f"{segment.indexname}_{segment.segid}"
    return {
        path.name.removeprefix(prefix): path.read_bytes()
        for path in backend.path.iterdir()
        if path.name.startswith(prefix)
    }


def _postings(backend: WhooshBackend) -> dict[tuple[str, bytes], Any]:
    """Every term of every segment, read back: its statistics and its postings (as documents of
    the whole index: segments offset)."""
    ix = backend._index()
    out: dict[tuple[str, bytes], Any] = {}
    base = 0
    for segment in ix._segments():
        reader = SegmentReader(ix.storage, ix.schema, segment)
        try:
            for fieldname, text in reader.all_terms():
                info = reader.term_info(fieldname, text)
                matcher = reader.postings(fieldname, text)
                postings = []
                while matcher.is_active():
                    postings.append((base + matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                before = out.get((fieldname, text), ((0, 0.0), []))
                out[(fieldname, text)] = (
                    (before[0][0] + info.doc_frequency(), before[0][1] + info.weight()),
                    before[1] + postings,
                )
            base += reader.doc_count_all()
        finally:
            reader.close()
    return out


def test_the_bulk_writer_writes_the_files_whooshs_writer_writes(
    documents: list[SearchDocument], tmp_path: Path
) -> None:
    whoosh, ours = WhooshBackend(tmp_path / "whoosh"), WhooshBackend(tmp_path / "bulk")
    assert whoosh._write_all(lambda: documents) == len(documents)
    assert ours._write_bulk(lambda: documents, procs=1) == len(documents)
    theirs, mine = _segment_files(whoosh), _segment_files(ours)
    assert sorted(mine) == sorted(theirs)
    for ext in theirs:  # terms, postings (blocks, their lengths and weights), stored fields, columns
        assert mine[ext] == theirs[ext], ext
    for backend in (whoosh, ours):
        backend.close()


def test_segments_split_by_postings_read_as_one(
    documents: list[SearchDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, split = WhooshBackend(tmp_path / "whole"), WhooshBackend(tmp_path / "split")
    whole._write_bulk(lambda: documents, procs=1)
    monkeypatch.setattr(bulk, "MAX_POSTINGS", 2_000)
    split._write_bulk(lambda: documents, procs=1)
    assert len(split._index()._segments()) > 3
    assert split.doc_count() == whole.doc_count() == len(documents)
    assert _postings(split) == _postings(whole)
    _same_answers(whole, split)
    for backend in (whole, split):
        backend.close()


def _same_answers(a: SearchBackend, b: SearchBackend) -> None:
    for text in QUERIES:
        request = SearchRequest(text=text, viewer=STAFF, page_size=1000)
        first, second = a.search(request), b.search(request)
        assert first.total == second.total > 0, text
        assert [g.facts.group for g in first.groups] == [g.facts.group for g in second.groups], text
        assert first.facets == second.facets, text


def test_a_parallel_rebuild_commits_every_workers_segments(
    documents: list[SearchDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 10)  # batches enough for both workers
    one, two = WhooshBackend(tmp_path / "one"), WhooshBackend(tmp_path / "two")
    one.rebuild(lambda: documents, procs=1)
    assert two.rebuild(lambda: documents, procs=2) == len(documents)
    assert not caplog.records  # no fallback to one process
    assert len(two._index()._segments()) == 2
    assert _postings(two).keys() == _postings(one).keys()
    _same_answers(one, two)
    for backend in (one, two):
        backend.close()


def test_a_failed_worker_leaves_the_rebuild_to_one_process(
    documents: list[SearchDocument], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def failing(*args: Any) -> None:
        raise RuntimeError("worker lost")

    original = bulk.write_parallel

    def counted(*args: Any, **kwargs: Any) -> int:
        calls.append(kwargs["procs"])
        return original(*args, **kwargs)

    monkeypatch.setattr(bulk, "_worker", failing)  # forked workers inherit it
    monkeypatch.setattr(bulk, "write_parallel", counted)
    backend = WhooshBackend(tmp_path / "index", lock_timeout=5)
    assert backend.rebuild(lambda: documents, procs=2) == len(documents)
    assert calls == [2]
    assert backend.doc_count() == len(documents)
    assert len(backend._index()._segments()) == 1  # written in this process
    backend.close()
