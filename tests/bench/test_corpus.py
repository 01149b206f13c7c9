"""The benchmark corpus: deterministic, realistic, and read back exactly by the parsers."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from tracker.bench.corpus import AGENCIES, MARKER_STYLES, generate
from tracker.domain.linking import link
from tracker.domain.replies import parse_reply
from tracker.domain.splitting import split_proposal

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def fingerprint(seed: int, n: int) -> str:
    corpus = generate(proposals=n, seed=seed, seeds_dir=SEEDS)
    h = hashlib.sha256()
    for p in corpus.proposals:
        h.update(repr((p.session_name, p.number, p.title, p.state, p.lead_agency, p.text)).encode())
        h.update((p.reply.text if p.reply else "").encode())
    return h.hexdigest()


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    assert fingerprint(3, 200) == fingerprint(3, 200)
    assert fingerprint(3, 200) != fingerprint(4, 200)


@pytest.fixture(scope="module")
def corpus():
    return generate(proposals=400, seed=11, seeds_dir=SEEDS)


def test_proposals_split_back_into_the_suggestions_generated(corpus) -> None:
    styles = Counter()
    for p in corpus.proposals:
        assert [u.title for u in split_proposal(p.text).suggestions] == p.suggestion_titles, p.marker_style
        styles[p.marker_style] += 1
    assert set(styles) == {name for name, _, _ in MARKER_STYLES}


def test_replies_parse_and_link_back_to_what_they_answer(corpus) -> None:
    replies = [p for p in corpus.proposals if p.reply]
    assert any(p.reply.answers != sorted(p.reply.answers) for p in replies)  # some answer out of order
    for p in replies:
        reply = parse_reply(p.reply.text)
        assert reply.signature == p.reply.agency
        links = link(reply.points, split_proposal(p.text).suggestions)
        assert [lk.suggestion for lk in links] == p.reply.answers


def test_sizes_states_and_agencies_are_realistic(corpus) -> None:
    lengths = [len(p.text) for p in corpus.proposals]
    assert min(lengths) >= 800 and max(lengths) <= 3000
    assert all(3 <= len(p.suggestion_titles) <= 8 for p in corpus.proposals)
    states = Counter(p.state for p in corpus.proposals)
    assert states["replied"] + states["closed"] > 0.6 * len(corpus.proposals)
    assert states["draft"] > 0 and any(p.overdue for p in corpus.proposals)
    assert len(AGENCIES) == 60 and len({p.lead_agency for p in corpus.proposals if p.lead_agency}) > 40
    assert len({p.session_name for p in corpus.proposals}) == 20
