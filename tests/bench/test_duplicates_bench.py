"""The duplicates benchmark (issue 16): near copies of archived proposals rank their original first
in at least 95% of generated cases, on a small generated archive (the command runs ≥200 cases)."""

from __future__ import annotations

import random

import pytest
from flask import Flask

from tracker.bench.corpus import generate
from tracker.bench.duplicates import TARGET, cases, measure, near_copy, reword
from tracker.bench.run import SEEDS_DIR, load_corpus
from tracker.services.search_sync import get_keeper

ORIGINAL = [
    "加强人才培训。组织企业负责人参加培训。提高经营管理水平。",
    "建立融资担保体系。扩大担保规模。",
    "完善公共服务平台。",
]


def test_a_near_copy_rewords_reorders_and_is_reproducible() -> None:
    copy = near_copy(7, "关于加强人才培训的提案", ORIGINAL, random.Random(3))
    again = near_copy(7, "关于加强人才培训的提案", ORIGINAL, random.Random(3))
    assert copy == again
    assert copy.original_id == 7
    assert copy.title != "关于加强人才培训的提案" and "人才培训" in copy.title
    assert list(copy.suggestions) != ORIGINAL  # reordered at least
    assert sorted(len(s) for s in copy.suggestions) != [] and len(copy.suggestions) == len(ORIGINAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("加强培训", "强化培训"),
        ("强化培训", "加强培训"),
        ("中小企业融资", "中小型企业融资"),
        ("无关文字", "无关文字"),
    ],
)
def test_reword_swaps_table_words_both_ways(text: str, expected: str) -> None:
    assert reword(text, random.Random(0), share=1.0) == expected


def test_near_copies_find_their_original_first_in_95_percent(app: Flask) -> None:
    corpus = generate(proposals=300, seed=5, seeds_dir=SEEDS_DIR)
    load_corpus(app.config["DATABASE_URL"], corpus)
    get_keeper(app).rebuild(procs=1)
    result = measure(app, cases(app, count=60, seed=5))
    assert result["cases"] == 60
    assert result["rate"] >= TARGET, result
