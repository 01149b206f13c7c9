"""The query language both backends read: fields and their scopes in both languages, the title
boost, AND/OR/NOT and +/-, phrases, and the rewrites of Chinese words (finer cut, synonyms).

Parsed by Whoosh's query parser (the whoosh package as a parsing library, never an index), so the
Whoosh backend runs the tree as it is and the PostgreSQL backend translates the same tree into a
tsquery (postgres/parse.py): a query finds the same units on either.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from whoosh import query
from whoosh.fields import Schema
from whoosh.lang.porter import stem
from whoosh.qparser import FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from tracker.search import analysis

TEXT_FIELDS = ("title", "text", "proposer", "agency_name")
DEFAULT_FIELDS = ("title", "text")
# Field scopes users may type, in both languages. Unknown scopes are searched as plain words.
FIELD_ALIASES = {
    "title": ["标题", "题目"],
    "text": ["正文", "内容", "全文", "body"],
    "proposer": ["提案人", "委员"],
    "agency_name": ["agency", "承办单位", "办理单位", "单位"],
}
FIELD_BOOSTS = {"title": 2.0}

# Quotation marks people type in Chinese text; the parser knows only the ASCII one.
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」『』〝〞"})


def normalize_query(text: str) -> str:
    """NFKC (full-width ：－（） become ASCII) and one kind of quotation mark; case is kept for OR/NOT."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).strip()


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return stem(word)


def stem_latin(word: str) -> str:
    """Porter stemming for English words; Chinese words and numbers pass unchanged."""
    return _stem(word) if word.isascii() and word.isalpha() else word


def make_parser(schema: Schema) -> MultifieldParser:
    """The parser over ``schema``'s text fields (TEXT_FIELDS, each with the app's analyzer)."""
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema=schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(PlusMinusPlugin())
    return parser


def words_of(q: query.Query) -> list[str] | None:
    """The words of a term or phrase; None for any other node."""
    if isinstance(q, query.Term) and isinstance(q.text, str):
        return [q.text]
    if isinstance(q, query.Phrase):
        return list(q.words)
    return None


def expand(q: query.Query) -> query.Query:
    """Chinese words and phrases also match their finer cut and their synonyms.

    商务平台 also as the phrase 商务 + 平台 (see analysis.finer). Any form of a synonym group
    (小微企业, 小型微型企业) becomes the group's one indexed term (see analysis._synonym_spans).
    """
    words = words_of(q)
    if words is None:
        return q.apply(expand) if not q.is_leaf() else q
    if q.fieldname not in TEXT_FIELDS or not all(analysis.is_han(w) for w in words):
        return q
    group = analysis.canonical("".join(words))
    if group is not None:
        # the index holds the group word wherever any form of the group occurs (however it was
        # cut): one term, no phrase
        return query.Term(q.fieldname, stem_latin(group), boost=q.boost)
    fine = [part for word in words for part in analysis.finer(word)]
    if fine != words:
        return query.Or([q, query.Phrase(q.fieldname, fine, boost=q.boost)])
    return q
