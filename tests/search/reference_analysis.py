"""The analysis and the tsvector literal as they were before they were made faster (issue 14),
frozen here: test_analysis_reference.py checks the code in tracker/ still gives exactly their output.

Copied from tracker/search/analysis.py (``_tokens``, ``_synonym_tokens``, ``_sub_words``,
``normalize_with_offsets``), tracker/search/postgres/table.py (``tsvector``, ``text_vector``) and
tracker/search/whoosh/schema.py (``ChineseTokenizer``) at 8ce04db, uncached; only the data (jieba with the user dictionary, the synonym tables) comes from
tracker. Do not make this file faster: it is the yardstick.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from tracker.search import analysis
from tracker.search.analysis import _PASSAGE_BREAK, _RUNS, PASSAGE_GAP, Token
from tracker.search.documents import SearchDocument, UnitType
from tracker.search.language import stem_latin

MAX_POSITION = 16383


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int] | None]:
    folded = normalize(text)
    if len(folded) == len(text):
        return folded, None
    parts: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        mapped = normalize(ch)
        parts.append(mapped)
        offsets.extend([index] * len(mapped))
    offsets.append(len(text))
    return "".join(parts), offsets


def _runs(text: str) -> Iterator[tuple[bool, int, int]]:
    for m in _RUNS.finditer(text):
        yield m.lastgroup == "han", m.start(), m.end()


def _sub_words(word: str) -> tuple[tuple[str, int, int], ...]:
    has_word = analysis._SEGMENTER.get().has_word
    size = len(word)
    return tuple(
        (word[i : i + length], i, i + length)
        for length in range(size - 1, 1, -1)
        for i in range(size - length + 1)
        if has_word(word[i : i + length])
    )


def tokens(text: str, *, index: bool) -> Iterator[Token]:
    folded, offsets = normalize_with_offsets(text)
    jieba = analysis._SEGMENTER.get()
    position = -1

    def source(start: int, end: int) -> tuple[int, int]:
        return (start, end) if offsets is None else (offsets[start], offsets[end])

    canonical = analysis.synonym_canonical() if index else {}
    longest = max(map(len, canonical), default=0)
    previous_end = 0
    for han, start, end in _runs(folded):
        if position >= 0 and _PASSAGE_BREAK.search(folded, previous_end, start):
            position += PASSAGE_GAP
        previous_end = end
        if not han:
            position += 1
            yield Token(folded[start:end], position, *source(start, end))
            continue
        cut = jieba.tokenize(folded[start:end])
        for i, (word, w_start, w_end) in enumerate(cut):
            position += 1
            yield Token(word, position, *source(start + w_start, start + w_end))
            if not index:
                continue
            pieces = _sub_words(word) if len(word) > 2 else ()
            for piece, p_start, p_end in pieces:
                a = start + w_start + p_start
                yield Token(piece, position, *source(a, a + p_end - p_start))
            if canonical:
                yield from _synonym_tokens(canonical, longest, cut, i, pieces, start, position, source)


def _synonym_tokens(
    canonical: dict[str, str],
    longest: int,
    cut: list[tuple[str, int, int]],
    i: int,
    pieces: tuple[tuple[str, int, int], ...],
    start: int,
    position: int,
    source: Callable[[int, int], tuple[int, int]],
) -> Iterator[Token]:
    word, w_start, _w_end = cut[i]
    emitted: set[str] = set()
    text, j = word, i
    while True:
        group = canonical.get(text)
        if group is not None and group != text and group not in emitted:
            emitted.add(group)
            yield Token(group, position, *source(start + w_start, start + cut[j][2]))
        j += 1
        if j == len(cut) or len(text) >= longest:
            break
        if text not in analysis.synonym_prefixes():
            break
        following, f_start, _f_end = cut[j]
        for piece, p_start, p_end in _sub_words(following) if len(following) > 2 else ():
            group = canonical.get(text + piece) if p_start == 0 else None
            if group is not None and group not in emitted:
                emitted.add(group)
                yield Token(group, position, *source(start + w_start, start + f_start + p_end))
        text += following
    for piece, p_start, p_end in pieces:
        group = canonical.get(piece)
        if group is not None and group != piece and group not in emitted:
            emitted.add(group)
            a = start + w_start + p_start
            yield Token(group, position, *source(a, a + p_end - p_start))


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(text: str, weights: Iterable[tuple[int, int, str]] = ()) -> str:
    ranges = list(weights)
    found: dict[str, dict[int, str]] = {}
    for token in tokens(text, index=True):
        position = min(MAX_POSITION, token.position + 1)
        weight = next((w for a, b, w in ranges if a <= token.start < b), "")
        at = found.setdefault(stem_latin(token.text), {})
        if position not in at or (weight and at[position] > weight):
            at[position] = weight
    return " ".join(
        f"{_quote(word)}:{','.join(f'{p}{w}' for p, w in sorted(at.items())[:256])}"
        for word, at in found.items()
    )


def text_vector(doc: SearchDocument) -> str:
    parts = [
        (doc.title, "A"),
        (doc.body, ""),
        (doc.facts.proposer if doc.type == UnitType.PROPOSAL else "", "B"),
        (doc.agency, "C"),
    ]
    joined, weights, at = [], [], 0
    for part, weight in parts:
        if not part:
            continue
        if joined:
            at += 1
        if weight:
            weights.append((at, at + len(part), weight))
        joined.append(part)
        at += len(part)
    return tsvector("\n".join(joined), weights)


class ReferenceTokenizer(Tokenizer):
    """tracker/search/whoosh/schema.py's ChineseTokenizer as it was, over the tokens above."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[WhooshToken]:
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for word in tokens(value, index=mode == "index"):
            token.text = stem_latin(word.text)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word.text
            if positions:
                token.pos = start_pos + word.position
            if chars:
                token.startchar, token.endchar = start_char + word.start, start_char + word.end
            yield token
