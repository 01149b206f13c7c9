"""tracker.domain.archive: what an archived file is, the session and 案号 it names, the title a reply
quotes, title similarity, and the manifest's columns. Tables of general shapes, not one letter."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.archive import (
    DocKind,
    case_in_name,
    case_in_text,
    classify,
    clear_winner,
    cn_number,
    manifest_lookup,
    manifest_row_for,
    manifest_rows,
    map_manifest_headers,
    pairing_candidates,
    parse_number,
    policy_title,
    proposal_head,
    quoted_title,
    session_key,
    title_similarity,
)

REPLY = (
    "关于区政协十届三次会议第12号提案的答复\n王立超委员：\n您提出的《关于加快老旧小区改造的建议》收悉，现答复如下：\n"
    "一、关于资金。我们已安排专项资金。\n二、关于进度。今年完成十个小区。\n感谢您对我们工作的支持。\n区住建局\n2024年6月3日"
)
PROPOSAL = (
    "关于加快老旧小区改造的建议\n提案人：王立超\n案由：我区老旧小区设施陈旧。\n为此建议：\n"
    "一、加大资金投入。\n二、加快改造进度。"
)
FORM_PROPOSAL = "标  题：关于发展夜间经济的提案\n提 案 人：李红\n案  由：夜间经济有待发展。\n建  议：\n1.延长营业时间。\n2.完善交通。"
POLICY = (
    "甬政发〔2023〕12号\n关于促进中小企业发展的若干意见\n各区县（市）人民政府，市直各单位：\n"
    "第一条 为了促进发展，制定本意见。\n第二条 适用范围。\n第三条 支持措施。"
)
NEWS = "本报讯 昨日，我市举行了一场活动，参加人数众多，现场气氛热烈。"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (REPLY, DocKind.REPLY),
        (PROPOSAL, DocKind.PROPOSAL),
        (FORM_PROPOSAL, DocKind.PROPOSAL),
        (POLICY, DocKind.POLICY),
        (NEWS, DocKind.UNKNOWN),
        ("", DocKind.UNKNOWN),
        (PROPOSAL + "\n" + REPLY, DocKind.BOTH),
        # a reply without a title line: salutation, acknowledgement, dated signature
        (
            "张三 委员\n您提出的关于停车难的提案收悉。现答复如下：\n一、增加车位。\n区交通局\n二〇二四年五月六日",
            DocKind.REPLY,
        ),
        # a reply whose title names the proposal by its title
        ("关于《关于加强垃圾分类的提案》的答复\n李四委员：\n来信收悉。\n一、已推进。", DocKind.REPLY),
    ],
)
def test_classify(text: str, kind: DocKind) -> None:
    found = classify(text)
    assert found.kind is kind, found
    if kind is DocKind.UNKNOWN:
        assert found.confidence == 0.0
    else:
        assert 0.5 <= found.confidence <= 1.0 and found.why


def test_both_in_one_file_splits_where_the_reply_starts() -> None:
    text = PROPOSAL + "\n" + REPLY
    found = classify(text)
    assert found.split_at == len(PROPOSAL) + 1
    assert text[found.split_at :].startswith("关于区政协十届三次会议第12号提案的答复")


@pytest.mark.parametrize(
    ("text", "number", "session"),
    [
        (REPLY, 12, (10, 3)),
        ("关于政协宁波市镇海区第十届委员会第三次会议第2号提案的答复\n戴培红委员：", 2, (10, 3)),
        ("对区政协十届三次会议第2号提案的答复\n", 2, (10, 3)),
        ("关于市人大十五届二次会议第一百零三号建议的答复\n", 103, (15, 2)),
        ("第5号提案的答复\n张三委员：", 5, None),
        ("答复函\n案号：第12号\n张三委员：", 12, None),
        ("答复函\n提案号 34\n", 34, None),
        ("届次：十届三次会议\n案号：7\n", 7, (10, 3)),
        (NEWS, None, None),
    ],
)
def test_case_in_text(text: str, number: int | None, session: tuple[int, int] | None) -> None:
    ref = case_in_text(text)
    if number is None:
        assert ref is None
        return
    assert ref is not None and ref.number == number and ref.how == "text"
    assert session_key(ref.session) == session


@pytest.mark.parametrize(
    ("name", "number", "year"),
    [
        ("第12号提案.docx", 12, None),
        ("2024-012.pdf", 12, 2024),
        ("2019_7 答复.txt", 7, 2019),
        ("12号提案答复.docx", 12, None),
        ("archive/十届三次/第三号.doc", 3, None),
        ("提案-045.html", 45, None),
        ("003-答复.docx", 3, None),
        ("小区改造答复.docx", None, None),
    ],
)
def test_case_in_name(name: str, number: int | None, year: int | None) -> None:
    ref = case_in_name(name)
    if number is None:
        assert ref is None
        return
    assert ref is not None and (ref.number, ref.year, ref.how) == (number, year, "file name")


def test_a_session_in_the_file_name_is_kept() -> None:
    ref = case_in_name("十届三次第12号答复.pdf")
    assert ref is not None and ref.number == 12 and session_key(ref.session) == (10, 3)


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("十届三次", (10, 3)),
        ("第十届第三次会议", (10, 3)),
        ("政协宁波市镇海区第十届委员会第三次会议", (10, 3)),
        ("区人大第15届第2次会议", (15, 2)),
        ("第十二届 第一次会议", (12, 1)),
        ("2024年", None),
        ("", None),
    ],
)
def test_session_key(phrase: str, key: tuple[int, int] | None) -> None:
    assert session_key(phrase) == key


@pytest.mark.parametrize(
    ("value", "n"),
    [("12", 12), ("十二", 12), ("二十", 20), ("一百零三", 103), ("一〇三", 103), ("三", 3), ("x", None)],
)
def test_cn_number(value: str, n: int | None) -> None:
    assert cn_number(value) == n


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("您提出的《关于加快老旧小区改造的建议》收悉", "关于加快老旧小区改造的建议"),
        ("您领衔提出的“关于发展夜间经济”提案收悉", "关于发展夜间经济"),
        ("关于“加强垃圾分类”提案的答复\n", "加强垃圾分类"),
        (
            "您提出的关于加强小型微型企业分级服务与管理的提案收悉，经研究",
            "关于加强小型微型企业分级服务与管理的提案",
        ),
        ("关于《关于加强垃圾分类的提案》的答复", "关于加强垃圾分类的提案"),
        ("关于区政协十届三次会议第12号提案的答复\n来信收悉", None),
        (NEWS, None),
    ],
)
def test_quoted_title(text: str, title: str | None) -> None:
    assert quoted_title(text) == title


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("关于加快老旧小区改造的建议", "关于加快老旧小区改造的提案", 1.0, 1.0),
        ("《关于加快老旧小区改造的建议》", "加快老旧小区改造", 1.0, 1.0),
        ("关于加快老旧小区改造的建议", "关于推进老旧小区改造的提案", 0.6, 0.95),
        ("关于加快老旧小区改造的建议", "关于发展夜间经济的提案", 0.0, 0.2),
        ("", "关于发展夜间经济的提案", 0.0, 0.0),
    ],
)
def test_title_similarity(a: str, b: str, low: float, high: float) -> None:
    assert low <= title_similarity(a, b) <= high
    assert title_similarity(a, b) == title_similarity(b, a)


def test_pairing_candidates_rank_by_score_and_need_a_clear_winner() -> None:
    pool = [
        (1, "关于发展夜间经济的提案"),
        (2, "关于推进老旧小区改造的提案"),
        (3, "关于老旧小区加装电梯的提案"),
    ]
    found = pairing_candidates("关于加快老旧小区改造的建议", pool)
    assert found[0].key == 2 and all(c.score >= 0.5 for c in found)
    assert found == sorted(found, key=lambda c: -c.score)
    best = clear_winner(found)
    assert best is not None and best.key == 2
    twins = pairing_candidates(
        "关于老旧小区改造", [(1, "关于老旧小区改造的提案"), (2, "关于老旧小区改造的建议")]
    )
    assert len(twins) == 2 and clear_winner(twins) is None
    assert pairing_candidates("完全无关的标题", pool) == []


@pytest.mark.parametrize(
    ("text", "title", "fields", "body_starts"),
    [
        (PROPOSAL, "关于加快老旧小区改造的建议", {"提案人": "王立超"}, "案由"),
        (
            FORM_PROPOSAL,
            "关于发展夜间经济的提案",
            {"标题": "关于发展夜间经济的提案", "提案人": "李红"},
            "案  由",
        ),
        ("我区老旧小区设施陈旧。\n为此建议：\n一、加大投入。", None, {}, "我区"),
    ],
)
def test_proposal_head(text: str, title: str | None, fields: dict[str, str], body_starts: str) -> None:
    head = proposal_head(text)
    assert head.title == title
    assert head.fields == fields
    assert text[head.body_start :].startswith(body_starts)


def test_policy_title_skips_the_document_number_and_addressees() -> None:
    assert policy_title(POLICY) == "关于促进中小企业发展的若干意见"


@pytest.mark.parametrize(
    ("headers", "fields"),
    [
        (["文件名", "届次", "案号", "提案人", "联名人", "主办单位", "协办单位", "公开"], 8),
        (["file", "session", "number", "proposer", "cosigners", "lead agency", "co-agencies", "public"], 8),
        (["文件", "附议人", "答复日期", "办复类别", "类别", "备注"], 5),
    ],
)
def test_manifest_headers_in_chinese_or_english(headers: list[str], fields: int) -> None:
    mapping = map_manifest_headers(headers)
    assert len(mapping) == fields and "file" in mapping.values()


def test_manifest_without_a_file_column_is_refused() -> None:
    with pytest.raises(ValueError, match="文件"):
        map_manifest_headers(["案号", "提案人"])


@pytest.mark.parametrize(
    ("value", "n"),
    [("12", 12), ("012", 12), ("第12号", 12), ("Z12", 12), ("2024-012", 12), ("第十二号", 12), ("abc", None)],
)
def test_parse_number(value: str, n: int | None) -> None:
    assert parse_number(value) == n


def test_manifest_rows_read_each_cell_and_report_bad_ones_per_row() -> None:
    table = [
        ["文件", "届次", "案号", "提案人", "联名人", "主办单位", "协办单位", "提交日期", "办复类别", "公开"],
        [
            "2024/第12号.docx",
            "十届三次",
            "第12号",
            "王立超",
            "张三、李四",
            "区住建局",
            "区财政局，区发改局",
            "2024-01-05",
            "A类",
            "是",
        ],
        ["", "", "", "", "", "", "", "", "", ""],
        ["b.txt", "", "十二号?", "", "", "", "", "2024/13/40", "", "也许"],
    ]
    rows = manifest_rows(table)
    assert len(rows) == 2
    first, second = rows
    assert (first.row, first.file, first.number, first.proposer) == (2, "2024/第12号.docx", 12, "王立超")
    assert first.cosigners == ["张三", "李四"] and first.co_agencies == ["区财政局", "区发改局"]
    assert (first.submitted_on, first.outcome, first.public, first.problems) == (
        date(2024, 1, 5),
        "A",
        True,
        [],
    )
    assert second.row == 4 and second.number is None and second.public is False
    assert {p.field for p in second.problems} == {"number", "submitted_on", "public"}


def test_manifest_rows_are_found_by_path_or_by_bare_name() -> None:
    rows = manifest_rows([["文件", "案号"], ["2024/第12号.docx", "12"], ["答复13.pdf", "13"]])
    lookup = manifest_lookup(rows)
    by_path = manifest_row_for(lookup, "2024/第12号.docx")
    by_name = manifest_row_for(lookup, "archive.zip/scans/答复13.pdf")
    assert by_path is not None and by_path.number == 12
    assert by_name is not None and by_name.number == 13
    assert manifest_row_for(lookup, "other.txt") is None
