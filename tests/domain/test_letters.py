"""The standard reply letter and the coverage check."""

from __future__ import annotations

import pytest

from tracker.domain.letters import (
    Exemption,
    LetterPart,
    Waiver,
    addressee,
    check_coverage,
    chinese_numeral,
    compose_letter,
    default_preamble,
    point_heading,
)
from tracker.domain.linking import link
from tracker.domain.markers import cn_to_int
from tracker.domain.replies import parse_reply
from tracker.domain.splitting import split_proposal


@pytest.mark.parametrize("n", [1, 9, 10, 11, 19, 20, 36, 99])
def test_chinese_numerals_read_back(n: int) -> None:
    assert cn_to_int(chinese_numeral(n)) == n


@pytest.mark.parametrize("n", [0, 100])
def test_chinese_numeral_range(n: int) -> None:
    with pytest.raises(ValueError):
        chinese_numeral(n)


def test_composed_letter_parses_back_and_links_one_to_one(model_proposal_text: str) -> None:
    suggestions = split_proposal(model_proposal_text).suggestions
    letter = compose_letter(
        title="第2号提案的答复",
        doc_number="镇经信〔2016〕8号",
        salutation=addressee("戴培红"),
        preamble=default_preamble("加强小型微型企业分级服务与管理的建议"),
        points=[LetterPart(s.n, point_heading(s.title), f"第{s.n}条的办理情况。") for s in suggestions],
        closing="感谢您对我们工作的关心和支持。",
        signature="镇海区经信局",
        date="2016年6月30日",
    )
    reply = parse_reply(letter)
    assert reply.salutation == "戴培红委员"
    assert (
        reply.preamble
        == "您提出的关于加强小型微型企业分级服务与管理的建议的提案收悉，经我们研究，现答复如下："
    )
    assert reply.points[0].text == "关于“设立专门的服务与管理机构”。第1条的办理情况。"
    assert (reply.doc_number, reply.signature, reply.date) == (
        "镇经信〔2016〕8号",
        "镇海区经信局",
        "2016年6月30日",
    )
    links = link(reply.points, suggestions)
    assert [(lk.point, lk.suggestion, lk.method) for lk in links] == [(i, i, "title") for i in range(1, 6)]


def test_coverage_complete_when_every_suggestion_is_answered() -> None:
    cov = check_coverage([1, 2, 3], [(1, 1), (2, 2), (3, 3), (3, 2)])
    assert cov.complete and cov.answered == {1: [1], 2: [2, 3], 3: [3]}


def test_coverage_names_the_unanswered_suggestion() -> None:
    cov = check_coverage([1, 2, 3, 4, 5], [(1, 1), (2, 2), (3, 3), (4, 4)])
    assert not cov.complete
    assert [(p.suggestion, p.message) for p in cov.problems] == [(5, "no point answers it")]


def test_explicit_exemptions_need_a_reason_and_a_real_partner() -> None:
    links = [(1, 1), (2, 2)]
    ok = check_coverage(
        [1, 2, 3, 4],
        links,
        [
            Exemption(3, Waiver.TOGETHER, "与第2条一并答复", with_suggestion=2),
            Exemption(4, Waiver.NOT_ANSWERABLE, "不属本单位职责，已转市住建局"),
        ],
    )
    assert ok.complete and set(ok.exempted) == {3, 4}
    bad = check_coverage(
        [1, 2, 3, 4],
        links,
        [
            Exemption(3, Waiver.TOGETHER, "一并答复", with_suggestion=4),
            Exemption(4, Waiver.NOT_ANSWERABLE, " "),
        ],
    )
    assert [p.suggestion for p in bad.problems] == [3, 4]
