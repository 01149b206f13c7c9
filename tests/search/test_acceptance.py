"""The acceptance table: queries on the seed archive, the units each must find and some it must not.

The seed holds CPPCC proposal No. 2 (five suggestions on services for small and micro enterprises)
with its reply (five points), two Chinese policy documents (Zhejiang's opinions, Beijing's plan),
an English paper and an English news item. Unit names are explained in conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

# (query, filters, units that must be found, units that must not be)
TABLE: list[tuple[str, dict[str, tuple[str, ...]], set[str], set[str]]] = [
    # words, and the exact units they are in
    ("培训", {}, {"No.2#s3", "No.2#r3", "zhejiang#c5-16", "beijing#c5-8"}, {"No.2#s1", "No.2#s2", "No.2#r1"}),
    ("电子商务平台", {}, {"No.2#s5", "No.2#r5"}, {"No.2#s3", "No.2#r3", "No.2#s1"}),
    ('"服务与管理"', {}, {"No.2#s1", "No.2#s2", "No.2#r1", "No.2#r2"}, {"No.2#s3", "No.2#s5", "zhejiang"}),
    ("融资难", {}, {"zhejiang#c1-2", "beijing#c1-2-3"}, {"No.2#s1", "No.2#r3", "paper"}),
    ("financing", {}, {"paper"}, {"zhejiang", "No.2#s1"}),
    ("高技能人才", {}, {"No.2#s3", "No.2#r3"}, {"No.2#s1", "No.2#r5"}),
    ("阿里巴巴", {}, {"No.2#r5"}, {"No.2#s5", "No.2#r3"}),
    ("韩国", {}, {"No.2#s4"}, {"No.2#r4"}),
    ("联席会议", {}, {"No.2#s1"}, {"No.2#r1"}),
    ("成都市温江区", {}, {"No.2#s5"}, {"No.2#r5"}),
    ("花木电子商务中心", {}, {"No.2#s5"}, {"No.2#r5"}),
    ("产业链", {}, {"No.2#r4"}, {"No.2#s4"}),
    ("1500元", {}, {"No.2#r3"}, {"No.2#s3"}),
    # a query word that spans words of the text (电子商务 + 平台), and sub-words at their word's place
    ("商务平台", {}, {"No.2#s5"}, {"No.2#s3"}),
    ("类似的商务平台", {}, {"No.2#s5"}, {"No.2#r5"}),
    ("微型企业", {}, {"No.2#s1"}, set()),
    # synonyms: 小微企业 <-> 小型微型企业, 电商 <-> 电子商务
    ("小微企业", {}, {"No.2#s1", "No.2#r1"}, {"paper", "news"}),
    ("小型微型企业", {}, {"No.2#r1", "No.2#s1"}, {"paper"}),
    ("电商", {}, {"No.2#r5", "No.2#s5"}, {"No.2#s3"}),
    # proposers and replying offices
    ("戴培红", {}, {"No.2"}, {"No.2#s1"}),
    ("提案人:戴培红", {}, {"No.2"}, {"No.2#s1", "No.2/reply"}),
    ("镇海区经信局", {}, {"No.2/reply", "No.2#r1", "No.2#r5"}, {"No.2#s1"}),
    ("承办单位:经信局", {}, {"No.2#r1"}, {"No.2#s1"}),
    # field scopes
    ("标题:培训", {}, {"No.2#s3", "No.2#r3", "zhejiang#c5-16"}, {"No.2#r5"}),
    ("title:培训", {}, {"No.2#s3", "No.2#r3"}, {"No.2#r5"}),
    # operators
    ("培训 NOT 高校", {}, {"No.2#r3", "zhejiang#c5-16"}, {"No.2#s3"}),
    ("培训 -高校", {}, {"No.2#r3"}, {"No.2#s3"}),
    ("培训 OR 融资难", {}, {"No.2#s3", "zhejiang#c1-2", "beijing#c1-2-3"}, {"No.2#s1"}),
    ("担保 OR 贷款", {}, {"No.2#r3"}, {"No.2#s1"}),
    ("培训 高技能人才", {}, {"No.2#s3", "No.2#r3"}, {"No.2#r5", "beijing#c5-8"}),
    # English: stemming, case and full-width letters, phrases
    ("enterprises", {}, {"paper", "news"}, {"zhejiang"}),
    ("SMALL MICRO", {}, {"paper", "news"}, {"No.2#s1"}),
    ("ＦＩＮＡＮＣＩＮＧ", {}, {"paper"}, {"No.2#s1"}),
    ('"small and micro enterprises"', {}, {"news"}, {"zhejiang"}),
    # facet filters
    ("培训", {"type": ("clause",)}, {"zhejiang#c5-16", "beijing#c5-8"}, {"No.2#s3", "No.2#r3"}),
    ("培训", {"agency": ("镇海区经信局",)}, {"No.2#s3", "No.2#r3"}, {"zhejiang#c5-16"}),
    ("创业", {"status": ("replied",)}, {"No.2#s3", "No.2#r3"}, {"zhejiang#c5-16"}),
    ("培训", {"type": ("suggestion", "reply_point")}, {"No.2#s3", "No.2#r3"}, {"zhejiang#c5-16"}),
    # nothing at all
    ("量子计算", {}, set(), {"No.2#s3"}),
]


@pytest.mark.parametrize(
    ("query", "filters", "must", "must_not"), TABLE, ids=[f"{q} {f or ''}".strip() for q, f, _m, _n in TABLE]
)
def test_query_finds_its_units(
    found: Callable[..., list[str]], query: str, filters: dict, must: set[str], must_not: set[str]
) -> None:
    units = set(found(query, filters=filters))
    assert must <= units, f"missing {sorted(must - units)}"
    assert not units & must_not, f"should not find {sorted(units & must_not)}"


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 30


def test_the_matching_suggestion_and_reply_point_come_before_the_rest(found) -> None:
    units = found("培训")
    assert units[:2] == ["No.2#s3", "No.2#r3"]


@pytest.mark.parametrize("query", ["第2号", "2号提案", "第2号提案", "第二号", "No. 2", "#2", "第２号"])
def test_a_case_number_names_the_proposal(find, query: str) -> None:
    outcome = find(query)
    assert outcome.jump is not None and outcome.jump.number == 2
    assert outcome.results is None


def test_a_case_number_no_proposal_has_is_searched_as_text(find) -> None:
    outcome = find("第99号")
    assert outcome.jump is None and outcome.numbered == ()
    assert outcome.results is not None and outcome.results.total == 0


def test_a_phrase_that_is_nowhere_suggests_its_words(find) -> None:
    outcome = find("小微企业融资难")
    assert outcome.results.total == 0
    assert [h.text for h in outcome.hints][:1] == ["小微企业 融资难"]
    assert all(h.count > 0 for h in outcome.hints)


def test_a_misspelt_word_suggests_the_indexed_one(find) -> None:
    outcome = find("finacing")
    assert outcome.results.total == 0
    assert outcome.hints[0].text == "financing" and outcome.hints[0].kind == "spelling"


def test_several_words_with_no_common_unit_suggest_fewer_words(find) -> None:
    outcome = find("阿里巴巴 韩国")
    assert outcome.results.total == 0
    assert {h.text for h in outcome.hints} >= {"阿里巴巴", "韩国"}


def test_facets_count_proposals_and_units(find) -> None:
    results = find("培训").results
    facets = {name: {f.value: f.count for f in counts} for name, counts in results.facets.items()}
    assert facets["type"] == {"suggestion": 1, "reply_point": 2, "clause": 7}
    assert facets["agency"] == {"镇海区经信局": 1}
    assert facets["status"] == {"replied": 1}


def test_a_facet_in_use_still_offers_its_other_values(find) -> None:
    results = find("培训", filters={"type": ("clause",)}).results
    types = {f.value: (f.count, f.selected) for f in results.facets["type"]}
    assert types["clause"] == (7, True)
    assert types["suggestion"] == (1, False)
    assert results.total == 2  # the two policy documents


def test_results_are_pages_of_groups(find) -> None:
    first = find("培训", page_size=2).results
    assert first.total == 3 and first.pages == 2 and len(first.groups) == 2
    second = find("培训", page_size=2, page=2).results
    assert len(second.groups) == 1
    assert {g.key for g in first.groups}.isdisjoint({g.key for g in second.groups})
    past_the_end = find("培训", page_size=2, page=9).results
    assert past_the_end.page == 2


def test_sort_by_date_puts_dated_proposals_first(find) -> None:
    results = find("培训", sort="date").results
    assert results.groups[0].facts.proposal_id is not None  # documents carry no date


def test_highlights_mark_the_words_found(find) -> None:
    group = find("培训").results.groups[0]
    s3 = next(u for u in group.units if u.anchor == "s3")
    marked = [text for fragment in s3.fragments for text, is_match in fragment.pieces if is_match]
    assert marked and set(marked) == {"培训"}
    assert [text for text, is_match in s3.title.pieces if is_match] == ["培训"]


def test_a_phrase_is_marked_only_where_whole(find) -> None:
    group = find('"服务与管理"').results.groups[0]
    pieces = [p for u in group.units for f in u.fragments for p in f.pieces]
    assert ("服务与管理", True) in pieces
    assert not any(is_match and text == "与" for text, is_match in pieces)
