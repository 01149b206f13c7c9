"""The reply parser: frame (title block, salutation, preamble, closing, signature, date) and points."""

from __future__ import annotations

import pytest

from tracker.domain.markers import unfold
from tracker.domain.replies import parse_reply

OPEN = "您提出的关于加强小微企业服务的建议收悉，经研究，现答复如下：\n"
SIGN = "\nXX区经信局\n2023年6月28日"


def markers(text: str) -> list[str | None]:
    return [p.marker for p in parse_reply(text).points]


@pytest.mark.parametrize(
    ("text", "salutation"),
    [
        pytest.param("张三委员：\n" + OPEN + "一、已落实。\n二、在推进。" + SIGN, "张三委员", id="colon"),
        pytest.param(
            "尊敬的李四等5名代表:\n" + OPEN + "1.已落实。\n2.在推进。" + SIGN,
            "尊敬的李四等5名代表",
            id="honorific",
        ),
        pytest.param(
            "向胜飞委员\n" + OPEN + "一、已落实。\n二、在推进。" + SIGN, "向胜飞委员", id="no-colon"
        ),
        pytest.param(
            "县政协提案委：\n" + OPEN + "(一)已落实。\n(二)在推进。" + SIGN, "县政协提案委", id="committee"
        ),
        pytest.param(
            "致公党某市委员会\n致公党某市委员会提交的提案收悉，现答复如下：\n一、已落实。\n二、在推进。"
            + SIGN,
            "致公党某市委员会",
            id="organisation-without-colon",
        ),
        pytest.param(
            "某局关于第5号建议的答复函 王五代表: " + OPEN.strip() + " 工作已在推进。 某局 2017年6月28日",
            "王五代表",
            id="collapsed-one-line",
        ),
    ],
)
def test_salutation_forms(text: str, salutation: str) -> None:
    assert parse_reply(text).salutation == salutation


def test_title_block_doc_number_and_field_lines_before_salutation() -> None:
    text = (
        "某县教育局关于县政协十届二次会议\n第69号提案的答复\n平教体字〔2018〕27号\n类别:A\n"
        "张小华委员：\n" + OPEN + "1.已落实。\n2.在推进。" + SIGN
    )
    reply = parse_reply(text)
    assert reply.doc_number == "平教体字〔2018〕27号"
    assert reply.fields["类别"] == "A"
    assert reply.title == "某县教育局关于县政协十届二次会议\n第69号提案的答复"
    assert markers(text) == ["1.", "2."]


TITLE = "关于区政协第4号提案的答复"
LETTER = "张三委员：\n" + OPEN + "一、已落实。\n二、在推进。" + SIGN


@pytest.mark.parametrize(
    ("head", "title", "doc_number"),
    [
        pytest.param(
            f"{TITLE}\n镇人社函〔2026〕31号\n", TITLE, "镇人社函〔2026〕31号", id="title-then-number"
        ),
        pytest.param(
            f"镇人社函〔2026〕31号\n{TITLE}\n", TITLE, "镇人社函〔2026〕31号", id="number-then-title"
        ),
        pytest.param(
            f"{TITLE}    镇人社函〔2026〕31号\n", TITLE, "镇人社函〔2026〕31号", id="same-line-after-spaces"
        ),
        pytest.param(
            f"甬经信〔2021〕12号\u3000{TITLE}\n", TITLE, "甬经信〔2021〕12号", id="same-line-before"
        ),
        pytest.param(f"{TITLE}镇人社函〔2026〕31号\n", TITLE, "镇人社函〔2026〕31号", id="glued-after-title"),
        pytest.param(f"浙政办发[2020]3号\n{TITLE}\n", TITLE, "浙政办发[2020]3号", id="square-brackets"),
        pytest.param(f"{TITLE}\n甬经信（2021）12号\n", TITLE, "甬经信（2021）12号", id="full-width-parens"),
        pytest.param(f"{TITLE}\n某政协办【2022】第5号\n", TITLE, "某政协办【2022】第5号", id="lenticular-di"),
        pytest.param(f"{TITLE}\nX民提〔2023〕15号\n", TITLE, "X民提〔2023〕15号", id="latin-issuer"),
        pytest.param(
            "某县教育局关于县政协十届二次会议\n第69号提案的答复\n类别：A\n平教体字〔2018〕27号\n",
            "某县教育局关于县政协十届二次会议\n第69号提案的答复",
            "平教体字〔2018〕27号",
            id="two-line-title-label-line-between",
        ),
        pytest.param(f"文号：镇人社函〔2026〕31号\n{TITLE}\n", TITLE, "镇人社函〔2026〕31号", id="labelled"),
        pytest.param(
            "关于落实国发〔2009〕36号文件的答复\n",
            "关于落实国发〔2009〕36号文件的答复",
            "",
            id="cited-inside-the-title-stays",
        ),
        pytest.param(
            f"{TITLE}\n{TITLE}\n镇人社函〔2026〕31号\n", TITLE, "镇人社函〔2026〕31号", id="heading-repeated"
        ),
    ],
)
def test_title_block_keeps_the_doc_number_out_of_the_title(head: str, title: str, doc_number: str) -> None:
    reply = parse_reply(head + LETTER)
    assert (reply.title, reply.doc_number) == (title, doc_number)
    assert reply.salutation == "张三委员"
    assert markers(head + LETTER) == ["一、", "二、"]


@pytest.mark.parametrize(
    "head",
    [f"{TITLE}\n镇人社函〔2026〕31号\n", f"镇人社函〔2026〕31号\n{TITLE}\n"],
    ids=["title-then-number", "number-then-title"],
)
def test_title_block_of_a_letter_without_salutation(head: str) -> None:
    reply = parse_reply(head + OPEN + "一、已落实。\n二、在推进。" + SIGN)
    assert (reply.title, reply.doc_number, reply.salutation) == (TITLE, "镇人社函〔2026〕31号", "")
    assert reply.preamble == OPEN.strip()


@pytest.mark.parametrize(
    ("body", "expected_markers", "last_text", "closing_start"),
    [
        pytest.param(
            "一、关于“甲”。已落实。\n二、关于“乙”。在推进。下步，我们将继续跟进。",
            ["一、", "二、"],
            "关于“乙”。在推进。",
            "下步，我们将",
            id="closing-glued-to-last-point",
        ),
        pytest.param(
            "一、关于“甲”。已落实。\n二、关于“乙”。在推进。感谢您对我们工作的关心。",
            ["一、", "二、"],
            "关于“乙”。在推进。",
            "感谢您对我们",
            id="courtesy-glued-to-last-point",
        ),
        pytest.param(
            "一、基本情况\n某村有3个小组。\n二、下步工作方向\n衷心感谢您的关心和支持。",
            ["一、", "二、"],
            "下步工作方向",
            "衷心感谢",
            id="courtesy-under-bare-heading",
        ),
        pytest.param(
            "一、基本情况\n某村有3个小组。\n二、下步工作方向\n下一步县局将尽快协调。\n感谢您的关心。",
            ["一、", "二、"],
            "下步工作方向\n下一步县局将尽快协调。",
            "感谢您的关心",
            id="next-step-body-under-bare-heading",
        ),
        pytest.param(
            "乡政府的主要措施有：1、加强闸门管理；2、争取改造项目；3、清淤疏浚。\n感谢你们的支持！",
            ["1、", "2、", "3、"],
            "清淤疏浚。",
            "感谢你们",
            id="points-glued-in-one-line",
        ),
        pytest.param(
            "一是推动出台措施。二是掌握发展状况。\n为进一步做好工作，下一步将重点做好以下内容：一是开展行动。二是加强培训。",
            ["一是", "二是", "一是", "二是"],
            "加强培训。",
            "",
            id="numbering-restarts",
        ),
        pytest.param(
            "一、缺少专业人员\n物业公司已聘请人才。\n二、设施问题\n由开发商维修。\n积极推动成立业委会。\n再次感谢您的支持。",
            ["一、", "二、"],
            "设施问题\n由开发商维修。\n积极推动成立业委会。",
            "再次感谢",
            id="point-spans-two-paragraphs",
        ),
    ],
)
def test_points_and_closing(
    body: str, expected_markers: list[str], last_text: str, closing_start: str
) -> None:
    reply = parse_reply("李影代表：\n" + OPEN + body + SIGN)
    assert [p.marker for p in reply.points] == expected_markers
    assert reply.points[-1].text == last_text
    assert reply.closing.startswith(closing_start)
    assert reply.signature == "XX区经信局"
    assert reply.date == "2023年6月28日"


def test_issues_list_in_preamble_is_not_points() -> None:
    text = (
        "李影代表：\n您的建议已收悉，共提出3大问题：一是人才引进，二是设施建设，三是功能完善。"
        "针对以上三点，我局采取了以下措施：\n一、引进全科医生。\n二、争取资金。\n三、完善功能。"
    )
    reply = parse_reply(text)
    assert markers(text) == ["一、", "二、", "三、"]
    assert reply.preamble.endswith("采取了以下措施：")
    assert reply.signature == "" and reply.date == ""


def test_background_paragraph_and_leadin_ending_with_period_are_preamble() -> None:
    text = (
        "姜维代表：\n" + OPEN + "按照“一计划六方案”要求，已作出规划。\n当前，我们主要做好以下工作。\n"
        "一是争取资金。\n二是推进模式。\n三是综合整治。" + SIGN
    )
    reply = parse_reply(text)
    assert markers(text) == ["一是", "二是", "三是"]
    assert reply.preamble.endswith("我们主要做好以下工作。")


def test_marker_followed_by_year_and_fields_after_date() -> None:
    text = (
        "张小华委员：\n"
        + OPEN
        + "1.2017年，教育部下发文件。\n2.待规定出台后落实。"
        + SIGN
        + "\n承办负责人:童怀思"
    )
    reply = parse_reply(text)
    assert reply.points[0].text.startswith("2017年")
    assert reply.fields["承办负责人"] == "童怀思"
    assert reply.signature == "XX区经信局"


def test_no_numbered_points_gives_one_body_unit() -> None:
    text = (
        "李树金代表:\n你提出的建议已交我们研究办理,现答复如下:\n该路段已纳入项目库。\n感谢你的关心。" + SIGN
    )
    reply = parse_reply(text)
    assert reply.preamble.endswith("现答复如下:")
    assert [(p.marker, p.text) for p in reply.points] == [(None, "该路段已纳入项目库。")]
    assert reply.closing == "感谢你的关心。"


def test_sub_points_stay_inside_their_point() -> None:
    text = (
        "某委员：\n"
        + OPEN
        + "一、市领导督办\n(一)亲自督办。\n(二)定期调度。\n二、部门协同\n加强配合。"
        + SIGN
    )
    reply = parse_reply(text)
    assert markers(text) == ["一、", "二、"]
    assert [s.marker for s in reply.points[0].sub_points] == ["(一)", "(二)"]


def test_model_case_reply(model_reply_text: str) -> None:
    reply = parse_reply(model_reply_text)
    assert reply.title == "第2号提案的答复"
    assert reply.salutation == "戴培红委员"
    assert reply.preamble.endswith("现答复如下：")
    assert [p.marker for p in reply.points] == ["一、", "二、", "三、", "四、", "五、"]
    assert reply.points[4].title == "关于“商业信息中心”"
    assert reply.closing.startswith("下步，我们将根据您提出的建议")
    assert reply.signature == "镇海区经信局"
    assert reply.date == ""
    for p in reply.points:
        assert model_reply_text[p.start : p.end] == p.text


def test_list_leadin_inside_a_point_does_not_swallow_it() -> None:
    text = (
        "张三委员：\n您的提案已收悉，我局高度重视。\n一、加强宣传。具体措施如下：\n（一）印发手册。\n（二）开展活动。\n二、完善制度。"
        + SIGN
    )
    assert [p.title for p in parse_reply(text).points] == ["加强宣传", "完善制度"]


def test_restated_suggestions_before_the_classic_leadin_stay_in_the_preamble() -> None:
    text = (
        "张三委员：\n您在提案中提出：\n1.设立基金；\n2.引进人才。\n现答复如下：\n1.基金已设立。\n2.人才已引进。"
        + SIGN
    )
    reply = parse_reply(text)
    assert [p.title for p in reply.points] == ["基金已设立", "人才已引进"]
    assert "设立基金" in reply.preamble


def test_joint_reply_signs_with_several_bodies() -> None:
    text = (
        "张三委员：\n"
        + OPEN
        + "一、已落实。\n二、在推进。\n感谢您的支持。\n某县财政局\n某县发展和改革局\n二〇二三年六月二十八日"
    )
    reply = parse_reply(text)
    assert reply.signature == "某县财政局\n某县发展和改革局"
    assert reply.date == "二〇二三年六月二十八日"
    assert reply.closing == "感谢您的支持。"


def test_collapsed_one_line_letter() -> None:
    text = (
        "某局关于第9号建议的答复 王五代表: 您提出的建议已收悉,现答复如下: "
        "一、关于“设站”。已增设服务站点三处,覆盖全部社区。" + "站点运行良好,群众反映积极。" * 10 + " "
        "二、关于“培训”。已组织培训两期,参训人员二百余人。"
        " 感谢您对我们工作的支持。 特此函复 某县民政局 2024年3月1日"
    )
    assert unfold(text) != text  # the copy is recognised as collapsed
    reply = parse_reply(text)
    assert reply.salutation == "王五代表"
    assert [p.marker for p in reply.points] == ["一、", "二、"]
    assert reply.points[1].text == "关于“培训”。已组织培训两期,参训人员二百余人。"
    assert reply.closing.startswith("感谢您")
    assert (reply.signature, reply.date) == ("某县民政局", "2024年3月1日")


def test_header_block_with_latin_doc_number_greeting_and_bracketed_contact_line() -> None:
    text = (
        "XX市民政局\n关于市政协十届三次会议第125号提案的答复\nX民提〔2023〕15号\n签发人：李四\n"
        "尊敬的张三委员：您好！\n您提出的提案收悉。现答复如下：\n一、关于加大财政投入\n已安排资金。\n"
        "二、关于加强人才培养\n已开设专业。特此答复。\nXX市民政局\n2023年7月15日\n（联系人：王五，电话：12345678）"
    )
    reply = parse_reply(text)
    assert reply.doc_number == "X民提〔2023〕15号"
    assert reply.title == "XX市民政局\n关于市政协十届三次会议第125号提案的答复"
    assert reply.fields == {"签发人": "李四", "联系人": "王五，电话：12345678"}
    assert reply.salutation == "尊敬的张三委员"
    assert reply.points[-1].text == "关于加强人才培养\n已开设专业。"
    assert (reply.closing, reply.signature, reply.date) == ("特此答复。", "XX市民政局", "2023年7月15日")
