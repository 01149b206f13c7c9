"""The faster analysis gives exactly what it gave before (issue 14): the same tokens, positions and
offsets from index_tokens/query_tokens, the same tsvector literals, compared with the frozen copy in
reference_analysis.py over a varied table of texts. Any differing token fails."""

from __future__ import annotations

import copy
import os
import random
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.fields import TEXT

from tracker.bench.corpus import generate
from tracker.search import analysis
from tracker.search.documents import GroupFacts, SearchDocument, UnitType
from tracker.search.postgres import table
from tracker.search.whoosh import schema as whoosh_schema
from tracker.search.whoosh.schema import make_schema

from . import reference_analysis as reference

REPO = Path(__file__).resolve().parents[2]
SEEDS = [REPO / "seeds", Path(os.environ.get("SHARED_SEEDS", REPO.parent / "shared" / "seeds"))]


def _seed_texts() -> list[str]:
    texts = []
    for folder in SEEDS:
        for path in sorted(folder.rglob("*.txt")) if folder.is_dir() else ():
            whole = path.read_text(encoding="utf-8")
            texts.append(whole)
            texts.extend(p for p in whole.split("\n\n")[:40] if p.strip())
    return texts


def _corpus_texts() -> list[str]:
    corpus = generate(proposals=12, seed=14, seeds_dir=REPO / "seeds")
    texts = []
    for p in corpus.proposals:
        texts += [p.title, p.proposer, p.text, *p.suggestion_titles]
        if p.reply:
            texts += [p.reply.agency, p.reply.text]
    return texts


def _synonym_texts() -> list[str]:
    forms = list(analysis.synonym_groups())
    words = [w for w, _f in analysis.user_words()]
    texts = [f"支持{form}发展" for form in forms] + [f"关于{word}的建议" for word in words]
    texts += [
        "小型 微型 企业",
        "小型微型企业主",
        "小微型企业主",
        "中小型企业",
        "支持个体工商户",
        "电子商务平台建设",
    ]
    texts.append("".join(forms) + "".join(words))  # forms running into each other
    return texts


ODD = [
    "",
    " ",
    "\n\n",
    "，。！",
    "① Ｓmall ＦＩＮＡＮＣＩＮＧ，小微企业",  # NFKC changes the length: offsets mapped back
    "㈠加强小微企业融资 ㈡ 完善担保体系",
    "ﬁnancing ﬂow ＡＢＣ ２０１５年 ｶﾀｶﾅ",
    "cafe\u0301 x\u0301\u0323 Å",  # composition and reordering of combining marks
    "标题\n\n正文第一段\r\n第二段\u2028第三段\x0c第四段",
    "\n开头有换行\n",
    "micro-enterprises，2015年 GDP增长3.5%，The Company's policies are running",
    "it's a back\\slash and 'quotes' 电子商务",
    "𠀀𠀁 兀 丽 CJK extension and compatibility ideographs",
    "混合English和中文words123数字456",
]


def _mixed(texts: list[str]) -> list[str]:
    """Recombined sentences of every kind, with breaks between some (a fixed seed: same every run)."""
    rng = random.Random(14)
    pieces = [t for text in texts for t in text.replace("\n", "。").split("。") if t]
    return [
        "".join(
            rng.choice(pieces) + rng.choice(["。", "\n", "，", " ", ""]) for _ in range(rng.randint(1, 12))
        )
        for _ in range(150)
    ]


BASE = _seed_texts() + _corpus_texts() + _synonym_texts() + ODD
TEXTS = BASE + _mixed(BASE)


def test_the_table_of_texts_is_varied() -> None:
    assert len(_seed_texts()) > 20 and len(_corpus_texts()) > 50
    # synonyms, sub-words and re-mapped offsets all occur in it
    spans = [s for text in TEXTS for s in analysis.index_spans(text)]
    canonical = set(analysis.synonym_canonical().values())
    assert sum(s[0] in canonical for s in spans) > 100
    assert any(
        text != analysis.normalize(text) and len(text) != len(analysis.normalize(text)) for text in TEXTS
    )


@pytest.mark.parametrize("index", [True, False], ids=["index", "query"])
def test_tokens_are_the_reference_tokens(index: bool) -> None:
    for text in TEXTS:
        ours = list(analysis.index_tokens(text) if index else analysis.query_tokens(text))
        assert ours == list(reference.tokens(text, index=index)), text
        if index:
            assert analysis.index_spans(text) == [tuple(t) for t in ours]
        # twice: the per-word tables filled by the first pass give the same answer
        assert list(analysis.index_tokens(text) if index else analysis.query_tokens(text)) == ours


def test_tsvectors_are_the_reference_literals() -> None:
    for text in TEXTS:
        assert table.tsvector(text) == reference.tsvector(text), text
        # weights over ranges that overlap, run past the end or start before 0: the first one wins
        third = len(text) // 3
        weights = [
            (0, third, "A"),
            (third // 2, 2 * third, "B"),
            (2 * third, len(text) + 5, "C"),
            (-3, 2, "B"),
        ]
        assert table.tsvector(text, weights) == reference.tsvector(text, weights), text


def test_positions_past_postgresqls_largest_share_it_keeping_the_strongest_weight() -> None:
    passage = "电子商务平台支持小型微型企业发展 policies"
    # more than 16,383 positions, each held by a word of its own up to there, then a few passages
    text = " ".join(f"w{i}" for i in range(16390)) + "\n" + "\n".join([passage] * 3) + " ending"
    weights = [(len(text) - 300, len(text) - 50, "B"), (len(text) - 100, len(text), "A"), (0, 900, "C")]
    ours = table.tsvector(text, weights)
    assert ours == reference.tsvector(text, weights)
    assert f"'end':{table.MAX_POSITION}A" in ours.split()


def test_text_vectors_are_the_reference_literals() -> None:
    facts = GroupFacts(group="p1", title="t", published=True, proposer="张伟 李娜")
    texts = TEXTS[:: max(1, len(TEXTS) // 120)]
    for title, body in zip(texts, reversed(texts), strict=True):
        for unit_type, agency in ((UnitType.PROPOSAL, ""), (UnitType.REPLY_POINT, "市财政局")):
            doc = SearchDocument(key="p1", type=unit_type, title=title, body=body, position=0, facts=facts)
            doc = replace(doc, agency=agency)
            assert table.text_vector(doc) == reference.text_vector(doc), (title, body)


def test_whoosh_postings_are_those_of_the_reference_analyzer() -> None:
    """The bulk rebuild's term values (schema.index_values) and Whoosh's own (field.index over the
    tokenizer) are what Whoosh made with the previous tokenizer, field by field."""
    schema = make_schema()
    names = [name for name, field in schema.items() if isinstance(field, TEXT)]
    assert {"title", "text", "summary"} <= set(names)
    for name in names:
        field = schema[name]
        before = copy.deepcopy(field)
        before.analyzer = before.format.analyzer = reference.ReferenceTokenizer()
        for text in TEXTS:
            theirs = list(before.index(text))
            assert list(whoosh_schema.index_values(field, text)) == theirs, (name, text)
            assert list(field.index(text)) == theirs, (name, text)
            # the tokens themselves, as a query (and the highlighter) reads them: positions, chars
            for mode in ("query", "index"):
                assert _tokens(field, text, mode) == _tokens(before, text, mode), (name, text)


def _tokens(field: TEXT, text: str, mode: str) -> list[tuple[str, int, int, int]]:
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in field.tokenize(text, mode=mode, positions=True, chars=True, start_pos=3, start_char=7)
    ]
