"""Chinese (and English) text analysis for search: normalisation, segmentation, synonyms.

Plain Python over rjieba (the Rust binding of jieba); no Whoosh import. The Whoosh tokenizer in
``whoosh/schema.py`` is a thin wrapper around ``index_tokens`` and ``query_tokens``.

Why this shape (measured on this archive's kind of text, see ../shared/notes/search-measurements.md):

- Text is NFKC-normalised and lower-cased first, so full-width and half-width forms (Ａ/A, ２/2, ：/:)
  and case compare equal.
- Han runs are cut by jieba. At index time a word is indexed with its dictionary sub-words
  (电子商务 also as 电子, 商务), and every sub-word takes the position of the word that contains
  it; at query time text is cut precisely. A query for 商务平台 is the phrase 商务 + 平台, which
  still matches 电子商务平台 because 商务 sits at the position of 电子商务.
- A line break ends a passage: the next word's position is PASSAGE_GAP further on, so a quoted
  phrase never spans two paragraphs, nor two fields indexed together (a heading and its text).
- Other letters and digits form words of their own (English stemming is applied by the Whoosh
  filter that follows the tokenizer).
- A user dictionary (dictionary.txt) keeps domain words whole. A synonym table (synonyms.txt) is
  applied at index time: wherever any form of a group occurs (one word, a sub-word, or a run of
  words such as 小型 微型 企业), the group's first word is indexed too, at the position of the
  form's first word; a query for any form then searches that one term, never a phrase.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import rjieba

DICTIONARY = Path(__file__).with_name("dictionary.txt")
SYNONYMS = Path(__file__).with_name("synonyms.txt")

# Han ideographs (with extensions and compatibility forms) are segmented by jieba; every other run
# of letters or digits is one word.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+)|(?P<word>[^\W_{_HAN}]+)")
_HAN_WORD = re.compile(rf"^[{_HAN}]+$")
# A line break ends a passage (a paragraph, or one field of several indexed together: a reply
# point's heading and text). The next passage starts this many positions further on, so a quoted
# phrase, which needs its words at consecutive positions, never spans two (Lucene's
# position_increment_gap, and the same default).
PASSAGE_GAP = 100
_PASSAGE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


class Token(NamedTuple):
    """One analysed word: its normalised text, word position, and offsets in the original text."""

    text: str
    position: int
    start: int
    end: int


# -- normalisation ---------------------------------------------------------------------------------


@cache
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower()


def normalize(text: str) -> str:
    """NFKC and lower case: what both documents and queries are compared in."""
    return unicodedata.normalize("NFKC", text).lower()


def normalize_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The normalised text and, when it differs in length, where each of its characters came from.

    ``offsets[i]`` is the index in ``text`` of the character that produced normalised character
    ``i`` (with one extra entry for the end). ``None`` means the lengths agree and offsets are
    the same in both, which is the case for almost all text: NFKC maps full-width forms one to
    one, and only rare characters (①, ㈠, ligatures, decomposed accents) change length.
    """
    folded = normalize(text)
    if len(folded) == len(text):
        return folded, None
    parts: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        mapped = _fold_char(ch)
        parts.append(mapped)
        offsets.extend([index] * len(mapped))
    offsets.append(len(text))
    return "".join(parts), offsets


# -- the segmenter ---------------------------------------------------------------------------------


class _Segmenter:
    """One jieba instance with the user dictionary, loaded on first use (rjieba loads in ~0.2 s)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jieba: rjieba.Jieba | None = None

    def get(self) -> rjieba.Jieba:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    jieba = rjieba.Jieba()
                    for word, freq in user_words():
                        jieba.add_word(word, freq, None)
                    self._jieba = jieba
        return self._jieba


_SEGMENTER = _Segmenter()


def _data_lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


@cache
def user_words() -> tuple[tuple[str, int | None], ...]:
    """The user dictionary: (word, frequency or None to let jieba choose one that keeps it whole)."""
    words = []
    for line in _data_lines(DICTIONARY):
        word, _, freq = line.partition(" ")
        words.append((normalize(word), int(freq) if freq.strip() else None))
    return tuple(words)


@lru_cache(maxsize=65536)
def _sub_words(word: str) -> tuple[tuple[str, int, int], ...]:
    """Dictionary words strictly inside ``word``, with their offsets in it (longest first)."""
    has_word = _SEGMENTER.get().has_word
    size = len(word)
    return tuple(
        (word[i : i + length], i, i + length)
        for length in range(size - 1, 1, -1)
        for i in range(size - length + 1)
        if has_word(word[i : i + length])
    )


# A span is a token as a plain tuple (text, position, start, end): the hot loops make hundreds of
# them per unit, and a tuple is the cheapest object to make; Token wraps them at the API's edge.
Span = tuple[str, int, int, int]


@lru_cache(maxsize=1 << 17)
def _word_entry(word: str) -> tuple[tuple[tuple[str, int, int], ...], tuple[tuple[str, int, int], ...], bool]:
    """What indexing adds after a Han word, from the word alone (a per-word table: vocabularies
    are small, so nearly every word is looked up rather than worked out).

    (extra, pieces, prefix): ``extra`` is the words indexed after it, with offsets in it, when no
    synonym form can start with it and run on into the next word (its sub-words, then the group
    words of itself and of its sub-words, as ``_synonym_spans`` gives them); ``pieces`` its
    sub-words alone; ``prefix`` whether a form may run on, so the next words must be looked at.
    """
    pieces = _sub_words(word) if len(word) > 2 else ()
    canonical = synonym_canonical()
    if not canonical:
        return pieces, pieces, False
    longest = max(map(len, canonical))
    prefix = len(word) < longest and word in synonym_prefixes()
    alone = tuple(_synonym_spans(canonical, longest, [(word, 0, len(word))], 0, pieces, 0))
    return pieces + alone, pieces, prefix


def _analyse(text: str, index: bool) -> list[Span]:
    """The spans of ``text``: the words of the precise cut, and when ``index`` each word's
    sub-words and synonym group words after it at its position (see the module's docstring)."""
    folded, offsets = normalize_with_offsets(text)
    tokenize = _SEGMENTER.get().tokenize
    out: list[Span] = []
    append = out.append
    position = -1
    canonical = synonym_canonical() if index else {}
    longest = max(map(len, canonical), default=0)
    previous_end = 0
    passage_break = _PASSAGE_BREAK.search
    for m in _RUNS.finditer(folded):
        start, end = m.span()
        if position >= 0 and passage_break(folded, previous_end, start):
            position += PASSAGE_GAP
        previous_end = end
        if m.lastgroup != "han":
            position += 1
            append((folded[start:end], position, start, end))
            continue
        cut = tokenize(folded[start:end])
        if not index:
            for word, w_start, w_end in cut:
                position += 1
                append((word, position, start + w_start, start + w_end))
            continue
        last = len(cut) - 1
        for i, (word, w_start, w_end) in enumerate(cut):
            position += 1
            a = start + w_start
            append((word, position, a, start + w_end))
            extra, pieces, prefix = _word_entry(word)
            if prefix and i < last:
                for piece, p_start, p_end in pieces:
                    append((piece, position, a + p_start, a + p_end))
                for group, g_start, g_end in _synonym_spans(canonical, longest, cut, i, pieces, start):
                    append((group, position, g_start, g_end))
            else:
                for piece, p_start, p_end in extra:
                    append((piece, position, a + p_start, a + p_end))
    if offsets is not None:  # back to the original text's offsets (rare: see normalize_with_offsets)
        return [(word, p, offsets[a], offsets[b]) for word, p, a, b in out]
    return out


def _synonym_spans(
    canonical: dict[str, str],
    longest: int,
    cut: list[tuple[str, int, int]],
    i: int,
    pieces: tuple[tuple[str, int, int], ...],
    start: int,
) -> Iterator[tuple[str, int, int]]:
    """The group word of every synonym form that starts at word ``i`` of ``cut`` (the word itself,
    a run of it and the words after it, or one of its sub-words), with its offsets (``start`` is the
    cut's in the text).

    So 小型 微型 企业 in a text is also indexed as 小微企业 and a query needs no phrase for it.
    """
    word, w_start, _w_end = cut[i]
    emitted: set[str] = set()
    text, j = word, i
    while True:
        group = canonical.get(text)
        if group is not None and group != text and group not in emitted:
            emitted.add(group)
            yield group, start + w_start, start + cut[j][2]
        j += 1
        if j == len(cut) or len(text) >= longest:
            break
        if text not in synonym_prefixes():
            break  # no form starts with this run: nothing longer can be one (most words stop here)
        following, f_start, _f_end = cut[j]
        # a form may end inside the next word (小 微型 企业主 holds 小微型企业): its leading sub-words
        for piece, p_start, p_end in _sub_words(following) if len(following) > 2 else ():
            group = canonical.get(text + piece) if p_start == 0 else None
            if group is not None and group not in emitted:
                emitted.add(group)
                yield group, start + w_start, start + f_start + p_end
        text += following
    for piece, p_start, p_end in pieces:
        group = canonical.get(piece)
        if group is not None and group != piece and group not in emitted:
            emitted.add(group)
            a = start + w_start + p_start
            yield group, a, a + p_end - p_start


def index_spans(text: str) -> list[Span]:
    """``index_tokens`` as plain tuples (text, position, start, end): for the index builders."""
    return _analyse(text, True)


def query_spans(text: str) -> list[Span]:
    """``query_tokens`` as plain tuples (text, position, start, end)."""
    return _analyse(text, False)


def index_tokens(text: str) -> Iterator[Token]:
    """Words for the index: each word, then its dictionary sub-words at the same position."""
    return map(Token._make, _analyse(text, True))


def query_tokens(text: str) -> Iterator[Token]:
    """Words for a query: the precise cut, one position each."""
    return map(Token._make, _analyse(text, False))


@lru_cache(maxsize=16384)
def finer(word: str) -> tuple[str, ...]:
    """A Han word cut into the longest dictionary words shorter than itself (single characters where
    none fits): 商务平台 -> 商务, 平台.

    A query word can span words of the text: jieba knows 商务平台, but cuts 电子商务平台 into
    电子商务 + 平台, so the index has no 商务平台. Searching for the finer cut as a phrase as well
    finds it (商务 is a sub-word of 电子商务, at its position).
    """
    if len(word) < 3 or not is_han(word):
        return (word,)
    has_word = _SEGMENTER.get().has_word
    parts: list[str] = []
    i = 0
    while i < len(word):
        for j in range(min(len(word), i + len(word) - 1), i + 1, -1):
            if has_word(word[i:j]):
                parts.append(word[i:j])
                i = j
                break
        else:
            parts.append(word[i])
            i += 1
    return tuple(parts)


def words(text: str) -> list[str]:
    """The precise cut of ``text`` as plain strings (for building broader queries)."""
    return [t.text for t in query_tokens(text)]


def is_han(word: str) -> bool:
    return bool(_HAN_WORD.match(word))


# -- synonyms --------------------------------------------------------------------------------------


@cache
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """Each word of the synonym table mapped to its whole group (normalised)."""
    groups: dict[str, tuple[str, ...]] = {}
    for line in _data_lines(SYNONYMS):
        group = tuple(dict.fromkeys(normalize(w) for w in line.split()))
        for word in group:
            groups[word] = tuple(dict.fromkeys(groups.get(word, ()) + group))
    return groups


@cache
def synonym_canonical() -> dict[str, str]:
    """Each word of the synonym table mapped to its group's word (the first of its line): the one
    term the index holds wherever any form of the group occurs, and a query searches for."""
    return {word: group[0] for word, group in synonym_groups().items()}


@cache
def synonym_prefixes() -> frozenset[str]:
    """Every proper prefix of a synonym form: a run of words not among them cannot grow into one."""
    return frozenset(form[:k] for form in synonym_canonical() for k in range(1, len(form)))


def canonical(word: str) -> str | None:
    """The group word standing for ``word`` (itself for the group word), None when it has none."""
    return synonym_canonical().get(normalize(word))


def synonyms(word: str) -> tuple[str, ...]:
    """The other words that mean the same as ``word`` (which may be a run of several cut words)."""
    key = normalize(word)
    return tuple(w for w in synonym_groups().get(key, ()) if w != key)
