"""Where a query's words are in a stored text, for the highlighter (tracker.search.highlight).

The same rule as the Whoosh backend: a text is analysed as it was indexed (sub-words at their
word's position, English stemmed); a query word is marked wherever an indexed word equals it, a
phrase only where its words follow each other. Long texts are analysed only in a window.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache

from tracker.search import Fragment, analysis, highlight
from tracker.search.postgres.table import stem_latin

HIGHLIGHT_CHARS = 1500  # of a long text, how much is analysed to place its fragments
_WORD_BREAK = re.compile(r"[\W_]")

Span = tuple[int, int]


@lru_cache(maxsize=2048)
def _analysed(text: str) -> tuple[tuple[str, int, int, int], ...]:
    return tuple((stem_latin(t.text), t.position, t.start, t.end) for t in analysis.index_tokens(text))


def _phrase_end(
    at: Mapping[int, list[tuple[str, int, int]]], pos: int, phrase: tuple[str, ...]
) -> int | None:
    end = None
    for offset, word in enumerate(phrase[1:], 1):
        match = [e for w, _s, e in at.get(pos + offset, []) if w == word]
        if not match:
            return None
        end = max(match)
    return end


def spans(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> tuple[list[Span], list[int]]:
    """Character spans of ``text`` holding a query word or a whole phrase, and where words start."""
    if not text:
        return [], []
    found: list[Span] = []
    starts: list[int] = []
    at: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    last = -1
    for word, pos, startchar, endchar in _analysed(text):
        if pos != last:
            starts.append(startchar)
            last = pos
        if word in words:
            found.append((startchar, endchar))
        if phrases:
            at[pos].append((word, startchar, endchar))
    for phrase in phrases:
        for pos, tokens in at.items():
            for word, start, _end in tokens:
                if word == phrase[0] and (end := _phrase_end(at, pos, phrase)) is not None:
                    found.append((start, end))
    return highlight.merge(found), starts


def whole(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> Fragment:
    found, _starts = spans(text, words, phrases) if words or phrases else ([], [])
    return highlight.whole(text, found)


def fragments(text: str, words: set[str], phrases: set[tuple[str, ...]]) -> tuple[Fragment, ...]:
    if not text:
        return ()
    if not words and not phrases:
        end = _WORD_BREAK.search(text, highlight.FRAGMENT_CHARS + highlight.SNAP_CHARS)
        _found, starts = spans(text[: end.start()] if end else text, words, phrases)
        return highlight.fragments(text, [], starts)
    if len(text) <= HIGHLIGHT_CHARS:
        return highlight.fragments(text, *spans(text, words, phrases))
    start = 0
    found, starts = spans(text[:HIGHLIGHT_CHARS], words, phrases)
    if not found:
        folded = analysis.normalize(text)
        places = [i for w in words | {"".join(p) for p in phrases} if (i := folded.find(w)) >= 0]
        if places:
            start = max(0, min(places) - highlight.FRAGMENT_CHARS)
            found, starts = spans(text[start : start + HIGHLIGHT_CHARS], words, phrases)
            found = [(a + start, b + start) for a, b in found]
            starts = [i + start for i in starts]
    return highlight.fragments(text, found, starts)
