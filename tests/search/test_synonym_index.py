"""Synonyms are indexed under their group's word: a query for any form is one term, never a phrase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query

from tracker.search import SearchRequest
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.whoosh import WhooshBackend
from tracker.services.visibility import ANONYMOUS

TEXTS = {
    "g1": "加大对小型微型企业的扶持力度",
    "g2": "为小微企业提供融资担保",
    "g3": "发展电子商务平台",
    "g4": "小微型企业主的创业信心",
    "g5": "支持大型企业技术改造",
}


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[WhooshBackend]:
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild(
        lambda: [
            SearchDocument(
                key=f"p{i}",
                type=UnitType.PROPOSAL,
                title=f"提案{i}",
                body=text,
                position=0,
                facts=GroupFacts(group=group, title=f"提案{i}", published=True, number=i),
            )
            for i, (group, text) in enumerate(TEXTS.items(), 1)
        ]
    )
    yield backend
    backend.close()


def groups(backend: WhooshBackend, text: str) -> set[str]:
    found = backend.search(SearchRequest(text=text, viewer=ANONYMOUS))
    return {g.facts.group for g in found.groups}


@pytest.mark.parametrize("text", ["小微企业", "小型微型企业", "小微型企业", '"小型微型企业"'])
def test_every_form_of_a_group_finds_every_other(backend: WhooshBackend, text: str) -> None:
    assert groups(backend, text) == {"g1", "g2", "g4"}


@pytest.mark.parametrize("text", ["小微企业", "小型微型企业", "电子商务", "电商"])
def test_a_synonym_query_is_one_term_without_a_phrase(backend: WhooshBackend, text: str) -> None:
    q = backend.parse(text)
    assert not any(isinstance(part, query.Phrase) for part in q.leaves()) and not isinstance(q, query.Phrase)
    assert {t for _f, t in q.all_terms()} <= {"小微企业", "电商"}


def test_a_form_of_several_words_is_marked_whole(backend: WhooshBackend) -> None:
    found = backend.search(SearchRequest(text="小微企业", viewer=ANONYMOUS))
    marked = {
        piece
        for g in found.groups
        for unit in g.units
        for fragment in unit.fragments
        for piece, hit in fragment.pieces
        if hit
    }
    assert marked == {"小型微型企业", "小微企业", "小微型企业"}


def test_the_words_of_a_form_are_still_words(backend: WhooshBackend) -> None:
    assert groups(backend, "微型") == {"g1", "g4"}
    assert groups(backend, "电商平台") == {"g3"}
