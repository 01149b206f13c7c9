"""Marking what matched, for both backends: the query's words and phrases per field, placed in the
stored texts by the analysis the index used (sub-words at their word's position, English stemmed),
and cut into fragments (tracker.search.highlight). A phrase is marked only where its words follow
each other; long texts are analysed only in a window.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache

from whoosh import query

from tracker.search import Fragment, analysis, highlight
from tracker.search.language import TEXT_FIELDS, stem_latin, words_of

HIGHLIGHT_CHARS = 1500  # of a long text, how much is analysed to place its fragments
_WORD_BREAK = re.compile(r"[\W_]")  # what ends a run of letters (Han or other) for the analyzer


@lru_cache(maxsize=2048)
def analysed(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """A text's indexed words with their positions and offsets, for highlighting.

    Kept for the texts shown last: the same suggestions and points come up in the results of many
    searches, and analysing them was most of the time a result page took.
    """
    return tuple((stem_latin(t.text), t.position, t.start, t.end) for t in analysis.index_tokens(text))


class Marks:
    """What to mark in each text field: single words, and phrases (marked only where whole)."""

    def __init__(self) -> None:
        self.words: dict[str, set[str]] = defaultdict(set)
        self.phrases: dict[str, set[tuple[str, ...]]] = defaultdict(set)

    def collect(self, q: query.Query) -> Marks:
        if isinstance(q, query.Not):
            return self
        if isinstance(q, query.AndNot):
            return self.collect(q.a)
        words = words_of(q)
        if words is not None and q.fieldname in TEXT_FIELDS:
            if len(words) == 1:
                self.words[q.fieldname].add(words[0])
            else:
                self.phrases[q.fieldname].add(tuple(words))
            return self
        for child in q.children():
            self.collect(child)
        return self

    def fields(self, *names: str) -> tuple[set[str], set[tuple[str, ...]]]:
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for name in names:
            words |= self.words.get(name, set())
            phrases |= self.phrases.get(name, set())
        return words, phrases


def match_spans(
    text: str, words: set[str], phrases: set[tuple[str, ...]]
) -> tuple[list[tuple[int, int]], list[int]]:
    """Character spans of ``text`` whose analysed words are a query word or a whole phrase, and
    the offsets where its words start."""
    if not text:
        return [], []
    spans: list[tuple[int, int]] = []
    starts: list[int] = []
    at: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    last = -1
    for word, pos, startchar, endchar in analysed(text):
        if pos != last:  # a word (its sub-words follow at the same position)
            starts.append(startchar)
            last = pos
        if word in words:
            spans.append((startchar, endchar))
        if phrases:
            at[pos].append((word, startchar, endchar))
    for phrase in phrases:
        for pos, tokens in at.items():
            for word, start, _end in tokens:
                if word != phrase[0]:
                    continue
                end = phrase_end(at, pos, phrase)
                if end is not None:
                    spans.append((start, end))
    return highlight.merge(spans), starts


def phrase_end(at: Mapping[int, list[tuple[str, int, int]]], pos: int, phrase: tuple[str, ...]) -> int | None:
    end = None
    for offset, word in enumerate(phrase[1:], 1):
        match = [e for w, _s, e in at.get(pos + offset, []) if w == word]
        if not match:
            return None
        end = max(match)
    return end


def mark_whole(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> Fragment:
    spans, _starts = match_spans(text, words, phrases) if words or phrases else ([], [])
    return highlight.whole(text, spans)


def fragments(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> tuple[Fragment, ...]:
    if not text:
        return ()
    if not words and not phrases:
        # nothing to mark: the fragment is the text's start, and only the words there are
        # needed to end it between words (cut where a run of letters ends, so the words
        # before are cut as in the whole text)
        end = _WORD_BREAK.search(text, highlight.FRAGMENT_CHARS + highlight.SNAP_CHARS)
        _spans, starts = match_spans(text[: end.start()] if end else text, words, phrases)
        return highlight.fragments(text, [], starts)
    if len(text) <= HIGHLIGHT_CHARS:
        return highlight.fragments(text, *match_spans(text, words, phrases))
    # A long text (a proposal's background, a letter) is analysed only in a window: its start,
    # or else from a little before the first place a query word appears. Fragments show two
    # short windows, and analysing thousands of characters per result was most of a search.
    start = 0
    spans, starts = match_spans(text[:HIGHLIGHT_CHARS], words, phrases)
    if not spans:
        folded = analysis.normalize(text)
        found = [i for w in words | {"".join(p) for p in phrases} if (i := folded.find(w)) >= 0]
        if found:
            start = max(0, min(found) - highlight.FRAGMENT_CHARS)
            spans, starts = match_spans(text[start : start + HIGHLIGHT_CHARS], words, phrases)
            spans = [(a + start, b + start) for a, b in spans]
            starts = [i + start for i in starts]
    return highlight.fragments(text, spans, starts)
