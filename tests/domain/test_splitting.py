"""The proposal splitter: one row per marker style and per trap (each fails if its rule goes)."""

from __future__ import annotations

import pytest

from tracker.domain.markers import unfold
from tracker.domain.splitting import split_proposal

BG = "近年来，我区小微企业发展迅速，但仍面临融资难、用工难等问题。\n"

# (id, text, expected [(marker, title)])
CASES = [
    (
        "arabic-dot-ascii-and-fullwidth-mixed",
        BG + "为此建议：\n1.设立专门机构。内容一。\n2.实行分级管理。内容二。\n3．加大培训力度。内容三。",
        [("1.", "设立专门机构"), ("2.", "实行分级管理"), ("3．", "加大培训力度")],
    ),
    (
        "arabic-dun",
        BG + "建议如下：\n1、建立专(兼)职队伍。组建5至10人的队伍。\n2、强化经费保障。设立专项资金。",
        [("1、", "建立专(兼)职队伍"), ("2、", "强化经费保障")],
    ),
    (
        "arabic-half-paren",
        BG + "为此建议：\n1)加强宣传。\n2)完善制度。\n3)强化考核。",
        [("1)", "加强宣传"), ("2)", "完善制度"), ("3)", "强化考核")],
    ),
    (
        "arabic-paren-fullwidth",
        BG + "为此建议：\n（1）加强宣传。多渠道宣传。\n（2）完善制度。",
        [("（1）", "加强宣传"), ("（2）", "完善制度")],
    ),
    (
        "arabic-paren-ascii",
        BG + "为此建议：\n(1)加强宣传。\n(2)完善制度。",
        [("(1)", "加强宣传"), ("(2)", "完善制度")],
    ),
    (
        "chinese-paren-fullwidth",
        BG + "对策建议：\n（一）多措并举，加强保护。一要压实责任。\n（二）拓宽思路，活化利用。",
        [("（一）", "多措并举，加强保护"), ("（二）", "拓宽思路，活化利用")],
    ),
    (
        "chinese-paren-ascii",
        BG + "对策建议:\n(一)多措并举,加强保护。\n(二)拓宽思路,活化利用。",
        [("(一)", "多措并举,加强保护"), ("(二)", "拓宽思路,活化利用")],
    ),
    (
        "chinese-dun",
        BG + "为此建议：\n一、设立服务中心。\n二、加大培训力度。\n三、建立信息平台。",
        [("一、", "设立服务中心"), ("二、", "加大培训力度"), ("三、", "建立信息平台")],
    ),
    (
        "di-yi-comma",
        BG + "为此建议：\n第一，加强组织领导。\n第二，加大资金投入。\n第三，强化督查考核。",
        [("第一，", "加强组织领导"), ("第二，", "加大资金投入"), ("第三，", "强化督查考核")],
    ),
    (
        "circled-line-start",
        BG + "为此建议：\n①加强宣传。\n②完善制度。",
        [("①", "加强宣传"), ("②", "完善制度")],
    ),
    (
        "inline-yi-shi",
        BG + "为此建议：一是加强宣传引导。二是完善扶持政策；三是强化人才支撑。",
        [("一是", "加强宣传引导"), ("二是", "完善扶持政策"), ("三是", "强化人才支撑")],
    ),
    (
        "inline-markers-after-colon-and-stops",
        BG + "为此建议：1、划定专门区域；2、加强食品监管；3、开展专项整治。",
        [("1、", "划定专门区域"), ("2、", "加强食品监管"), ("3、", "开展专项整治")],
    ),
    (
        "year-and-month-are-not-markers",
        "2012年4月底，国务院出台意见。\n29条措施已经落实。\n为此建议：\n1.落实政策。\n2.加强服务。",
        [("1.", "落实政策"), ("2.", "加强服务")],
    ),
    (
        "phase-words-are-not-markers",
        BG + "为此建议：\n1.加快园区一期、二期建设。一期已完工。\n2.完善配套设施。",
        [("1.", "加快园区一期、二期建设"), ("2.", "完善配套设施")],
    ),
    (
        "circled-places-inside-one-suggestion",
        BG + "为此建议：\n1.在以下地点设站：①城关②东街③西街④南街⑤北街⑥新区⑦园区⑧车站⑨码头⑩机场。\n"
        "2.加强管理。",
        [("1.", "在以下地点设站：①城关②东街③西街④南街⑤北街⑥新区⑦园区⑧车站⑨码头⑩机场"), ("2.", "加强管理")],
    ),
    (
        "list-inside-a-sentence",
        BG + "为此建议：\n1.对1、2、3号楼进行改造，覆盖一、二年级学生。\n2.加强管理。",
        [("1.", "对1、2、3号楼进行改造，覆盖一、二年级学生"), ("2.", "加强管理")],
    ),
    (
        "sequence-must-continue",
        BG + "为此建议：\n1.加强宣传。\n3.完善制度。\n2.强化考核。",
        [("1.", "加强宣传"), ("2.", "强化考核")],
    ),
    (
        "problems-list-with-same-markers-before-leadin",
        "存在以下问题：一、摊点无序。二、晾晒随意。为此建议：一、划定区域。二、禁止晾晒。三、专项整治。",
        [("一、", "划定区域"), ("二、", "禁止晾晒"), ("三、", "专项整治")],
    ),
    (
        "leadin-glued-to-background",
        "（一）意识不强。（二）资金不足。近年来问题突出。对策建议：\n（一）加强保护。\n（二）活化利用。",
        [("（一）", "加强保护"), ("（二）", "活化利用")],
    ),
    (
        "leadin-te-ti-chu",
        BG + "特提出如下建议：\n1.加强宣传。\n2.完善制度。",
        [("1.", "加强宣传"), ("2.", "完善制度")],
    ),
    (
        "section-heading-leadin",
        "一、存在问题\n1.人员不足。\n2.经费短缺。\n二、对策建议\n1.增加编制。\n2.保障经费。",
        [("1.", "增加编制"), ("2.", "保障经费")],
    ),
    (
        "spaced-label-leadin",
        "内    容:\n小区物业管理滞后。\n建    议:\n1. 引导业委会履职。\n2. 完善基础设施。\n承办单位:市政府办公室",
        [("1.", "引导业委会履职"), ("2.", "完善基础设施")],
    ),
    (
        "sub-points-stay-inside",
        BG + "为此建议：\n一、规范摊点。因此：1、划定区域。2、加强监管。\n二、禁止晾晒。",
        [("一、", "规范摊点"), ("二、", "禁止晾晒")],
    ),
    (
        "heading-line-title",
        BG + "为此建议：\n1.加强宣传引导\n通过多种渠道宣传。\n2.完善扶持政策\n出台配套办法。",
        [("1.", "加强宣传引导"), ("2.", "完善扶持政策")],
    ),
    (
        "marker-followed-by-year",
        BG + "建议：\n1.2024年起设立专项资金。\n2.建立考核机制。",
        [("1.", "2024年起设立专项资金"), ("2.", "建立考核机制")],
    ),
    (
        "decimal-number-is-not-a-marker",
        BG + "为此建议：\n1.道路全长3.5公里，需资金60万元。\n2.分期实施。",
        [("1.", "道路全长3.5公里，需资金60万元"), ("2.", "分期实施")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_markers_and_titles(text: str, expected: list[tuple[str, str]]) -> None:
    got = [(u.marker, u.title) for u in split_proposal(text).suggestions]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "last_text"),
    [
        pytest.param(
            BG + "为此建议：\n1.加强宣传。\n2.完善制度。\n通过以上建议，可以提升治理水平。",
            "完善制度。",
            id="closing-remark-not-in-last",
        ),
        pytest.param(
            BG + "为此建议：\n1.加强宣传。\n2.完善制度。\n承办单位:市政府办公室",
            "完善制度。",
            id="trailing-field-line-not-in-last",
        ),
        pytest.param(
            BG + "为此建议：\n1.加强宣传。\n2.完善制度。制度要落实到位。\n同时加强督查。",
            "完善制度。制度要落实到位。\n同时加强督查。",
            id="last-runs-over-paragraphs",
        ),
    ],
)
def test_last_suggestion_end(text: str, last_text: str) -> None:
    assert split_proposal(text).suggestions[-1].text == last_text


def test_text_starts_after_marker_and_span_points_into_original() -> None:
    text = BG + "为此建议：\n1.  设立机构。\n2.加强服务。"
    result = split_proposal(text)
    first = result.suggestions[0]
    assert first.text == "设立机构。"
    assert text[first.start : first.end] == first.text
    assert result.leadin == "为此建议："
    assert result.background.startswith("近年来")


def test_no_numbered_list_gives_one_flagged_suggestion() -> None:
    text = "关于修建村道的建议\n村道年久失修，群众出行不便，希望得到解决。"
    (only,) = split_proposal(text).suggestions
    assert only.marker is None and not only.numbered
    assert "村道年久失修" in only.text


def test_unmarked_request_after_leadin() -> None:
    text = "内容:医务人员少、设备不足。\n建议:区人民政府配备一辆救护车。\n提建议代表:某某"
    result = split_proposal(text)
    (only,) = result.suggestions
    assert only.marker is None
    assert only.text == "区人民政府配备一辆救护车。"
    assert result.leadin == "建议:"


def test_sub_points_are_kept_inside_their_parent() -> None:
    text = BG + "建议如下：\n1、建立队伍。\n2、强化保障。一是加强设施建设。二是定期维护。\n3、加强演练。"
    s2 = split_proposal(text).suggestions[1]
    assert [(p.marker, p.title) for p in s2.sub_points] == [("一是", "加强设施建设"), ("二是", "定期维护")]


def test_fullwidth_and_ascii_punctuation_split_alike() -> None:
    full = BG + "为此建议：\n（一）加强宣传。\n（二）完善制度。"
    half = BG + "为此建议:\n(一)加强宣传.\n(二)完善制度."
    assert len(split_proposal(full).suggestions) == len(split_proposal(half).suggestions) == 2


def test_model_case_seed(model_proposal_text: str) -> None:
    result = split_proposal(model_proposal_text)
    assert [(u.marker, u.title) for u in result.suggestions] == [
        ("1.", "设立专门的服务与管理机构"),
        ("2.", "实行分级服务与管理"),
        ("3．", "加大培训力度"),
        ("4．", "加强联系与沟通"),
        ("5．", "建立商业信息中心"),
    ]
    assert "2012年4月底" in result.background


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "一、存在问题\n资金不足。\n二、建议措施\n1.设立基金。\n2.加强监管。",
            [("1.", "设立基金"), ("2.", "加强监管")],
            id="heading-leadin-two-words",
        ),
        pytest.param(
            "问题：1.资金不足。2.人才缺乏。\n为此建议\n1.设立基金。\n2.引进人才。",
            [("1.", "设立基金"), ("2.", "引进人才")],
            id="leadin-without-colon-on-its-own-line",
        ),
        pytest.param(
            "存在问题：1.资金不足。2.人才缺乏。\n对策：1.设立基金。2.引进人才。3.加强考核。",
            [("1.", "设立基金"), ("2.", "引进人才"), ("3.", "加强考核")],
            id="no-leadin-last-run-wins",
        ),
    ],
)
def test_leadin_variants(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(u.marker, u.title) for u in split_proposal(text).suggestions] == expected


def test_signature_and_date_after_last_suggestion_are_not_part_of_it() -> None:
    text = BG + "为此建议：\n1.加强宣传。\n2.完善制度。\n张三\n2023年1月5日"
    assert split_proposal(text).suggestions[-1].text == "完善制度。"


def test_collapsed_one_line_copy_splits_and_keeps_original_characters() -> None:
    text = (
        "第5号 关于加强社区服务的建议 提案人:王五 内容: 社区服务存在不足，居民反映强烈，"
        + "近年来问题日益突出。" * 20
        + " 为此建议: 1.增设服务站点。 2.加强人员培训。 承办单位:民政局"
    )
    assert unfold(text) != text  # the copy is recognised as collapsed
    result = split_proposal(text)
    assert [(u.marker, u.title, u.text) for u in result.suggestions] == [
        ("1.", "增设服务站点", "增设服务站点。"),
        ("2.", "加强人员培训", "加强人员培训。"),
    ]
    for u in result.suggestions:
        assert text[u.start : u.end] == u.text


def test_numbered_problems_list_then_an_unnumbered_request() -> None:
    text = (
        "编号:12\n建议人:王五\n存在问题：1.资金不足。2.人才缺乏。3.设施落后。\n建议政府加大投入，统筹解决。"
    )
    (only,) = split_proposal(text).suggestions
    assert (only.marker, only.text) == (None, "建议政府加大投入，统筹解决。")
