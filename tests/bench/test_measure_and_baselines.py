"""Benchmark tools: percentiles, and the LIKE and FTS5 baselines on the seed archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from tracker.bench.baselines import Fts5Index, like_ids, like_search, unit_rows
from tracker.bench.measure import machine, summary


def test_summary_uses_nearest_rank_percentiles() -> None:
    s = summary(range(1, 101))
    assert (s["n"], s["p50_ms"], s["p95_ms"], s["p99_ms"], s["max_ms"]) == (100, 50, 95, 99, 100)
    assert summary([])["n"] == 0


def test_machine_reports_cores_and_memory() -> None:
    info = machine()
    assert info["cores"] >= 1 and info["memory_gib"] > 0


@pytest.mark.parametrize(
    ("words", "phrase"),
    [(["培训"], False), (["电子商务平台"], False), (["融资", "担保"], False), (["服务与管理"], True)],
)
def test_like_and_fts5_agree_on_simple_queries(session: Session, tmp_path: Path, words, phrase) -> None:
    fts = Fts5Index(tmp_path / "fts.db")
    try:
        fts.build(unit_rows(session))
        assert fts.all_ids(words, phrase=phrase) == like_ids(session, words)
    finally:
        fts.close()


def test_results_carry_escaped_highlighted_fragments(session: Session, tmp_path: Path) -> None:
    like = like_search(session, ["培训"])
    assert like.total == 1 and "<mark>培训</mark>" in like.fragments[0]
    fts = Fts5Index(tmp_path / "fts.db")
    try:
        fts.build(unit_rows(session))
        hit = fts.search(["电子商务平台"])
        assert hit.top == like.top and "<mark>" in hit.fragments[0]
    finally:
        fts.close()
