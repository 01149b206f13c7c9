"""Issue 11, item 10: a quoted phrase matches inside one passage of one field, never across two.

A unit's ``text`` field holds its title and body together, and a body holds several paragraphs:
the analyzer leaves a gap of positions at every line break, so the words either side of one are
not consecutive. Both evaluators read those positions: the numpy one (the search page) and Whoosh's
own matcher (the fallback) must agree on every row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session

from tracker.search import SearchBackend, SearchRequest, analysis
from tracker.search.whoosh import WhooshBackend
from tracker.search.whoosh.arrays import Evaluator, Frame, SegmentCache
from tracker.services.visibility import ANONYMOUS


def test_the_issues_phrase_no_longer_spans_a_clause_heading_and_its_text(found) -> None:
    # beijing#c5-4: the heading ends 担保体系 and the clause's text starts 完善…
    assert found('"担保体系完善"') == []
    assert found('"服务体系完善"') == []
    # the words themselves, unquoted, still find the clause (all words, any passage)
    assert "beijing#c5-4" in found("担保体系 完善")
    # and a phrase inside one passage still matches
    assert "beijing#c5-4" in found('"完善信用担保体系"')


def test_a_line_break_leaves_a_gap_of_positions() -> None:
    tokens = [(t.text, t.position) for t in analysis.index_tokens("融资担保体系\n完善制度")]
    positions = dict(tokens)
    assert positions["完善"] - positions["体系"] == analysis.PASSAGE_GAP + 1
    # inside one line, positions stay consecutive
    assert positions["体系"] - positions["担保"] == 1


# (title, body, quoted phrase, whether it matches): the unit is a suggestion of a new proposal
TABLE: list[tuple[str, str, str, bool]] = [
    # across the title and the body (the issue's case)
    ("健全融资担保体系", "完善风险补偿机制。", "担保体系完善", False),
    ("健全融资担保体系", "完善风险补偿机制。", "体系完善风险", False),
    # across two paragraphs of the body
    ("风险补偿", "健全夜间公交网络\n完善站点设施。", "公交网络完善", False),
    ("风险补偿", "健全夜间公交网络\r\n完善站点设施。", "公交网络完善", False),
    ("风险补偿", "健全夜间公交网络\u2029完善站点设施。", "公交网络完善", False),
    # inside one passage: still a phrase (across a comma and a full stop too, as before)
    ("健全融资担保体系", "完善风险补偿机制。", "融资担保体系", True),
    ("健全融资担保体系", "完善风险补偿机制。", "完善风险补偿", True),
    ("风险补偿", "健全夜间公交网络\n完善站点设施。", "完善站点设施", True),
    ("风险补偿", "健全夜间公交网络，完善站点设施。", "公交网络完善", True),
    # English words the same way
    ("Night buses", "open more lines\nroutes at night", "lines routes", False),
    ("Night buses", "open more lines\nroutes at night", "routes at night", True),
]


@pytest.fixture
def table_index(backend: SearchBackend, session: Session, make: Any) -> dict[str, int]:
    """One published proposal per row, its suggestion holding the row's title and body."""
    ids = {}
    for i, (title, body, _phrase, _matches) in enumerate(TABLE):
        proposal = make.proposal(
            title=f"关于第{i}行的测试提案", number=900 + i, published_at=datetime.now(UTC)
        )
        make.suggestion(proposal, title=title, text=body)
        ids[f"row{i}"] = proposal.id
    session.commit()
    return ids


@pytest.mark.parametrize(
    ("row", "title", "body", "phrase", "matches"),
    [(i, *r) for i, r in enumerate(TABLE)],
    ids=[f"row{i}-{'matches' if r[3] else 'no-match'}" for i, r in enumerate(TABLE)],
)
def test_phrases_match_within_one_passage_in_both_evaluators(
    backend: SearchBackend,
    table_index: dict[str, int],
    row: int,
    title: str,
    body: str,
    phrase: str,
    matches: bool,
) -> None:
    assert isinstance(backend, WhooshBackend)
    q = backend.parse(f'"{phrase}"')
    mine = f"p{table_index[f'row{row}']}"
    with backend._searching() as searcher:
        whoosh_groups = {searcher.stored_fields(d)["group"] for d in searcher.docs_for_query(q)}
        hits = Evaluator(Frame(searcher, SegmentCache())).run(q)
        array_groups = {searcher.stored_fields(int(d))["group"] for d in hits.docs}
    assert whoosh_groups == array_groups  # the fallback and the numpy evaluator agree
    assert (mine in array_groups) is matches
    # and the search page says the same
    request = SearchRequest(text=f'"{phrase}"', viewer=ANONYMOUS, page_size=1000)
    assert (mine in {g.key for g in backend.search(request).groups}) is matches
