"""The key terms of a text for "more like this" (tracker.search.key_terms): one engine-neutral rule,
so the Whoosh and the PostgreSQL backends look for the same words in the same proposal."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from tracker import create_app
from tracker.db import get_engine
from tracker.search import get_backend, key_terms
from tracker.search.documents import UnitType
from tracker.services.proposals import record_proposal
from tracker.services.search import proposal_text
from tracker.services.search_sync import get_keeper

from .test_similar import NEAR_DUPLICATE, OTHER_MATTER

on_postgres = pytest.mark.skipif(
    os.environ.get("TRACKER_TEST_DB", "sqlite") != "postgres", reason="needs TRACKER_TEST_DB=postgres"
)


def test_term_counts_are_the_indexed_words_without_single_han_characters() -> None:
    counts = key_terms.term_counts("建立电子商务平台，推进电子商务的发展。Developing platforms")
    assert counts["电子商务"] == 2 and counts["商务"] == 2  # sub-words too, as the index holds them
    assert counts["develop"] == 1 and counts["platform"] == 1  # English stemmed, as indexed
    assert "的" not in counts and "，" not in counts
    assert key_terms.term_counts("的了和，。") == {}


@pytest.mark.parametrize(
    ("counts", "limit", "expected"),
    [
        ({"平台": 1, "企业": 3, "培训": 2}, 10, ["企业", "培训", "平台"]),  # most frequent first
        ({"商务": 2, "电子商务": 2, "平台": 2}, 10, ["电子商务", "商务", "平台"]),  # then longer, code point
        ({"商务": 2, "电子商务": 2, "平台": 2}, 2, ["电子商务", "商务"]),  # bounded
    ],
)
def test_candidates(counts: dict[str, int], limit: int, expected: list[str]) -> None:
    assert key_terms.candidates(counts, limit) == expected


@pytest.mark.parametrize(
    ("counts", "frequencies", "expected"),
    [
        # equal in the text: the word fewer units hold weighs more
        ({"企业": 1, "分级": 1}, {"企业": 90, "分级": 3}, ["分级", "企业"]),
        # equally rare: the word the text repeats weighs more
        ({"企业": 4, "分级": 1}, {"企业": 3, "分级": 3}, ["企业", "分级"]),
        # a word no unit holds cannot find anything
        ({"企业": 1, "新词": 5}, {"企业": 10, "新词": 0}, ["企业"]),
        # exact ties by code point, so every engine orders them alike
        ({"培训": 1, "平台": 1}, {"培训": 5, "平台": 5}, ["培训", "平台"]),
        ({"企业": 1}, {}, []),
    ],
)
def test_key_terms_order(counts: dict[str, int], frequencies: dict[str, int], expected: list[str]) -> None:
    assert [w for w, _weight in key_terms.key_terms(counts, frequencies, 100)] == expected


def test_key_terms_weights_are_bo1_scaled_to_the_first() -> None:
    import math

    chosen = key_terms.key_terms({"分级": 2, "企业": 1}, {"分级": 10, "企业": 50}, 100)

    def bo1(tf: int, f: float) -> float:
        return tf * math.log2((1 + f) / f) + math.log2(1 + f)

    assert chosen == [("分级", 1.0), ("企业", pytest.approx(bo1(1, 0.5) / bo1(2, 0.1)))]
    assert len(key_terms.key_terms({str(n): 1 for n in range(40)}, {str(n): 1 for n in range(40)}, 9)) == 25


def test_choose_asks_the_engine_only_about_candidates() -> None:
    asked: list[list[str]] = []

    def frequencies(words: Iterable[str]) -> dict[str, int]:
        asked.append(list(words))
        return {w: 1 for w in asked[-1]} | {"别的": 1}  # an answer about another word is ignored

    chosen = key_terms.choose("小微企业分级服务，小微企业培训", frequencies, 10)
    assert asked and all(len(a) <= key_terms.CANDIDATES for a in asked)
    assert chosen[0][0] in {"小微", "企业", "小微企业"} and "别的" not in dict(chosen)
    assert key_terms.choose("的。", frequencies, 10) == []


@pytest.fixture
def both(test_database: Any, tmp_path: Path) -> Iterator[dict[str, Flask]]:
    """A Whoosh app and a PostgreSQL-search app on one database, each index rebuilt from it, after
    two more proposals are stored (so words differ in how many proposals hold them)."""
    apps = {
        name: create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DATABASE_URL": test_database.url,
                "SEARCH_BACKEND": name,
                "SEARCH_INDEX_DIR": str(tmp_path / f"{name}-index"),
                "SEARCH_CHECK_ON_START": False,
            }
        )
        for name in ("whoosh", "postgres")
    }
    with Session(get_engine(apps["whoosh"])) as session:
        now = datetime.now(UTC)
        for number, title, text in (
            (7, "关于扶持小微企业分级服务管理的建议", NEAR_DUPLICATE),
            (8, "关于加强中小学校园安全管理的建议", OTHER_MATTER),
        ):
            record_proposal(session=session, text=text, title=title, number=number, published_at=now)
        session.commit()
    for app in apps.values():
        get_keeper(app).rebuild()
    yield apps
    for app in apps.values():
        get_backend(app).close()
        get_engine(app).dispose()


@on_postgres
@pytest.mark.parametrize("proposal_id", [1, 2, 3])
def test_both_backends_choose_the_same_key_terms_for_a_proposal(
    both: dict[str, Flask], proposal_id: int
) -> None:
    with Session(get_engine(both["whoosh"])) as session:
        text = proposal_text(session=session, proposal_id=proposal_id)
    assert text
    terms = {
        name: get_backend(app).similar_terms(text, types={UnitType.PROPOSAL}) for name, app in both.items()
    }
    assert len(terms["whoosh"]) >= 10
    assert [w for w, _ in terms["whoosh"]] == [w for w, _ in terms["postgres"]]
    assert [round(x, 9) for _, x in terms["whoosh"]] == [round(x, 9) for _, x in terms["postgres"]]


@on_postgres
def test_both_backends_choose_the_same_key_terms_for_clauses(both: dict[str, Flask]) -> None:
    text = "破解小微企业融资难问题，完善融资担保体系，加强中小企业培训"
    terms = {
        name: get_backend(app).similar_terms(text, types={UnitType.CLAUSE}) for name, app in both.items()
    }
    assert terms["whoosh"] and terms["whoosh"] == terms["postgres"]
