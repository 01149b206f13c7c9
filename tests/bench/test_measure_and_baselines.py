"""Benchmark tools: percentiles, and the LIKE and FTS5 baselines on the seed archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from tracker.bench.baselines import (
    Fts5Index,
    TantivyIndex,
    like_ids,
    like_search,
    segmented,
    segmented_rows,
    unit_rows,
)
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
def test_like_fts5_and_tantivy_agree_on_simple_queries(
    session: Session, tmp_path: Path, words, phrase
) -> None:
    fts, tv = Fts5Index(tmp_path / "fts.db"), TantivyIndex(tmp_path / "tantivy")
    try:
        fts.build(unit_rows(session))
        tv.build(unit_rows(session))
        expected = like_ids(session, words)
        assert fts.all_ids(words, phrase=phrase) == expected
        assert tv.all_ids(words, phrase=phrase) == expected
        # the totals count proposals, not units
        assert (
            fts.search(words, phrase=phrase).total == tv.search(words, phrase=phrase).total == len(expected)
        )
    finally:
        fts.close()
        tv.close()


def test_fts5_reads_proposal_ids_through_a_join_not_an_unindexed_column(tmp_path: Path) -> None:
    fts = Fts5Index(tmp_path / "fts.db")
    try:
        fts.build([(7, "融资担保 体系"), (7, "融资 平台"), (9, "人才 培训")])
        columns = [r[1] for r in fts.db.execute("PRAGMA table_info(units)")]
        assert "pid" not in columns
        plan = " ".join(
            str(r)
            for r in fts.db.execute(
                "EXPLAIN QUERY PLAN SELECT count(DISTINCT p.pid) FROM units JOIN unit_pid p ON p.id = units.rowid "
                "WHERE units MATCH '融资'"
            )
        )
        assert "SEARCH p USING INTEGER PRIMARY KEY" in plan
        assert fts.search(["融资"]).total == 1 and fts.search(["融资"]).top == (7,)
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
    tv = TantivyIndex(tmp_path / "tantivy")
    tv.build(unit_rows(session))
    hit = tv.search(["电子商务平台"])
    assert hit.top == like.top and "<b>" in hit.fragments[0]


@pytest.mark.parametrize("procs", [1, 2, 3])
def test_rows_cut_in_several_processes_are_the_rows_cut_in_one_in_order(procs: int) -> None:
    texts = ["融资担保体系建设", "", "人才培训 and e-commerce 平台", "电子商务平台服务与管理"] * 7
    rows = [(i, text) for i, text in enumerate(texts)]
    expected = [(i, *segmented(text)) for i, text in rows if text]
    # a small batch so that the rows span several batches of several pieces each
    assert list(segmented_rows(iter(rows), procs=procs, batch=3)) == expected
    assert expected and all(words for _i, words, _subs in expected)


def test_the_peers_at_a_large_size_leave_out_like_and_the_whole_sets(app, tmp_path: Path) -> None:
    from tracker.bench.run import measure_baselines, queries
    from tracker.services.search_sync import get_keeper

    get_keeper(app).rebuild(procs=1)
    found = measure_baselines(
        app, queries()[:6], 1, tmp_path / "peers" / "fts.db", procs=2, like=False, agreement=False
    )
    assert found["like"] is None and found["ratio_tracker_over_like"] is None
    assert found["agreement"] == [] and found["same_documents"] is None
    assert found["cut_procs"] == 2 and found["fts5"]["rows"] > 0 and found["tantivy"]["n"] == 6
    assert found["ratio_tracker_over_tantivy"]["p95_ms"] > 0
    again = measure_baselines(
        app, queries()[:6], 1, tmp_path / "peers" / "fts.db", like=False, agreement=False, reuse=True
    )
    assert again["reused"] and again["cut_seconds"] is None and again["fts5"]["rows"] == found["fts5"]["rows"]
    assert again["tantivy"]["n"] == 6 and not found["reused"]
    with_all = measure_baselines(app, queries()[:6], 1, tmp_path / "again" / "fts.db")
    assert (
        with_all["like"]["n"] == 6
        and with_all["agreement"]
        and with_all["fts5"]["rows"] == found["fts5"]["rows"]
    )


@pytest.mark.parametrize("buckets", [2, 3, 5, 60_000])
def test_tantivy_counts_proposals_exactly_past_its_bucket_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, buckets: int
) -> None:
    from tracker.bench import baselines

    # ids 0-11; 融资 in the even ones (twice in 4), 人才 in 7 only
    rows = [(i, "融资 平台" if i % 2 == 0 else "人才 培训" if i == 7 else "服务") for i in range(12)]
    rows.append((4, "融资担保"))
    monkeypatch.setattr(baselines, "TANTIVY_BUCKETS", buckets)  # an aggregation per range of ids
    tv = TantivyIndex(tmp_path / f"tantivy-{buckets}")
    tv.build(rows)
    assert tv.all_ids(["融资"]) == {0, 2, 4, 6, 8, 10}
    assert tv.search(["融资"]).total == 6 and tv.search(["人才"]).total == 1
    assert tv.all_ids(["没有"]) == set() and tv.search(["没有"]).total == 0
