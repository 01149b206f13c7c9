"""The Chinese analyzer: normalisation, search-mode sub-words at their word's position, synonyms."""

from __future__ import annotations

import pytest

from tracker.search import analysis


def cut(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.position) for t in analysis.index_tokens(text)]


def test_sub_words_take_the_position_of_their_word() -> None:
    assert cut("电子商务平台") == [("电子商务", 0), ("电子", 0), ("商务", 0), ("平台", 1)]


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
