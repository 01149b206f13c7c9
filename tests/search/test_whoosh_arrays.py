"""The array evaluator against Whoosh's own matchers: same documents for every kind of query,
on an index with several segments and deleted documents; BM25 as Whoosh scores a term."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session
from whoosh import query

from tracker.models import Proposal
from tracker.search import SearchBackend
from tracker.search.whoosh import WhooshBackend
from tracker.search.whoosh.arrays import (
    Evaluator,
    Frame,
    Hits,
    SegmentCache,
    difference,
    intersection,
    union,
)

# what users type (parsed as the search box parses it), and query nodes built by hand
TYPED = [
    "中小企业",
    "培训",
    "融资 担保",
    "人才 OR 招聘",
    "培训 -补贴",
    '"服务与管理"',
    '"电子商务平台"',
    "标题:人才",
    "小型微型企业",
    "提案人:戴培红",
    "商务平台",
    "nosuchword",
    "",
]
BUILT = [
    query.Term("text", "企业"),
    query.Term("type", "suggestion"),
    query.Phrase("text", ["服务", "与", "管理"]),
    query.Phrase("text", ["管理", "与", "服务"]),  # the words, not in this order
    query.And([query.Term("text", "企业"), query.Not(query.Term("text", "培训"))]),
    query.AndNot(query.Term("text", "企业"), query.Term("text", "融资")),
    query.AndMaybe(query.Term("text", "企业"), query.Term("text", "融资")),
    query.Require(query.Term("text", "企业"), query.Term("text", "融资")),
    query.Or([query.Term("text", "融资"), query.Term("title", "人才", boost=2.0)]),
    query.Prefix("text", "企"),  # not evaluated here: Whoosh's matcher, converted
    query.ConstantScoreQuery(query.Term("number", "2"), 1.0),
    query.Every(),
]


def whoosh_docs(backend: WhooshBackend, q: query.Query) -> list[int]:
    with backend._searching() as searcher:
        return sorted(searcher.docs_for_query(q))


def evaluated(backend: WhooshBackend, q: query.Query, *, scored: bool = True) -> Hits:
    with backend._searching() as searcher:
        return Evaluator(Frame(searcher, SegmentCache()), scored=scored).run(q)


@pytest.fixture
def updated(backend: SearchBackend, session: Session) -> WhooshBackend:
    """The seeded index after an edit: a second segment, and the old units deleted from the first."""
    proposal = session.get(Proposal, 1)
    proposal.title = proposal.title + "（修订）"
    session.commit()
    assert isinstance(backend, WhooshBackend)
    with backend._searching() as searcher:
        assert len(list(searcher.leaf_searchers())) > 1
        assert searcher.reader().has_deletions()
    return backend


@pytest.mark.parametrize("text", TYPED)
def test_typed_queries_find_what_whoosh_finds(updated: WhooshBackend, text: str) -> None:
    q = updated.parse(text)
    expected = whoosh_docs(updated, q)
    assert evaluated(updated, q).docs.tolist() == expected
    assert evaluated(updated, q, scored=False).docs.tolist() == expected


@pytest.mark.parametrize("q", BUILT, ids=repr)
def test_query_nodes_find_what_whoosh_finds(updated: WhooshBackend, q: query.Query) -> None:
    assert evaluated(updated, q).docs.tolist() == whoosh_docs(updated, q)


def test_the_table_finds_something() -> None:
    # the comparisons above mean little if the queries match nothing: most of them must
    assert len([t for t in TYPED if t and t != "nosuchword"]) >= 10


@pytest.mark.parametrize("text", ["中小企业", "培训", "融资 担保", '"服务与管理"'])
def test_typed_queries_match_documents(updated: WhooshBackend, text: str) -> None:
    assert len(evaluated(updated, updated.parse(text))) > 0


def test_term_scores_are_whooshs_bm25(updated: WhooshBackend) -> None:
    q = query.Term("text", "企业")
    hits = evaluated(updated, q)
    with updated._searching() as searcher:
        results = searcher.search(q, limit=None)
        expected = {hit.docnum: hit.score for hit in results}
    assert dict(zip(hits.docs.tolist(), hits.scores.tolist(), strict=True)) == pytest.approx(expected)


def test_phrase_counts_each_occurrence(updated: WhooshBackend) -> None:
    one = evaluated(updated, query.Phrase("text", ["服务", "与", "管理"]))
    assert len(one) and (one.scores > 0).all()


def test_set_operations_add_scores() -> None:
    a = Hits(np.array([1, 3, 5]), np.array([1.0, 1.0, 1.0]))
    b = Hits(np.array([3, 4]), np.array([2.0, 2.0]))
    assert union([a, b]).docs.tolist() == [1, 3, 4, 5]
    assert union([a, b]).scores.tolist() == [1.0, 3.0, 2.0, 1.0]
    assert intersection([a, b]).docs.tolist() == [3]
    assert intersection([a, b]).scores.tolist() == [3.0]
    assert difference(a, b).docs.tolist() == [1, 5]
    assert union([]).docs.tolist() == []


@pytest.mark.parametrize(
    ("size", "lengths"),
    [
        (1_000_000, (3, 5)),  # a few documents among many: sorted (np.unique)
        (2_000, (1_500, 1_800, 900)),  # most documents: added up densely
        (64, (4, 0, 60)),  # at the threshold, with an empty part
    ],
)
def test_union_gives_the_same_documents_and_sums_by_either_path(size: int, lengths: tuple[int, ...]) -> None:
    rng = np.random.default_rng(size)
    parts = [
        Hits(np.sort(rng.choice(size, n, replace=False)).astype(np.int64), rng.random(n)) for n in lengths
    ]
    docs = np.concatenate([p.docs for p in parts])
    expected: dict[int, float] = {}
    for d, s in zip(docs.tolist(), np.concatenate([p.scores for p in parts]).tolist(), strict=True):
        expected[d] = expected.get(d, 0.0) + s
    found = union(parts)
    assert found.docs.dtype == np.int64
    assert found.docs.tolist() == sorted(expected)
    assert found.scores.tolist() == pytest.approx([expected[d] for d in sorted(expected)])


def test_cached_postings_survive_a_new_searcher_but_not_a_merge(updated: WhooshBackend) -> None:
    segments = SegmentCache()
    q = query.Term("text", "企业")
    with updated._searching() as searcher:
        first = Evaluator(Frame(searcher, segments)).run(q)
    assert segments._postings
    with updated._searching() as searcher:
        again = Evaluator(Frame(searcher, segments)).run(q)
    assert again.docs.tolist() == first.docs.tolist()
    # a rebuild replaces every segment: nothing cached for the old ones is kept
    old = set(segments._postings)
    updated.rebuild(lambda: [])
    with updated._searching() as searcher:
        Frame(searcher, segments)
    assert not old & set(segments._postings)
