"""Fragments: what part of a text a result shows, and which pieces are marked."""

from __future__ import annotations

from tracker.search import highlight


def test_a_title_is_shown_whole_with_its_matches_marked() -> None:
    assert highlight.whole("加大培训力度", [(2, 4)]).pieces == (
        ("加大", False),
        ("培训", True),
        ("力度", False),
    )


def test_a_long_text_is_cut_around_the_matches_at_clause_boundaries() -> None:
    text = "前言部分很长，" * 20 + "这里讲培训的事，" + "后记部分也很长，" * 20
    at = text.index("培训")
    (fragment,) = highlight.fragments(text, [(at, at + 2)])
    assert fragment.pieces[0] == ("…", False) and fragment.pieces[-1] == ("…", False)
    body = fragment.text.strip("…")
    assert body.startswith("前言部分很长") or body.startswith("这里")  # starts after a comma, not mid-word
    assert body.endswith("，")
    assert ("培训", True) in fragment.pieces


def test_matches_far_apart_give_two_fragments_and_whitespace_is_squashed() -> None:
    text = "培训\n\n  " + "中" * 400 + "培训"
    fragments = highlight.fragments(text, [(0, 2), (len(text) - 2, len(text))])
    assert len(fragments) == 2
    assert fragments[0].pieces[0] == ("培训", True) and fragments[1].pieces[-1] == ("培训", True)
    assert fragments[0].pieces[1][0].startswith(" 中")  # "\n\n  " became one space


def test_a_text_without_matches_shows_its_start() -> None:
    (fragment,) = highlight.fragments("甲" * 500, [])
    assert not fragment.marked and len(fragment.text) == highlight.FRAGMENT_CHARS + 1


def test_overlapping_spans_merge() -> None:
    assert highlight.merge([(5, 8), (0, 2), (1, 4), (8, 9)]) == [(0, 4), (5, 9)]


def test_without_a_clause_boundary_near_a_fragment_starts_and_ends_between_words() -> None:
    text = "阿里巴巴" * 60 + "培训" + "阿里巴巴" * 60  # four-character words, no punctuation
    at = text.index("培训")
    words = [*range(0, at + 1, 4), *range(at + 2, len(text), 4)]
    (fragment,) = highlight.fragments(text, [(at, at + 2)], words)
    body = fragment.text.strip("…")
    assert body.startswith("阿里巴巴") and body.endswith("阿里巴巴")


def test_a_match_far_into_a_long_text_is_found_and_marked() -> None:
    from tracker.search.whoosh.highlighting import HIGHLIGHT_CHARS, fragments

    filler = "各地区各部门要认真贯彻落实。" * (HIGHLIGHT_CHARS // 10)
    text = filler + "设立小额贷款担保基金。" + filler
    (fragment,) = fragments(text, {"担保"}, set())
    assert [piece for piece, marked in fragment.pieces if marked] == ["担保"]
    assert fragment.text.startswith("…") and fragment.text.endswith("…")
    # at the start, the first window is the one analysed
    (start,) = fragments("设立担保基金。" + filler, {"担保"}, set())
    assert [piece for piece, marked in start.pieces if marked] == ["担保"]
