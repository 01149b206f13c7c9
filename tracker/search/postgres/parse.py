"""The query language as a tsquery: tracker.search.language's parser and rewrites, then a translation.

The user's text is parsed and rewritten exactly as the Whoosh backend does it (tracker.search.language:
the same text fields, scopes in both languages, AND/OR/NOT, +/-, phrases, the title boost, a Chinese
word also as its finer cut, any form of a synonym group as the group's word). The tree is
then written as one tsquery over search_unit.tsv, a scope being a weight (title A, proposer B,
office C), a phrase the <-> operator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh import query
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser

from tracker.search import analysis
from tracker.search.language import TEXT_FIELDS, expand, make_parser, normalize_query, stem_latin
from tracker.search.postgres.table import _quote

WEIGHTS = {"title": "A", "proposer": "B", "agency_name": "C", "text": ""}


class _Words(Tokenizer):
    """Query words from tracker.search.analysis (the precise cut), English words stemmed."""

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
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            yield token
            return
        for word in analysis.query_tokens(value):
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


def _parser() -> MultifieldParser:
    words = _Words()
    return make_parser(
        Schema(**{name: TEXT(analyzer=words, multitoken_query="phrase") for name in TEXT_FIELDS})
    )


_PARSER = _parser()


def parse(text: str) -> query.Query:
    """The query tree; an empty text is Every (filters alone choose)."""
    text = normalize_query(text)
    if not text:
        return query.Every()
    return expand(_PARSER.parse(text))


def parse_plain(text: str) -> query.Query:
    """The tree before rewrites (what spelling looks at)."""
    return _PARSER.parse(normalize_query(text))


# -- to a tsquery ----------------------------------------------------------------------------------

ALL = "ALL"  # matches every unit (no tsquery)
NONE = "NONE"  # matches nothing


def _operand(word: str, fieldname: str, prefix: bool = False) -> str:
    weight = WEIGHTS.get(fieldname, "")
    suffix = ("*" if prefix else "") + weight
    return _quote(word) + (f":{suffix}" if suffix else "")


def tsquery(q: query.Query, *, match: bool = False) -> str:
    """The tree as tsquery text, or ALL / NONE. With ``match``, for choosing rows only: an
    alternative scoped to a field (a weight) is left out beside the same words unscoped (the title
    boost, 'w':A | 'w'), as it matches nothing more, and an unweighted query needs no recheck of
    the GIN index's candidates (no row's vector read) where a weighted one does."""
    if isinstance(q, query.Every):
        return ALL
    if isinstance(q, type(query.NullQuery)):
        return NONE
    if isinstance(q, query.Term):
        if q.fieldname not in TEXT_FIELDS or not q.text:
            return NONE
        return _operand(str(q.text), q.fieldname)
    if isinstance(q, query.Phrase):
        if q.fieldname not in TEXT_FIELDS or not q.words:
            return NONE
        return "(" + " <-> ".join(_operand(w, q.fieldname) for w in q.words) + ")"
    if isinstance(q, query.Prefix):
        if q.fieldname not in TEXT_FIELDS:
            return NONE
        return _operand(str(q.text), q.fieldname, prefix=True)
    if isinstance(q, query.Wildcard):
        stem, _sep, _rest = str(q.text).partition("*")
        stem = stem.split("?")[0]
        return _operand(stem, q.fieldname, prefix=True) if stem and q.fieldname in TEXT_FIELDS else NONE
    if isinstance(q, query.Not):
        inner = tsquery(q.query, match=match)
        return NONE if inner == ALL else ALL if inner == NONE else f"!({inner})"
    if isinstance(q, query.AndNot):
        return _and([tsquery(q.a, match=match), tsquery(query.Not(q.b), match=match)])
    if isinstance(q, query.AndMaybe):
        return tsquery(q.a, match=match)  # the optional part only adds to the score
    if isinstance(q, query.Require):
        return _and([tsquery(q.a, match=match), tsquery(q.b, match=match)])
    if isinstance(q, query.And):
        return _and([tsquery(c, match=match) for c in q.children()])
    if isinstance(q, query.Or):
        return _or([tsquery(c, match=match) for c in q.children()], match=match)
    if isinstance(q, query.ConstantScoreQuery):
        return tsquery(q.child, match=match)
    return NONE  # ranges and the like over text fields: nothing the text search can match


def _and(parts: list[str]) -> str:
    if NONE in parts:
        return NONE
    kept = [p for p in parts if p != ALL]
    if not kept:
        return ALL
    return kept[0] if len(kept) == 1 else "(" + " & ".join(kept) + ")"


_WEIGHTED = re.compile(r"('(?:[^']|'')*'):(\*?)[ABC]+")


def _unweighted(part: str) -> str:
    return _WEIGHTED.sub(lambda m: m[1] + (":*" if m[2] else ""), part)


def _or(parts: list[str], *, match: bool = False) -> str:
    if ALL in parts:
        return ALL
    kept = list(dict.fromkeys(p for p in parts if p != NONE))
    if match:
        kept = [p for p in kept if (plain := _unweighted(p)) == p or plain not in kept]
    if not kept:
        return NONE
    return kept[0] if len(kept) == 1 else "(" + " | ".join(kept) + ")"
