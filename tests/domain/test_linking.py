"""The linker: which suggestion(s) each reply point answers, by title, similarity or number."""

from __future__ import annotations

import pytest

from tracker.domain.linking import link, title_match
from tracker.domain.replies import parse_reply
from tracker.domain.splitting import split_proposal

PROPOSAL = (
    "小微企业面临融资难、用工难、政策落实难等问题。为此建议：\n"
    "1.加大财政扶持力度。设立小微企业发展专项资金，对初创企业给予房租补贴和贷款贴息。\n"
    "2.拓宽融资渠道。鼓励银行开发适合小微企业的信贷产品，发展政府性融资担保机构，扩大担保规模。\n"
    "3.加强人才培训。组织小微企业经营管理人员开展培训，鼓励高校毕业生到小微企业就业。\n"
)


def answers(reply_body: str, proposal: str = PROPOSAL) -> dict[int, list[int]]:
    reply = parse_reply(
        "张三委员：\n您的提案收悉，现答复如下：\n" + reply_body + "\n某区经信局\n2023年5月1日"
    )
    sugg = split_proposal(proposal).suggestions
    out: dict[int, list[int]] = {p.n: [] for p in reply.points}
    for lk in link(reply.points, sugg):
        out[lk.point].append(lk.suggestion)
    return out


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "一、关于“加大财政扶持力度”。已设立专项资金。\n二、关于“拓宽融资渠道”。已推动。\n三、关于“加强人才培训”。已组织。",
            {1: [1], 2: [2], 3: [3]},
            id="quoted-titles-in-order",
        ),
        pytest.param(
            "一、关于“人才培训”。每年组织培训。\n二、关于“融资渠道”。推动银行放贷。\n三、关于“财政扶持”。设立资金。",
            {1: [3], 2: [2], 3: [1]},
            id="answers-in-another-order",
        ),
        pytest.param(
            "一、关于人才培训的建议。每年组织培训。\n二、关于财政扶持的建议。设立专项资金。",
            {1: [3], 2: [1]},
            id="guanyu-without-quotes",
        ),
        pytest.param(
            "一、关于“拓宽融资渠道”和“加强人才培训”的建议。我们推动银行放贷并组织培训。\n"
            "二、关于“加大财政扶持力度”。已设立专项资金。",
            {1: [2, 3], 2: [1]},
            id="one-point-answers-two",
        ),
        pytest.param(
            "一、基本情况\n全区共有小微企业3000余家。\n二、关于“拓宽融资渠道”。已推动。\n"
            "三、您提案的核心内容符合发展潮流且行之必要。",
            {1: [], 2: [2], 3: []},
            id="background-and-praise-answer-nothing",
        ),
        pytest.param(
            "一、高度重视，认真办理\n局党组专题研究，明确责任科室。\n二、关于“拓宽融资渠道”。已推动。\n"
            "三、区财政已设立小微企业发展专项资金。\n四、组织经营管理人员培训。",
            {1: [], 2: [2], 3: [1], 4: [3]},
            id="process-heading-answers-nothing",
        ),
        pytest.param(
            "一、我中心高度重视您的提案，专门印发了提案办理工作方案。\n"
            "二、区财政已设立小微企业发展专项资金，对初创企业给予房租补贴和贷款贴息。\n"
            "三、我们组织经营管理人员培训600人次，并鼓励高校毕业生到小微企业就业。\n"
            "四、我们推动银行开发信贷产品，政府性融资担保机构扩大担保规模。",
            {1: [], 2: [1], 3: [3], 4: [2]},
            id="similarity-without-titles",
        ),
    ],
)
def test_links(body: str, expected: dict[int, list[int]]) -> None:
    assert answers(body) == expected


def test_methods_and_confidence_are_recorded() -> None:
    reply = parse_reply(
        "张三委员：\n现答复如下：\n一、关于“人才培训”。已组织。\n二、区财政已设立专项资金，给予房租补贴和贷款贴息。"
    )
    links = link(reply.points, split_proposal(PROPOSAL).suggestions)
    by_point = {lk.point: lk for lk in links}
    assert by_point[1].method == "title" and by_point[1].suggestion == 3
    assert by_point[2].method == "similarity" and by_point[2].suggestion == 1
    assert all(0 < lk.confidence <= 1 for lk in links)


def test_number_is_the_last_resort() -> None:
    proposal = "为此建议：\n1.甲乙丙丁。\n2.戊己庚辛。"
    reply = parse_reply("某委员：\n现答复如下：\n一、已落实到位。\n二、正在推进中。")
    links = link(reply.points, split_proposal(proposal).suggestions)
    assert [(lk.point, lk.suggestion, lk.method) for lk in links] == [(1, 1, "number"), (2, 2, "number")]


@pytest.mark.parametrize(
    ("phrase", "title", "matches"),
    [
        ("商业信息中心", "建立商业信息中心", True),
        ("设立专门的服务与管理机构", "设立专门的服务与管理机构", True),
        ("关于 加强 培训", "加大培训力度", False),
        ("融资担保", "加强联系与沟通", False),
    ],
)
def test_title_match_is_approximate(phrase: str, title: str, matches: bool) -> None:
    assert (title_match(phrase, title) >= 0.6) is matches


def test_model_case_links_one_to_one(model_proposal_text: str, model_reply_text: str) -> None:
    links = link(parse_reply(model_reply_text).points, split_proposal(model_proposal_text).suggestions)
    assert [(lk.point, lk.suggestion, lk.method) for lk in links] == [(i, i, "title") for i in range(1, 6)]
    assert links[4].confidence < 1.0  # "商业信息中心" only approximates "建立商业信息中心"


def test_reordered_answers_without_titles_link_by_similarity(
    model_proposal_text: str, model_reply_text: str
) -> None:
    import re

    body = re.sub(r"关于“[^”]+”。", "", model_reply_text).split("现答复如下：\n", 1)[1]
    blocks = [
        re.sub(r"^[一二三四五]、", "", b)
        for b in re.split(r"\n(?=[一二三四五]、)", body.split("\n\n下步")[0].strip())
    ]
    order = [3, 0, 4, 1, 2]  # the letter answers suggestion 4 first, then 1, 5, 2, 3
    letter = "戴培红委员：\n现答复如下：\n" + "\n".join(
        "一二三四五"[k] + "、" + blocks[i] for k, i in enumerate(order)
    )
    links = link(parse_reply(letter).points, split_proposal(model_proposal_text).suggestions)
    assert [(lk.point, lk.suggestion) for lk in links] == [(k + 1, i + 1) for k, i in enumerate(order)]
    assert {lk.method for lk in links} == {"similarity"}


def test_single_request_is_answered_by_every_substantive_point() -> None:
    proposal = "村道年久失修，群众出行不便。建议：尽快硬化村道。"
    reply = parse_reply(
        "某代表：\n现答复如下：\n一、基本情况\n该村道长4.5公里。\n二、已纳入项目库。\n三、积极争取资金。"
    )
    links = link(reply.points, split_proposal(proposal).suggestions)
    assert [(lk.point, lk.suggestion) for lk in links] == [(2, 1), (3, 1)]
