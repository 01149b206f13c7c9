"""Key terms for "more like this": the words of a text that say what it is about, weighted. One rule
for both search backends, so Whoosh and PostgreSQL look for the same words in the same proposal.

Engine-neutral and pure: the text is segmented as both engines index it (analysis.index_tokens,
Latin words stemmed), and each engine only answers how many units hold a word (its document
frequency, df) out of how many units it holds (N): Whoosh from its reader, PostgreSQL by counting
rows of search_unit. The weight is Bo1, Amati's Bose-Einstein divergence from randomness (the model
Whoosh's own ``key_terms_from_text`` uses, there over collection frequencies):

    w = tf * log2((1 + f) / f) + log2(1 + f),    f = df / N

so a word the text repeats and few units hold weighs most; the weights are scaled so the first is 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from tracker.search import analysis
from tracker.search.language import stem_latin

KEY_TERMS = 25  # words a more-like-this query is built from
CANDIDATES = 100  # the text's words whose document frequency an engine is asked for


def term_counts(text: str) -> dict[str, int]:
    """Each word of ``text`` as the index holds it (sub-words too) and how often it occurs there.

    Single Han characters are left out: mostly particles (的, 与, 和), they only add noise.
    """
    counts: dict[str, int] = {}
    for token in analysis.index_tokens(text):
        word = stem_latin(token.text)
        if len(word) == 1 and analysis.is_han(word):
            continue
        counts[word] = counts.get(word, 0) + 1
    return counts


def candidates(counts: Mapping[str, int], limit: int = CANDIDATES) -> list[str]:
    """The words worth asking the engine about: the most frequent in the text first, at equal counts
    the longer (a longer Chinese word is the more specific), then by code point, so the cut is the
    same on every engine. A bound keeps a long text from asking about hundreds of words."""
    return sorted(counts, key=lambda w: (-counts[w], -len(w), w))[:limit]


def key_terms(
    counts: Mapping[str, int],
    frequencies: Mapping[str, int],
    total: int,
    *,
    limit: int = KEY_TERMS,
) -> list[tuple[str, float]]:
    """The ``limit`` weightiest words of a text (``counts``: term frequencies) given how many of the
    engine's ``total`` units hold each word (``frequencies``), weightiest first, ties by code point.

    Words no unit holds are left out: they cannot find anything.
    """
    weighted: list[tuple[float, str]] = []
    for word, df in frequencies.items():
        tf = counts.get(word, 0)
        if df <= 0 or tf <= 0:
            continue
        f = df / max(total, df)
        weighted.append((tf * math.log2((1 + f) / f) + math.log2(1 + f), word))
    weighted.sort(key=lambda item: (-item[0], item[1]))
    chosen = weighted[:limit]
    if not chosen:
        return []
    top = chosen[0][0]
    return [(word, weight / top) for weight, word in chosen]


def choose(
    text: str, frequencies: Callable[[Iterable[str]], Mapping[str, int]], total: int
) -> list[tuple[str, float]]:
    """The key terms of ``text``; ``frequencies`` gives an engine's document frequencies of words."""
    counts = term_counts(text)
    if not counts or total <= 0:
        return []
    words = candidates(counts)
    found = frequencies(words)
    return key_terms(counts, {w: found.get(w, 0) for w in words}, total)
