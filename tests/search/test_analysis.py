"""The Chinese analyzer: normalisation, search-mode sub-words at their word's position, synonyms."""

from __future__ import annotations

import pytest

from tracker.search import analysis


def cut(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.position) for t in analysis.index_tokens(text)]


def test_sub_words_take_the_position_of_their_word() -> None:
    # 电商 and 电商平台 are the synonym group words of 电子商务 and 电子商务平台 (see below)
    assert cut("电子商务平台") == [
        ("电子商务", 0),
        ("电子", 0),
        ("商务", 0),
        ("电商", 0),
        ("电商平台", 0),
        ("平台", 1),
    ]
    assert cut("高技能人才培训") == [("高技能", 0), ("高技", 0), ("技能", 0), ("人才", 1), ("培训", 2)]


def test_a_query_is_cut_precisely() -> None:
    assert analysis.words("电子商务平台") == ["电子商务", "平台"]
    assert analysis.words("服务与管理") == ["服务", "与", "管理"]


@pytest.mark.parametrize(
    ("text", "word"),
    [("提振小微企业主创业信心", "小微企业"), ("破解融资难问题", "融资难"), ("产业带电商平台", "电商平台")],
)
def test_the_user_dictionary_keeps_domain_words_whole(text: str, word: str) -> None:
    assert word in {w for w, _p in cut(text)}


def test_offsets_point_into_the_original_text_even_when_normalising_changes_length() -> None:
    text = "① Ｓmall ＦＩＮＡＮＣＩＮＧ，小微企业"
    tokens = list(analysis.index_tokens(text))
    assert [
        (t.text, text[t.start : t.end]) for t in tokens if t.text in {"small", "financing", "小微企业"}
    ] == [
        ("small", "Ｓmall"),
        ("financing", "ＦＩＮＡＮＣＩＮＧ"),
        ("小微企业", "小微企业"),
    ]


def test_latin_runs_and_numbers_are_words_of_their_own() -> None:
    assert analysis.words("micro-enterprises，2015年") == ["micro", "enterprises", "2015", "年"]


def test_a_query_word_spanning_index_words_has_a_finer_cut() -> None:
    assert analysis.finer("商务平台") == ("商务", "平台")
    assert analysis.finer("培训") == ("培训",)  # two characters: nothing finer
    assert analysis.finer("abc") == ("abc",)


def test_synonyms_go_both_ways() -> None:
    assert "小型微型企业" in analysis.synonyms("小微企业")
    assert "小微企业" in analysis.synonyms("小型微型企业")
    assert analysis.synonyms("培训") == ()


def test_every_form_of_a_synonym_group_is_indexed_as_its_group_word_at_the_forms_position() -> None:
    text = "支持小型微型企业发展"
    tokens = list(analysis.index_tokens(text))
    group = [(t.position, text[t.start : t.end]) for t in tokens if t.text == "小微企业"]
    assert group == [(1, "小型微型企业")]  # a run of three words, at the position of the first
    assert ("小型", 1) in cut(text) and ("微型", 2) in cut(text)  # the words themselves stay
    # one word of a group, a sub-word, and a form ending inside the next word (企业主)
    assert ("中小企业", 0) in cut("中小型企业")
    assert ("电商", 0) in cut("电子商务")
    assert ("小微企业", 0) in cut("小微型企业主")
    assert ("个体户", 1) in cut("支持个体工商户")


def test_a_query_maps_any_form_of_a_group_to_the_group_word() -> None:
    assert analysis.canonical("小型微型企业") == "小微企业"
    assert analysis.canonical("小微型企业") == "小微企业"
    assert analysis.canonical("小微企业") == "小微企业"
    assert analysis.canonical("电子商务") == "电商"
    assert analysis.canonical("培训") is None


def test_queries_are_not_given_synonym_tokens() -> None:
    assert analysis.words("小型微型企业") == ["小型", "微型", "企业"]
