"""Held-out letters of the families the parser meets in archives (issue 13, "unseen letters").

Every letter here is invented for these tests, with wording, agencies, topics, date styles and
marker styles that the shared development set does not use, so the rules are checked on the
family and not on the set: closings after or glued onto the last point, compact and Chinese-numeral
dates, 办复类别 / 签发人 lines, joint signatures, salutations without a colon or with spaced names,
unnumbered answers, inline findings that are not points, form-like proposals whose first suggestion
has no marker, and proposals in sections whose last section holds the request.
"""

from __future__ import annotations

import pytest

from tracker.domain.linking import link
from tracker.domain.replies import parse_reply
from tracker.domain.splitting import split_proposal


def squash(s: str) -> str:
    return "".join(s.split())


# (id, letter, salutation, preamble ends with, markers, last point ends with, closing starts with,
#  signature, date)
REPLIES = [
    (
        "compact-date-signer-after-date-spaced-name",
        "关于县政协十一届二次会议第37号提案的答复\n王立超  委员：\n"
        "您提出的《关于加强农村饮水安全保障的提案》收悉，现答复如下：\n"
        "一、加快水源工程建设。今年已完成3处水源地改造，新增供水能力2000吨/日。\n"
        "二、强化水质监测。我局已在各乡镇水厂配备检测设备，每月开展抽检。\n"
        "通过以上措施，全县农村饮水安全水平有了明显提升。\n感谢您对水利工作的关心和支持。\n"
        "某县水利局\n20211026\n签发人：刘建国",
        "王立超委员",
        "现答复如下：",
        ["一、", "二、"],
        "每月开展抽检。",
        "通过以上措施",
        "某县水利局",
        "20211026",
    ),
    (
        "category-line-no-colon-joint-signature-chinese-date",
        "办复类别：A类\n关于市十五届人大三次会议第102号建议的答复\n李红梅代表\n"
        "您在市十五届人大三次会议上提出的关于加快老旧小区加装电梯的建议收悉。经与市财政局共同研究，现答复如下：\n"
        "（一）关于财政补助问题。市级财政对既有住宅加装电梯给予每台15万元补助，已纳入年度预算。\n"
        "（二）关于审批流程问题。我们已将审批事项压缩为联合审查一个环节，办理时限缩短至20个工作日。\n"
        "（三）关于后期维护问题。鼓励业主委托专业单位统一维保，费用由受益业主按比例分摊。"
        "下一步，我们将会同市财政局开展专项督查，推动政策落地见效。\n"
        "市住房和城乡建设局    市财政局\n二〇二一年十月二十六日",
        "李红梅代表",
        "现答复如下：",
        ["（一）", "（二）", "（三）"],
        "费用由受益业主按比例分摊。",
        "下一步，我们将会同",
        "市住房和城乡建设局    市财政局",
        "二〇二一年十月二十六日",
    ),
    (
        "unnumbered-paragraphs-first-then-about",
        "张志强委员：\n您提出的《关于规范校外培训机构管理的提案》收悉。首先，感谢您对教育工作的关心和支持。\n"
        "关于培训机构无证办学的问题，我局会同市场监管部门开展专项排查，取缔无证机构12家，并公布合规机构名单。\n"
        "关于预收费监管的问题，我局已与3家银行签订资金监管协议，要求机构将预收费存入监管账户，按课时拨付。\n"
        "下一步，我们将持续加强日常巡查，发现一起查处一起。\n再次感谢您的宝贵意见。\n"
        "某区教育局\n2022年8月15日",
        "张志强委员",
        "感谢您对教育工作的关心和支持。",
        [],
        None,
        "下一步，我们将持续",
        "某区教育局",
        "2022年8月15日",
    ),
    (
        "leadin-with-courtesy-tail-signer-above-signature",
        "关于区政协九届四次会议第58号提案的答复\n陈晓燕委员:\n"
        "你提出的关于加强社区养老服务设施建设的提案已交我局办理,现将办理情况答复如下,不当之处请批评指正:\n"
        "近年来,我区坚持把社区养老作为民生实事来抓,已建成社区日间照料中心26个。今后三年还将新建10个。\n"
        "今年我们安排专项资金300万元,对8个老旧照料中心进行适老化改造,预计年底前完工。\n"
        "感谢您对民政工作的关心!\n签发人:赵明\n某区民政局\n2023年9月5日",
        "陈晓燕委员",
        "不当之处请批评指正:",
        [],
        None,
        "感谢您对民政工作",
        "某区民政局",
        "2023年9月5日",
    ),
    (
        "next-steps-paragraph-inside-unnumbered-answer",
        "吴国庆代表：\n您提出的关于提升乡村客运服务的建议收悉，现答复如下：\n"
        "近年来，我县累计开通农村客运班线42条，建制村通客车率达到100%。\n"
        "今后，我们将继续优化线路布局，逐步推行预约响应式客运。\n"
        "完善农村物流网络。我局依托客运站点建设县乡村三级物流节点，实现快递进村全覆盖。\n"
        "某县交通运输局\n2023.06.30",
        "吴国庆代表",
        "现答复如下：",
        [],
        None,
        None,
        "某县交通运输局",
        "2023.06.30",
    ),
    (
        "inline-findings-are-not-points",
        "孙丽华代表：\n您提出的关于解决城郊结合部停车难的建议收悉，现答复如下：\n"
        "经我局实地调研，城郊结合部停车难主要有以下原因：一是停车泊位供给不足，二是占道经营挤占车位，"
        "三是部分小区配建车位闲置。\n"
        "对此，我局已在城郊片区新增公共停车泊位800个，并会同城管部门清理占道经营点位36处。\n"
        "感谢您对交通管理工作的支持。\n某市公安局交通警察支队\n2022年6月30日",
        "孙丽华代表",
        "现答复如下：",
        [],
        None,
        "感谢您对交通管理",
        "某市公安局交通警察支队",
        "2022年6月30日",
    ),
    (
        "inline-findings-before-numbered-points",
        "刘伟委员：\n您提出的《关于加强城市内涝治理的提案》收悉。经调查，我市内涝的主要原因：一是排水管网标准偏低，"
        "二是部分区域地势低洼，三是雨污分流改造滞后。针对上述问题，我们采取了以下措施：\n"
        "1.实施管网提标改造。今年完成改造管网45公里。\n2.建设调蓄设施。在低洼片区新建调蓄池3座。\n"
        "3.推进雨污分流。已完成12个小区的雨污分流改造。\n最后，感谢您对城市建设工作的关注。\n"
        "某市住房和城乡建设局\n2023年7月20日",
        "刘伟委员",
        "我们采取了以下措施：",
        ["1.", "2.", "3."],
        "已完成12个小区的雨污分流改造。",
        "最后，感谢您",
        "某市住房和城乡建设局",
        "2023年7月20日",
    ),
    (
        "summary-closing-glued-onto-last-point",
        "尊敬的黄海燕委员：\n您提出的关于发展银发经济的提案收悉。现将办理情况答复如下：\n"
        "一是完善老年用品产业规划，已将康复辅具纳入重点产业链。\n"
        "二是培育养老服务品牌，扶持连锁养老机构8家。通过以上措施，我市银发经济发展势头良好。\n"
        "特此答复。\n某市发展和改革委员会\n2024年5月8日",
        "尊敬的黄海燕委员",
        "现将办理情况答复如下：",
        ["一是", "二是"],
        "扶持连锁养老机构8家。",
        "通过以上措施",
        "某市发展和改革委员会",
        "2024年5月8日",
    ),
    (
        "joint-signature-lines-and-signer-between",
        "赵敏等委员：\n你们提出的关于加强食品安全监管的提案收悉，现答复如下：\n"
        "1、开展校园周边食品专项整治，检查经营户560家次。\n2、推进明厨亮灶建设，覆盖率达到90%。\n"
        "如有不同意见，请及时与我们联系。\n领导署名：钱卫东\n某县市场监督管理局\n某县教育局\n2022-11-03",
        "赵敏等委员",
        "现答复如下：",
        ["1、", "2、"],
        "覆盖率达到90%。",
        "如有不同意见",
        "某县市场监督管理局\n某县教育局",
        "2022-11-03",
    ),
    (
        "salutation-colleagues-no-colon-next-line-opens-with-quote",
        "马建军  代表\n“关于改善城区学校周边交通秩序的建议”收悉。经认真研究，现答复如下：\n"
        "（一）增设交通设施。在城区12所学校周边施划斑马线、设置减速带。\n"
        "（二）加强高峰执勤。上下学时段安排警力护学。\n"
        "欢迎您继续对公安交通管理工作提出意见和建议。\n某县公安局\n2023年4月12日",
        "马建军代表",
        "现答复如下：",
        ["（一）", "（二）"],
        "上下学时段安排警力护学。",
        "欢迎您继续",
        "某县公安局",
        "2023年4月12日",
    ),
    (
        "bare-headings-signer-in-header-next-steps-paragraph",
        "关于政协某市委员会十二届三次会议第88号提案的答复\n签发人：周敏\n尊敬的刘洋委员\n"
        "您好！您提出的《关于推进垃圾分类的提案》收悉。现答复如下：\n"
        "一、关于分类设施建设\n全市已配置分类桶站1200个。今后还将继续增加。\n"
        "二、关于宣传引导\n我局开展垃圾分类进社区活动50场。\n"
        "今后，我们将进一步完善考核机制，推动垃圾分类常态化。\n衷心感谢您对城市管理工作的关心！\n"
        "某市城市管理局\n二〇二二年七月八日\n办复类别：A",
        "尊敬的刘洋委员",
        "现答复如下：",
        ["一、", "二、"],
        "进社区活动50场。",
        "今后，我们将进一步",
        "某市城市管理局",
        "二〇二二年七月八日",
    ),
    (
        "spaced-salutation-on-the-first-line-of-the-text",
        "王立超  委员：您提出的关于加强农村公路养护的提案收悉，现答复如下：\n"
        "1.落实养护资金，今年安排养护资金3000万元。\n2.建立路长制，全县农村公路实现路长全覆盖。\n"
        "此复。\n某县交通运输局\n2021年10月26日",
        "王立超委员",
        "现答复如下：",
        ["1.", "2."],
        "实现路长全覆盖。",
        "此复",
        "某县交通运输局",
        "2021年10月26日",
    ),
    (
        "first-then-last-answer-paragraphs",
        "郑丽代表：\n你提出的关于加强社区卫生服务的建议收悉。\n"
        "首先，关于人员不足的问题，我委已通过定向招聘补充全科医生15名。\n"
        "其次，关于设备老化的问题，今年投入资金200万元更新设备。\n"
        "最后，关于服务时间的问题，各社区卫生服务中心已实行错时延时服务。\n"
        "感谢你对卫生健康工作的关心和支持。\n某区卫生健康委员会\n2023年5月10日",
        "郑丽代表",
        "建议收悉。",
        [],
        None,
        "感谢你对卫生健康",
        "某区卫生健康委员会",
        "2023年5月10日",
    ),
    (
        "ordinal-points-summary-glued",
        "钱进委员：\n您提出的提案收悉，经研究，现答复如下：\n第一，加大财政投入。今年安排专项资金500万元。\n"
        "第二，完善激励机制。出台人才引进奖励办法。\n"
        "第三，强化督查考核。将其纳入年度目标考核。综上所述，我局将持续推进相关工作。\n"
        "某县人力资源和社会保障局\n2022年9月1日",
        "钱进委员",
        "现答复如下：",
        ["第一，", "第二，", "第三，"],
        "纳入年度目标考核。",
        "综上所述",
        "某县人力资源和社会保障局",
        "2022年9月1日",
    ),
    (
        "next-steps-paragraph-then-courtesy-in-other-words",
        "孙悦委员：\n您的提案收悉，现答复如下：\n1.已建成充电桩120个。\n2.已出台运营补贴办法。\n"
        "下一步，我局将继续加密充电网络。\n我们诚挚欢迎您继续关注新能源汽车产业发展。\n"
        "某市工业和信息化局\n2023年8月8日",
        "孙悦委员",
        "现答复如下：",
        ["1.", "2."],
        "已出台运营补贴办法。",
        "下一步，我局将",
        "某市工业和信息化局",
        "2023年8月8日",
    ),
    (
        "next-steps-sentence-followed-by-more-answer-stays-in-the-point",
        "何平委员：\n您的提案收悉，现答复如下：\n一、已完成项目选址。\n二、关于资金筹措。今后我们将积极争取上级资金。\n"
        "目前已向省发改委申报专项债券2亿元，预计年内下达。\n感谢您的关注。\n某市发展改革委\n2023年3月3日",
        "何平委员",
        "现答复如下：",
        ["一、", "二、"],
        "预计年内下达。",
        "感谢您的关注",
        "某市发展改革委",
        "2023年3月3日",
    ),
]


@pytest.mark.parametrize(
    ("letter", "salutation", "preamble_end", "markers", "last_end", "closing", "signature", "date"),
    [pytest.param(*r[1:], id=r[0]) for r in REPLIES],
)
def test_reply_frame_and_points_on_unseen_letters(
    letter: str,
    salutation: str,
    preamble_end: str,
    markers: list[str],
    last_end: str | None,
    closing: str | None,
    signature: str,
    date: str,
) -> None:
    reply = parse_reply(letter)
    assert squash(reply.salutation) == squash(salutation)
    assert reply.preamble.endswith(preamble_end)
    assert [p.marker for p in reply.points if p.marker] == markers
    if last_end:
        assert reply.points[-1].text.endswith(last_end)
    if closing:
        assert reply.closing.startswith(closing)
    else:
        assert reply.closing == ""
    assert reply.signature == signature
    assert reply.date == date


def test_signer_and_category_lines_become_fields() -> None:
    reply = parse_reply(REPLIES[0][1])
    assert reply.fields["签发人"] == "刘建国"
    reply = parse_reply(REPLIES[1][1])
    assert reply.fields["办复类别"] == "A类"
    reply = parse_reply(REPLIES[8][1])
    assert reply.fields["领导署名"] == "钱卫东"


# (id, proposal, markers (None for an unmarked unit), starts, last ends with)
PROPOSALS = [
    (
        "spaced-labels-first-suggestion-inline-after-label",
        "关于加强中小学生近视防控的提案\n第45号\n标    题：关于加强中小学生近视防控的提案\n提 案 人：王芳\n"
        "案    由：近年来，我县中小学生近视率逐年上升，初中生近视率已达62%。\n"
        "建    议：落实每天2小时户外活动制度，学校要把户外活动纳入课程安排。\n"
        "2.改善教室采光照明条件，对不达标的教室逐步进行改造。\n3.定期开展视力筛查，建立学生视力健康档案。\n"
        "承办单位：县教育局",
        [None, "2.", "3."],
        ["落实每天2小时", "改善教室采光", "定期开展视力"],
        "建立学生视力健康档案。",
    ),
    (
        "spaced-labels-first-suggestion-on-its-own-line",
        "标  题：关于发展县域冷链物流的提案\n提案者：民建某县委员会\n案  由：\n"
        "我县农产品产量大，但冷链设施不足，果蔬损耗率高达25%。\n建  议：\n"
        "加快冷链物流园区规划建设，引进专业冷链企业投资运营。\n"
        "二、支持农业合作社建设产地预冷库，对新建冷库给予补助。\n三、培育冷链运输主体，推广新能源冷藏车。",
        [None, "二、", "三、"],
        ["加快冷链物流", "支持农业合作", "培育冷链运输"],
        "推广新能源冷藏车。",
    ),
    (
        "sections-last-holds-one-unmarked-request",
        "关于尽快修建青龙河人行便桥的提案\n一、基本情况\n"
        "青龙河穿镇而过，两岸居民往来需绕行3公里经公路大桥通过，学生上下学尤为不便。\n二、存在问题\n"
        "（一）现有临时木桥年久失修，汛期常被冲毁。\n（二）绕行路线车流量大，存在交通安全隐患。\n"
        "三、对策建议\n建议县交通运输局会同镇政府，尽快将青龙河人行便桥纳入年度建设计划，力争明年汛期前建成通行。",
        [None],
        ["县交通运输局会同"],
        "力争明年汛期前建成通行。",
    ),
    (
        "sections-last-holds-the-list",
        "关于加快发展智慧农业的提案\n一、基本情况\n我市现有规模以上农业企业120家，数字化应用水平不高。\n"
        "二、存在问题\n1.基础设施薄弱，农村5G覆盖率偏低。\n2.人才短缺，懂技术会经营的人才不足。\n"
        "三、几点建议\n1.加快农村信息基础设施建设。\n2.实施数字农业人才培养计划。\n3.建设智慧农业示范基地。\n"
        "以上建议妥否，请审议。",
        ["1.", "2.", "3."],
        ["加快农村信息", "实施数字农业", "建设智慧农业"],
        "建设智慧农业示范基地。",
    ),
    (
        "sections-with-unmarked-paragraph-and-closing",
        "一、现状\n我区共有老旧小区46个，大多建于上世纪九十年代，无物业管理。\n"
        "二、问题\n小区公共设施老化，群众反映强烈。\n三、建议\n"
        "希望区政府将老旧小区改造纳入民生实事项目，分年度推进，并引入专业物业企业实施长效管理。\n"
        "当否，请审议。",
        [None],
        ["区政府将老旧"],
        "引入专业物业企业实施长效管理。",
    ),
    (
        "section-heading-in-other-words-with-a-request",
        "关于加快农村电商发展的提案\n一、基本情况\n我县有电商企业200余家。\n二、存在问题\n物流成本高，人才缺乏。\n"
        "三、下一步工作建议\n建议县商务局牵头制定农村电商三年行动计划，统筹解决物流和人才问题。\n以上建议，请予采纳。",
        [None],
        ["县商务局牵头"],
        "统筹解决物流和人才问题。",
    ),
    (
        "unmarked-first-then-parenthesised-numbers",
        "案  由：关于加强城区停车管理的提案\n建  议：\n科学规划建设公共停车场，增加停车泊位供给。\n"
        "（二）推行智慧停车系统，实现泊位信息实时发布。\n（三）加强违停执法，规范停车秩序。\n提案人：李强",
        [None, "（二）", "（三）"],
        ["科学规划建设", "推行智慧停车", "加强违停执法"],
        "规范停车秩序。",
    ),
    (
        "unmarked-first-then-inline-er-shi-run",
        "标  题：关于加强文物保护的提案\n案  由：我县文物保护力量薄弱。\n"
        "建  议：加大文物保护资金投入。二是充实基层文物保护人员。三是建立文物安全巡查制度。",
        [None, "二是", "三是"],
        ["加大文物保护", "充实基层文物", "建立文物安全"],
        "建立文物安全巡查制度。",
    ),
    (
        "unmarked-first-then-inline-digits-after-semicolons",
        "案  由：关于发展托育服务的提案\n"
        "建  议：建议县政府将普惠托育纳入民生实事；2.落实托育机构场地支持政策；3.加强托育从业人员培训。",
        [None, "2.", "3."],
        ["县政府将普惠", "落实托育机构", "加强托育从业"],
        "加强托育从业人员培训。",
    ),
    (
        "spaced-label-with-inline-run",
        "关于提升县域医疗服务能力的提案\n我县基层医疗机构服务能力不足，群众看病难问题突出。\n"
        "建  议：一是加强医共体建设；二是加大基层人才培养力度；三是推进远程医疗全覆盖。",
        ["一是", "二是", "三是"],
        ["加强医共体", "加大基层人才", "推进远程医疗"],
        "推进远程医疗全覆盖。",
    ),
    (
        "inline-findings-in-background-single-request",
        "关于加强农村留守儿童关爱服务的提案\n"
        "当前我县农村留守儿童关爱服务存在一些薄弱环节，主要表现在：一是监护责任落实不到位，"
        "二是心理健康服务缺乏，三是课后托管资源不足。\n"
        "为此，建议县政府统筹民政、教育、妇联等部门力量，在每个乡镇建设一所留守儿童之家，为留守儿童提供课后托管服务。",
        [None],
        ["县政府统筹民政"],
        "为留守儿童提供课后托管服务。",
    ),
]


@pytest.mark.parametrize(
    ("text", "markers", "starts", "last_end"), [pytest.param(*p[1:], id=p[0]) for p in PROPOSALS]
)
def test_proposal_suggestions_on_unseen_letters(
    text: str, markers: list[str | None], starts: list[str], last_end: str
) -> None:
    units = split_proposal(text).suggestions
    assert [u.marker for u in units] == markers
    if len(units) > 1:
        assert [u.n for u in units] == list(range(1, len(units) + 1))
    for unit, start in zip(units, starts, strict=True):
        assert start in unit.text[:12]
    assert units[-1].text.endswith(last_end)
    for u in units:
        assert text[u.start : u.end] == u.text


def test_answers_in_another_order_link_by_content() -> None:
    proposal = (
        "关于提升城市公园管理水平的提案\n为此建议：\n"
        "1.增加公园公共厕所数量，解决游客如厕难问题。\n"
        "2.加强夜间照明设施建设，保障市民夜间游园安全。\n"
        "3.规范广场舞噪音管理，划定活动区域和时段。"
    )
    reply = (
        "周建华委员：\n您提出的提案收悉，现答复如下：\n"
        "一、噪音扰民方面。我局联合公安部门划定广场舞活动区域15处，规定晚间活动时段，配置音量监测设备。\n"
        "二、公厕建设方面。今年新建改建公园公共厕所12座，游客如厕难问题明显缓解。\n"
        "三、照明设施方面。对8个公园的夜间照明进行改造，新增路灯300余盏，保障夜间游园安全。\n"
        "感谢您的关心。\n某市园林局\n2023年6月1日"
    )
    points = parse_reply(reply).points
    links = link(points, split_proposal(proposal).suggestions)
    assert {lk.point: lk.suggestion for lk in links} == {1: 3, 2: 1, 3: 2}


# (id, proposal, reply, point -> suggestions)
PAIRS = [
    (
        "form-with-unmarked-first-suggestion-answered-out-of-order",
        "标  题：关于改善老旧小区环境的提案\n案  由：老旧小区环境脏乱差。\n"
        "建  议：加快老旧小区雨污管网改造，解决污水外溢问题。\n2.增设停车位，缓解停车难。\n3.引入物业管理，建立长效机制。",
        "张三委员：\n您的提案收悉，现答复如下：\n"
        "一、关于物业管理。我们已在12个老旧小区引入专业物业企业，建立长效管理机制。\n"
        "二、关于雨污管网改造。今年改造雨污管网20公里，污水外溢问题基本解决。\n三、关于停车难。新增停车位800个。\n"
        "感谢您的关心。\n某区住建局\n2023年1月1日",
        {1: [3], 2: [1], 3: [2]},
    ),
    (
        "background-point-then-answers-in-reverse-order",
        "关于发展乡村旅游的提案\n为此建议：\n1.完善乡村旅游基础设施，改善道路和停车条件。\n"
        "2.培育乡村旅游品牌，打造精品民宿。\n3.加强从业人员培训，提升服务水平。",
        "李四委员：\n您的提案收悉，现答复如下：\n一、基本情况\n全县共有A级景区12个，乡村旅游重点村8个。\n"
        "二、我局每年举办乡村旅游从业人员培训班，累计培训民宿经营者和导游500人次，服务水平明显提升。\n"
        "三、我们评选了十佳精品民宿，打造“山水田园”乡村旅游品牌。\n四、交通部门改造旅游公路30公里，新建停车场6处。\n"
        "特此答复。\n某县文旅局\n2023年2月2日",
        {1: [], 2: [3], 3: [2], 4: [1]},
    ),
    (
        "sections-proposal-with-one-request-answered-by-several-points",
        PROPOSALS[2][1],
        "王五委员：\n您的提案收悉，现答复如下：\n一、高度重视，认真办理\n我局成立专班，实地查看了便桥位置。\n"
        "二、便桥已纳入2024年农村公路建设计划，设计方案已完成。\n三、汛期前将对临时木桥进行加固，确保群众通行安全。\n"
        "感谢您的关心。\n某县交通运输局\n2023年3月3日",
        {1: [], 2: [1], 3: [1]},
    ),
    (
        "two-points-answer-one-suggestion",
        "关于加强基层医疗人才队伍建设的提案\n为此建议：\n1.提高基层医务人员待遇，落实绩效工资倾斜政策。\n"
        "2.加强定向医学生培养，补充乡村医生队伍。",
        "赵六委员：\n您的提案收悉，现答复如下：\n一、落实基层绩效工资政策，基层医务人员绩效工资水平提高15%。\n"
        "二、提高乡镇卫生院医务人员待遇，发放乡镇工作补贴每月500元。\n"
        "三、每年定向培养医学生50名，毕业后到乡村医疗机构工作，补充乡村医生队伍。\n此复。\n某县卫健局\n2023年4月4日",
        {1: [1], 2: [1], 3: [2]},
    ),
]


@pytest.mark.parametrize(("proposal", "reply", "expected"), [pytest.param(*p[1:], id=p[0]) for p in PAIRS])
def test_links_on_unseen_pairs(proposal: str, reply: str, expected: dict[int, list[int]]) -> None:
    points = parse_reply(reply).points
    got: dict[int, list[int]] = {p.n: [] for p in points if p.n is not None}
    for lk in link(points, split_proposal(proposal).suggestions):
        got[lk.point].append(lk.suggestion)
    assert got == expected
