"""Fragments for display: the text around the matches, cut at clause boundaries, matches marked.

Plain Python: the engine finds *where* the matches are (character spans); this decides what part of
the text to show. The result is plain strings flagged as matches or not (``Fragment``); the web layer
escapes them and adds the only markup, <mark>.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from tracker.search import Fragment

FRAGMENT_CHARS = 150  # characters of text around the matches shown per fragment
FRAGMENT_LEAD = 30  # of which before the first match
FRAGMENTS_PER_UNIT = 2
SNAP_CHARS = 12  # how far a fragment's edge may move to fall between clauses rather than in a word

Span = tuple[int, int]

_SPACE = re.compile(r"[\s\u3000]+")


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text)


def merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _pieces(text: str, spans: list[Span], start: int, end: int) -> Fragment:
    pieces: list[tuple[str, bool]] = []
    if start > 0:
        pieces.append(("…", False))
    cursor = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        if s > cursor:
            pieces.append((_squash(text[cursor:s]), False))
        pieces.append((_squash(text[s:e]), True))
        cursor = e
    if cursor < end:
        pieces.append((_squash(text[cursor:end]), False))
    if end < len(text):
        pieces.append(("…", False))
    if pieces and not pieces[0][1]:
        pieces[0] = (pieces[0][0].lstrip(), False)
    if pieces and not pieces[-1][1]:
        pieces[-1] = (pieces[-1][0].rstrip(), False)
    return Fragment(tuple(p for p in pieces if p[0]))


def _windows(spans: list[Span], length: int, width: int, count: int) -> list[Span]:
    """Up to ``count`` non-overlapping windows of ``width`` characters holding the most matches."""
    candidates = []
    for s, _e in spans:
        start = max(0, min(s - FRAGMENT_LEAD, length - width))
        end = min(length, start + width)
        candidates.append((sum(1 for a, b in spans if a >= start and b <= end), -start, start, end))
    chosen: list[Span] = []
    for _n, _neg, start, end in sorted(candidates, reverse=True):
        if all(end <= a or start >= b for a, b in chosen):
            chosen.append((start, end))
        if len(chosen) == count:
            break
    return sorted(chosen)


_BOUNDARIES = frozenset("。；，、：！？!?;,:\n\u3000 ")


def _snap(text: str, start: int, end: int, words: Sequence[int]) -> Span:
    """Move a window's edges to a clause boundary close by, else to a word boundary (``words`` are
    the offsets where words start), so that no word is cut in two."""
    if start > 0:
        before = text[max(0, start - SNAP_CHARS) : start]
        cut = max((i for i, ch in enumerate(before) if ch in _BOUNDARIES), default=None)
        if cut is not None:
            start = start - len(before) + cut + 1
        else:
            i = bisect_left(words, start)  # the first word starting here or after
            if i < len(words) and words[i] - start <= SNAP_CHARS:
                start = words[i]
    if end < len(text):
        after = text[end : end + SNAP_CHARS]
        cut = next((i for i, ch in enumerate(after) if ch in _BOUNDARIES), None)
        if cut is not None:
            end += cut + 1
        else:
            i = bisect_right(words, end) - 1  # the last word starting here or before: end there
            if i >= 0 and end - words[i] <= SNAP_CHARS and words[i] > start:
                end = words[i]
    return start, end


def whole(text: str, spans: list[Span]) -> Fragment:
    """All of ``text`` (a title), with its matches marked."""
    return _pieces(text, spans, 0, len(text))


def fragments(text: str, spans: list[Span], words: Sequence[int] = ()) -> tuple[Fragment, ...]:
    """Up to FRAGMENTS_PER_UNIT windows of ``text`` around the most matches (its start without any);
    ``words``: the sorted offsets where its words start, to cut between words."""
    if not spans:
        return (_pieces(text, [], *_snap(text, 0, min(len(text), FRAGMENT_CHARS), words)),)
    windows = [
        _snap(text, a, b, words) for a, b in _windows(spans, len(text), FRAGMENT_CHARS, FRAGMENTS_PER_UNIT)
    ]
    return tuple(_pieces(text, spans, start, end) for start, end in merge(windows))
