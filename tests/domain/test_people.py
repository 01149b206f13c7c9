"""Rules for members, agencies and categories, and the reading of import headers and rows."""

from __future__ import annotations

import pytest

from tracker.domain.messages import RuleError
from tracker.domain.people import (
    AgencyFields,
    MemberFields,
    PeopleKind,
    agency_from_row,
    check_parent_chain,
    detect_kind,
    header_key,
    map_headers,
    member_from_row,
    merged,
    validate_category,
    validate_member,
)


@pytest.mark.parametrize(
    ("fields", "problem_fields"),
    [
        (MemberFields(name="张三"), []),
        (MemberFields(name="  张　三 "), []),
        (MemberFields(name=""), ["name"]),
        (MemberFields(name="张三", kind="boss"), ["kind"]),
        (MemberFields(name="张三", phone="0574-86212345"), []),
        (MemberFields(name="张三", phone="138 0000 0000、0574-1234567"), []),
        (MemberFields(name="张三", phone="abc"), ["phone"]),
        (MemberFields(name="张三", email="zhang@example.cn"), []),
        (MemberFields(name="张三", email="zhang@"), ["email"]),
        (MemberFields(name="张" * 41, sector="界" * 41), ["name", "sector"]),
    ],
)
def test_member_rules(fields: MemberFields, problem_fields: list[str]) -> None:
    if not problem_fields:
        assert validate_member(fields).name == " ".join(fields.name.split())
        return
    with pytest.raises(RuleError) as caught:
        validate_member(fields)
    assert [p.field for p in caught.value.problems] == problem_fields


def test_member_email_is_stored_in_lower_case() -> None:
    assert validate_member(MemberFields(name="张三", email="Zhang@Example.CN")).email == "zhang@example.cn"


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (["姓名", "界别", "党派", "联系电话"], PeopleKind.MEMBERS),
        (["Name", "Sector", "Party", "Phone"], PeopleKind.MEMBERS),
        (["单位名称", "简称", "上级单位"], PeopleKind.AGENCIES),
        (["Agency", "Short name", "Parent"], PeopleKind.AGENCIES),
        (["全称", "类别"], PeopleKind.AGENCIES),
    ],
)
def test_the_kind_of_file_is_told_by_its_headers(headers: list[str], kind: PeopleKind) -> None:
    assert detect_kind(headers) is kind


@pytest.mark.parametrize("headers", [["name", "phone"], ["备注"], ["姓名", "单位名称"]])
def test_headers_that_do_not_say_are_refused(headers: list[str]) -> None:
    with pytest.raises(RuleError):
        detect_kind(headers)


@pytest.mark.parametrize(
    ("headers", "kind", "mapping"),
    [
        (
            ["姓名", "界别", "党派", "联系电话", "备注"],
            PeopleKind.MEMBERS,
            {0: "name", 1: "sector", 2: "party", 3: "phone"},
        ),
        (["*姓名：", " 电子邮箱 ", "E-mail"], PeopleKind.MEMBERS, None),  # two e-mail columns
        (["Ｎａｍｅ", "E-Mail", "Party or group"], PeopleKind.MEMBERS, {0: "name", 1: "email", 2: "party"}),
        (
            ["单位名称", "简称", "类别", "上级单位", "状态"],
            PeopleKind.AGENCIES,
            {0: "name", 1: "short_name", 2: "kind", 3: "parent", 4: "active"},
        ),
        (["Full name", "Short name"], PeopleKind.AGENCIES, {0: "name", 1: "short_name"}),
        (["界别", "党派"], PeopleKind.MEMBERS, None),  # no name column
    ],
)
def test_header_mapping(headers: list[str], kind: PeopleKind, mapping: dict[int, str] | None) -> None:
    if mapping is None:
        with pytest.raises(RuleError):
            map_headers(headers, kind)
    else:
        assert map_headers(headers, kind) == mapping


def test_header_key_folds_width_case_and_marks() -> None:
    assert header_key("＊ E-Mail：") == header_key("email") == "email"


@pytest.mark.parametrize(
    ("values", "expected", "problem_fields"),
    [
        ({"name": "张三", "sector": "经济界"}, {"kind": "member", "sector": "经济界", "active": True}, []),
        ({"name": "李四", "kind": "人大代表", "active": "否"}, {"kind": "deputy", "active": False}, []),
        ({"name": "民建镇海区委", "kind": "团体"}, {"kind": "organisation"}, []),
        ({"name": "王五", "kind": "书记"}, None, ["kind"]),
        ({"name": "王五", "active": "也许"}, None, ["active"]),
        ({"name": "", "phone": "x"}, None, ["name", "phone"]),
    ],
)
def test_member_rows(values: dict[str, str], expected: dict | None, problem_fields: list[str]) -> None:
    if expected is None:
        with pytest.raises(RuleError) as caught:
            member_from_row(values)
        assert [p.field for p in caught.value.problems] == problem_fields
        return
    fields, given = member_from_row(values)
    assert {k: getattr(fields, k) for k in expected} == expected
    assert given == {k for k, v in values.items() if v}


@pytest.mark.parametrize(
    ("values", "kind", "ok"),
    [
        ({"name": "招宝山街道办事处", "kind": "镇街", "parent": ""}, "town", True),
        ({"name": "镇海区经信局", "kind": "区级部门"}, "district", True),
        ({"name": "国网镇海供电公司", "kind": "其他"}, "other", True),
        ({"name": "某局", "kind": "省级"}, None, False),
        ({"name": "某局", "parent": "某局"}, None, False),
    ],
)
def test_agency_rows(values: dict[str, str], kind: str | None, ok: bool) -> None:
    if not ok:
        with pytest.raises(RuleError):
            agency_from_row(values)
        return
    assert agency_from_row(values)[0].kind == kind


def test_a_blank_cell_keeps_what_is_stored() -> None:
    stored = MemberFields(name="张三", sector="经济界", phone="0574-1234567")
    row, given = member_from_row({"name": "张三", "sector": "", "phone": "13800000000"})
    assert merged(stored, row, given) == MemberFields(name="张三", sector="经济界", phone="13800000000")
    agency = AgencyFields(name="镇海区商务局", short_name="区商务局")
    row, given = agency_from_row({"name": "镇海区商务局", "short_name": ""})
    assert merged(agency, row, given) == agency


@pytest.mark.parametrize(
    ("agency", "parent", "parents", "ok"),
    [
        (1, 2, {1: None, 2: None}, True),
        (1, 1, {1: None}, False),
        (1, 3, {1: None, 2: 1, 3: 2}, False),  # 3 is under 2, which is under 1
        (None, 3, {3: None}, True),
    ],
)
def test_an_agency_is_never_under_itself(agency: int | None, parent: int, parents: dict, ok: bool) -> None:
    if ok:
        check_parent_chain(agency, parent, parents)
    else:
        with pytest.raises(RuleError):
            check_parent_chain(agency, parent, parents)


@pytest.mark.parametrize(("name", "ok"), [("城乡建设", True), ("  ", False), ("类" * 41, False)])
def test_category_names(name: str, ok: bool) -> None:
    if ok:
        assert validate_category(f" {name} ") == name
    else:
        with pytest.raises(RuleError):
            validate_category(name)
