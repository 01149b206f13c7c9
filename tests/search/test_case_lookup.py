"""A 案号 is looked up on the number field: a list when several sessions have it, no text search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tracker.search import SearchRequest, highlight
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.whoosh import WhooshBackend
from tracker.search.whoosh.highlighting import fragments, match_spans
from tracker.services import search as service
from tracker.services.visibility import ANONYMOUS


def proposal(i: int, number: int, meeting: int, published: bool = True) -> SearchDocument:
    return SearchDocument(
        key=f"p{i}",
        type=UnitType.PROPOSAL,
        title=f"关于第{number}号的提案{i}",
        body="第5号文件提到培训",
        position=0,
        facts=GroupFacts(
            group=f"proposal:{i}",
            title=f"提案{i}",
            published=published,
            proposal_id=i,
            number=number,
            meeting_id=meeting,
            meeting_body="政协",
            meeting_name=f"第十届第{'一二'[meeting - 1]}次会议",
        ),
    )


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild(
        lambda: [proposal(1, 5, 1), proposal(2, 5, 2), proposal(3, 7, 1), proposal(4, 9, 1, False)]
    )
    yield backend
    backend.close()


class Spy:
    """Records the text of every search the backend runs."""

    def __init__(self, backend: WhooshBackend) -> None:
        self.backend, self.texts = backend, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    def search(self, request: SearchRequest) -> Any:
        self.texts.append(request.text)
        return self.backend.search(request)


def test_a_number_several_sessions_have_lists_them_without_a_text_search(backend: WhooshBackend) -> None:
    spy = Spy(backend)
    outcome = service.search("第5号", backend=spy)  # type: ignore[arg-type]
    assert outcome.results is None and outcome.jump is None
    assert {f.proposal_id for f in outcome.numbered} == {1, 2}
    assert spy.texts == [""]  # only the lookup on the number field


def test_a_session_and_number_jump(backend: WhooshBackend) -> None:
    outcome = service.search("第十届第二次会议第5号", backend=backend)
    assert outcome.jump is not None and outcome.jump.proposal_id == 2


def test_a_number_no_visible_proposal_has_is_searched_as_text_without_hints(backend: WhooshBackend) -> None:
    spy = Spy(backend)
    outcome = service.search("第9号", backend=spy)  # type: ignore[arg-type]
    assert outcome.jump is None and outcome.numbered == ()  # proposal 4 is not published
    assert outcome.results is not None and outcome.results.total == 0
    assert outcome.hints == () and spy.texts == ["", "第9号"]


def test_an_empty_query_with_filters_still_lists_by_the_filter(backend: WhooshBackend) -> None:
    found = backend.search(SearchRequest(text="", viewer=ANONYMOUS, filters={"number": ("7",)}))
    assert [g.facts.proposal_id for g in found.groups] == [3]
    assert all(g.score == 1.0 for g in found.groups)  # the score an unfiltered listing has


@pytest.mark.parametrize(
    "text",
    [
        "为小微企业提供融资担保，" * 30,
        "阿里巴巴电子商务平台" * 40,  # no clause boundary at all
        "培训 financing ２号 ①，" + "高技能人才培训" * 40,
        "短文本",
    ],
)
def test_an_unmarked_fragment_reads_only_the_start_and_is_the_same(backend: WhooshBackend, text: str) -> None:
    whole = highlight.fragments(text, *match_spans(text, set(), set()))
    assert fragments(text, set(), set()) == whole
