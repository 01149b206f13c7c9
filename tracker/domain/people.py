"""Members, agencies and categories as the administration types or imports them: what a row must
state, how spreadsheet headers (Chinese or English) map to fields, and how a cell reads.

Pure rules: no Flask, SQLModel or Whoosh. Messages are English ids (``N_``) with parameters; the web
layer translates them, the command line prints them as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from .messages import N_, Problem, RuleError


class MemberKind(StrEnum):
    MEMBER = "member"  # 政协委员
    DEPUTY = "deputy"  # 人大代表
    ORGANISATION = "organisation"  # 党派、团体、专委会 as proposer


class AgencyKind(StrEnum):
    DISTRICT = "district"  # 区级部门
    TOWN = "town"  # 镇（街道）
    OTHER = "other"  # 其他: 垂直管理单位、国企、群团…


class PeopleKind(StrEnum):
    """What an import file holds."""

    MEMBERS = "members"
    AGENCIES = "agencies"


NAME_LIMIT = 40  # a person's or organisation's name as a member
AGENCY_LIMIT = 80
FIELD_LIMIT = 40  # sector, party, short name
ADDRESS_LIMIT = 200
EMAIL_LIMIT = 120
CATEGORY_LIMIT = 40
# Digits with the separators offices write between numbers (0574-86212345, 138 0000 0000, two numbers
# joined by 、 or /), an optional + and an extension in brackets.
PHONE = re.compile(r"\+?[0-9][0-9 ()（）\-、/,，转]{4,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True)
class MemberFields:
    name: str = ""
    kind: str = MemberKind.MEMBER.value
    sector: str = ""  # 界别
    party: str = ""  # 党派 or group
    phone: str = ""
    address: str = ""
    email: str = ""
    active: bool = True


@dataclass(frozen=True)
class AgencyFields:
    name: str = ""  # the full name in force
    short_name: str = ""
    kind: str = AgencyKind.DISTRICT.value
    parent: str = ""  # the parent's name (import, command line); the form passes an id instead
    active: bool = True


def one_line(text: str | None) -> str:
    """Trimmed, inner whitespace runs collapsed, control characters dropped."""
    text = "".join(ch for ch in (text or "") if ch in "\t\n" or unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def _too_long(field: str, value: str, limit: int) -> Problem | None:
    if len(value) <= limit:
        return None
    return Problem(
        field, N_("Too long: %(count)d characters; at most %(limit)d."), {"count": len(value), "limit": limit}
    )


def clean_member(f: MemberFields) -> MemberFields:
    return replace(
        f,
        name=one_line(f.name),
        kind=one_line(f.kind),
        sector=one_line(f.sector),
        party=one_line(f.party),
        phone=one_line(f.phone),
        address=one_line(f.address),
        email=one_line(f.email).lower(),
    )


def validate_member(f: MemberFields) -> MemberFields:
    """The cleaned fields, or RuleError naming every problem at once."""
    f = clean_member(f)
    problems: list[Problem] = []
    if not f.name:
        problems.append(Problem("name", N_("Enter the member's name.")))
    if f.kind not in {k.value for k in MemberKind}:
        problems.append(Problem("kind", N_("Choose whether this is a member, a deputy or an organisation.")))
    for name, value, limit in (
        ("name", f.name, NAME_LIMIT),
        ("sector", f.sector, FIELD_LIMIT),
        ("party", f.party, FIELD_LIMIT),
        ("address", f.address, ADDRESS_LIMIT),
        ("email", f.email, EMAIL_LIMIT),
    ):
        if (problem := _too_long(name, value, limit)) is not None:
            problems.append(problem)
    if f.phone and not PHONE.fullmatch(f.phone):
        problems.append(Problem("phone", N_("Enter the phone number as digits, e.g. 0574-86212345.")))
    if f.email and not EMAIL.fullmatch(f.email):
        problems.append(Problem("email", N_("Enter the e-mail address as name@example.cn.")))
    if problems:
        raise RuleError(problems)
    return f


def validate_agency(f: AgencyFields) -> AgencyFields:
    f = replace(
        f,
        name=one_line(f.name),
        short_name=one_line(f.short_name),
        kind=one_line(f.kind),
        parent=one_line(f.parent),
    )
    problems: list[Problem] = []
    if not f.name:
        problems.append(Problem("name", N_("Enter the agency's full name.")))
    if f.kind not in {k.value for k in AgencyKind}:
        problems.append(Problem("kind", N_("Choose the kind of agency.")))
    for name, value, limit in (("name", f.name, AGENCY_LIMIT), ("short_name", f.short_name, FIELD_LIMIT)):
        if (problem := _too_long(name, value, limit)) is not None:
            problems.append(problem)
    if f.parent and f.parent == f.name:
        problems.append(Problem("parent", N_("An agency cannot be its own parent.")))
    if problems:
        raise RuleError(problems)
    return f


def validate_category(name: str) -> str:
    name = one_line(name)
    if not name:
        raise RuleError(Problem("name", N_("Enter the category's name.")))
    if (problem := _too_long("name", name, CATEGORY_LIMIT)) is not None:
        raise RuleError(problem)
    return name


def check_parent_chain(
    agency_id: int | None, parent_id: int | None, parents: Mapping[int, int | None]
) -> None:
    """Refuse a parent that is the agency itself or one of its own sub-agencies (a loop).
    ``parents`` maps every agency id to its parent id."""
    seen: set[int] = set()
    node = parent_id
    while node is not None and node not in seen:
        if node == agency_id:
            raise RuleError(
                Problem("parent", N_("An agency cannot be placed under itself or its own sub-agency."))
            )
        seen.add(node)
        node = parents.get(node)


# -- spreadsheet import ---------------------------------------------------------------------------

# Header aliases, compared after ``header_key`` (NFKC, lower case, no spaces, - or _).
MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "委员姓名", "代表姓名", "name", "membername", "member"),
    "kind": ("身份", "委员类别", "类型", "kind", "type"),
    "sector": ("界别", "所属界别", "sector"),
    "party": ("党派", "党派团体", "政治面貌", "党派/团体", "party", "group", "partyorgroup"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "phone", "mobile", "telephone", "tel"),
    "address": ("地址", "联系地址", "通讯地址", "address"),
    "email": ("电子邮箱", "电子邮件", "邮箱", "email", "mail"),
    "active": ("状态", "是否在任", "在任", "active", "status"),
}
AGENCY_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "单位全称", "全称", "名称", "单位", "承办单位", "agency", "fullname", "name"),
    "short_name": ("简称", "单位简称", "shortname", "short"),
    "kind": ("单位类别", "类别", "类型", "kind", "type"),
    "parent": ("上级单位", "主管单位", "上级", "parent", "parentagency"),
    "active": ("状态", "是否有效", "active", "status"),
}
# Headers only one kind of file has: they tell a members file from an agencies file.
MEMBER_ONLY = {
    "姓名",
    "名字",
    "委员姓名",
    "代表姓名",
    "界别",
    "所属界别",
    "党派",
    "member",
    "membername",
    "sector",
    "party",
}
AGENCY_ONLY = {
    "单位名称",
    "单位全称",
    "全称",
    "单位",
    "承办单位",
    "agency",
    "fullname",
    "简称",
    "单位简称",
    "shortname",
    "上级单位",
    "parent",
}

MEMBER_KIND_WORDS = {
    "委员": MemberKind.MEMBER,
    "政协委员": MemberKind.MEMBER,
    "member": MemberKind.MEMBER,
    "代表": MemberKind.DEPUTY,
    "人大代表": MemberKind.DEPUTY,
    "deputy": MemberKind.DEPUTY,
    "团体": MemberKind.ORGANISATION,
    "党派": MemberKind.ORGANISATION,
    "党派团体": MemberKind.ORGANISATION,
    "组织": MemberKind.ORGANISATION,
    "organisation": MemberKind.ORGANISATION,
    "organization": MemberKind.ORGANISATION,
}
AGENCY_KIND_WORDS = {
    "区级部门": AgencyKind.DISTRICT,
    "部门": AgencyKind.DISTRICT,
    "区级": AgencyKind.DISTRICT,
    "district": AgencyKind.DISTRICT,
    "镇街": AgencyKind.TOWN,
    "镇(街道)": AgencyKind.TOWN,
    "镇": AgencyKind.TOWN,
    "街道": AgencyKind.TOWN,
    "town": AgencyKind.TOWN,
    "其他": AgencyKind.OTHER,
    "other": AgencyKind.OTHER,
}
YES = {"是", "在任", "有效", "启用", "正常", "yes", "y", "true", "1", "active"}
NO = {"否", "离任", "无效", "停用", "注销", "no", "n", "false", "0", "inactive"}


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width letters and brackets folded), lower case, and no spaces,
    hyphens, underscores or a trailing colon or asterisk (required-field marks)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s\-_:*]", "", text)


def _aliases(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {header_key(alias): name for name, aliases in table.items() for alias in aliases}


def detect_kind(headers: Sequence[str]) -> PeopleKind:
    """Members or agencies, from the headers; RuleError when the headers do not say."""
    keys = {header_key(h) for h in headers}
    members = bool(keys & {header_key(h) for h in MEMBER_ONLY})
    agencies = bool(keys & {header_key(h) for h in AGENCY_ONLY})
    if members and not agencies:
        return PeopleKind.MEMBERS
    if agencies and not members:
        return PeopleKind.AGENCIES
    raise RuleError(
        Problem(
            "file",
            N_(
                "Cannot tell from the headers whether the file lists members (姓名) or agencies (单位名称); choose which."
            ),
        )
    )


def map_headers(headers: Sequence[str], kind: PeopleKind) -> dict[int, str]:
    """Column index → field name. Unknown columns are ignored; a missing name column, or two columns
    for one field, is a RuleError."""
    aliases = _aliases(MEMBER_HEADERS if kind is PeopleKind.MEMBERS else AGENCY_HEADERS)
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    for index, header in enumerate(headers):
        field = aliases.get(header_key(header))
        if field is None:
            continue
        if field in mapping.values():
            problems.append(
                Problem("file", N_('Two columns mean the same thing: "%(header)s".'), {"header": header})
            )
            continue
        mapping[index] = field
    if "name" not in mapping.values():
        expected = "姓名 (name)" if kind is PeopleKind.MEMBERS else "单位名称 (agency)"
        problems.append(Problem("file", N_("The file has no %(column)s column."), {"column": expected}))
    if problems:
        raise RuleError(problems)
    return mapping


def _flag(value: str) -> bool:
    word = header_key(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise RuleError(Problem("active", N_('"%(value)s" is not 是 or 否 (yes or no).'), {"value": value}))


def row_values(cells: Sequence[str], mapping: Mapping[int, str]) -> dict[str, str]:
    """The cells of one data row by field name (missing cells empty)."""
    return {field: one_line(cells[i] if i < len(cells) else "") for i, field in mapping.items()}


def member_from_row(values: Mapping[str, str]) -> tuple[MemberFields, set[str]]:
    """The member a row states and the fields it fills (blank cells leave stored values as they are),
    or RuleError with every problem of the row."""
    problems: list[Problem] = []
    given = {k for k, v in values.items() if v}
    kind = MemberKind.MEMBER.value
    if values.get("kind"):
        word = MEMBER_KIND_WORDS.get(header_key(values["kind"]))
        if word is None:
            problems.append(
                Problem(
                    "kind", N_('Unknown kind "%(value)s": 委员, 代表 or 团体.'), {"value": values["kind"]}
                )
            )
        else:
            kind = word.value
    active = True
    if values.get("active"):
        try:
            active = _flag(values["active"])
        except RuleError as error:
            problems += error.problems
    fields_ = MemberFields(
        name=values.get("name", ""),
        kind=kind,
        sector=values.get("sector", ""),
        party=values.get("party", ""),
        phone=values.get("phone", ""),
        address=values.get("address", ""),
        email=values.get("email", ""),
        active=active,
    )
    try:
        fields_ = validate_member(fields_)
    except RuleError as error:
        problems += error.problems
    if problems:
        raise RuleError(problems)
    return fields_, given


def agency_from_row(values: Mapping[str, str]) -> tuple[AgencyFields, set[str]]:
    problems: list[Problem] = []
    given = {k for k, v in values.items() if v}
    kind = AgencyKind.DISTRICT.value
    if values.get("kind"):
        word = AGENCY_KIND_WORDS.get(header_key(values["kind"]))
        if word is None:
            problems.append(
                Problem(
                    "kind", N_('Unknown kind "%(value)s": 区级部门, 镇街 or 其他.'), {"value": values["kind"]}
                )
            )
        else:
            kind = word.value
    active = True
    if values.get("active"):
        try:
            active = _flag(values["active"])
        except RuleError as error:
            problems += error.problems
    fields_ = AgencyFields(
        name=values.get("name", ""),
        short_name=values.get("short_name", ""),
        kind=kind,
        parent=values.get("parent", ""),
        active=active,
    )
    try:
        fields_ = validate_agency(fields_)
    except RuleError as error:
        problems += error.problems
    if problems:
        raise RuleError(problems)
    return fields_, given


def merged(stored: MemberFields | AgencyFields, row: MemberFields | AgencyFields, given: set[str]):  # type: ignore[no-untyped-def]
    """``stored`` with the fields a row fills replaced: a blank cell never erases what is known."""
    return replace(stored, **{f.name: getattr(row, f.name) for f in fields(row) if f.name in given})
