"""Importing members and agencies: reading CSV (UTF-8, BOM, GBK) and XLSX, the plan per row, applying
the valid rows in one transaction, and the two steps of the page (stage, confirm)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from tracker.domain.people import PeopleKind
from tracker.models import AdminChange, Agency, Member
from tracker.services import people_import
from tracker.services.admin_log import COMMAND_LINE
from tracker.services.errors import InvalidInput, NotFoundError


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fifty_members_one_bad() -> bytes:
    rows: list[list[object]] = [["姓名", "界别", "党派", "联系电话", "电子邮箱"]]
    for n in range(50):
        phone: object = 13800000000 + n  # Excel keeps phone numbers as numbers
        rows.append([f"导入委员{n:02d}", "经济界", "民建", phone, f"m{n}@example.cn"])
    rows[31][4] = "not-an-address"  # spreadsheet row 32
    return xlsx(rows)


def imported(session: Session) -> list[Member]:
    return list(session.exec(select(Member).where(Member.name.like("导入委员%")).order_by(Member.name)).all())


def test_fifty_members_from_xlsx_with_one_bad_row(session: Session) -> None:
    plan = people_import.import_file(session=session, actor=COMMAND_LINE, data=fifty_members_one_bad())
    assert plan.kind is PeopleKind.MEMBERS
    assert [(e.row, e.name, [p.field for p in e.problems]) for e in plan.errors] == [
        (32, "导入委员30", ["email"])
    ]
    assert plan.count("create") == 49
    members = imported(session)
    assert len(members) == 49 and "导入委员30" not in {m.name for m in members}
    assert members[0].phone == "13800000000"
    logged = session.exec(select(AdminChange).where(AdminChange.kind == "member")).all()
    assert len(logged) == 49


def test_gbk_csv_creates_updates_and_leaves_blank_cells_alone(session: Session, make) -> None:
    make.member(name="王小明", sector="教育界", phone="0574-1111111")
    text = "姓名,界别,党派,联系电话\n王小明,,民进,\n李小红,医卫界,九三学社,0574-2222222\n\n王小明,,,\n"
    plan = people_import.import_file(session=session, actor=COMMAND_LINE, data=text.encode("gbk"))
    assert [(r.row, r.action) for r in plan.rows] == [(2, "update"), (3, "create"), (5, "error")]
    assert plan.rows[0].changes == ["party"]
    wang = session.exec(select(Member).where(Member.name == "王小明")).one()
    assert (wang.sector, wang.party, wang.phone) == ("教育界", "民进", "0574-1111111")
    assert session.exec(select(Member).where(Member.name == "李小红")).one().sector == "医卫界"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(session: Session, encoding: str) -> None:
    data = "Name,Sector,E-mail\n编码委员,经济界,a@b.cn\n".encode(encoding)
    plan = people_import.plan_import(session=session, table=people_import.read_table(data))
    assert [(r.name, r.action) for r in plan.rows] == [("编码委员", "create")]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "UTF-8"),  # no text: refused, not guessed
        (b"\xe9,x\n\xe9,y\n", "UTF-8"),
        (b"", "empty"),
        (b"PK\x03\x04not really a workbook", "workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", ".xls"),
        ("姓名,界别\n".encode(), "no rows"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data: bytes, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        people_import.read_table(data)
    assert words in str(caught.value)


def test_utf16_with_its_bom_is_read_as_the_shared_decoder_reads_it() -> None:
    # A BOM names the encoding (Excel's "Unicode text"), so the file is read, not refused.
    assert people_import.read_table("姓名\n张三\n".encode("utf-16")) == [["姓名"], ["张三"]]


def test_a_file_without_a_name_column_is_refused_whole(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        people_import.plan_import(
            session=session, table=[["姓名x", "界别"], ["a", "b"]], kind=PeopleKind.MEMBERS
        )
    assert "姓名" in str(caught.value)


def test_agencies_with_parents_above_them(session: Session) -> None:
    rows = [
        ["单位名称", "简称", "类别", "上级单位"],
        ["镇海区导入局", "区导入局", "区级部门", ""],
        ["镇海区导入局下属中心", "", "其他", "区导入局"],
        ["孤儿中心", "", "其他", "不存在的局"],
        ["镇海区商务局", "区商务局", "", ""],
    ]
    plan = people_import.import_file(session=session, actor=COMMAND_LINE, data=xlsx(rows))
    assert [r.action for r in plan.rows] == ["create", "create", "error", "update"]
    centre = session.exec(select(Agency).where(Agency.name == "镇海区导入局下属中心")).one()
    parent = session.get(Agency, centre.parent_id)
    assert (parent.name, centre.kind) == ("镇海区导入局", "other")
    assert session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one().short_name == "区商务局"


def test_dry_run_changes_nothing(session: Session) -> None:
    plan = people_import.import_file(
        session=session, actor=COMMAND_LINE, data=fifty_members_one_bad(), dry_run=True
    )
    assert plan.count("create") == 49 and imported(session) == []


def test_stage_then_confirm_once_for_the_uploader_only(session: Session, make) -> None:
    admin = make.user(username="importer", role="admin")
    other = make.user(username="other-admin", role="admin")
    staged, plan = people_import.stage(
        session=session, user_id=admin.id, filename="委员.xlsx", data=fifty_members_one_bad(), kind=None
    )
    assert imported(session) == [] and plan.count("create") == 49  # the preview writes nothing
    with pytest.raises(NotFoundError):
        people_import.staged(session=session, token=staged.token, user_id=other.id)
    result = people_import.confirm(session=session, actor=COMMAND_LINE, token=staged.token, user_id=admin.id)
    assert (result["create"], [e["row"] for e in result["errors"]]) == (49, [32])
    assert len(imported(session)) == 49
    with pytest.raises(InvalidInput):
        people_import.confirm(session=session, actor=COMMAND_LINE, token=staged.token, user_id=admin.id)


def test_an_old_preview_must_be_uploaded_again(session: Session, make) -> None:
    admin = make.user(username="importer", role="admin")
    staged, _plan = people_import.stage(
        session=session, user_id=admin.id, filename="m.csv", data="姓名\n过期委员\n".encode(), kind=None
    )
    later = datetime.now(UTC) + timedelta(hours=3)
    with pytest.raises(InvalidInput):
        people_import.confirm(
            session=session, actor=COMMAND_LINE, token=staged.token, user_id=admin.id, now=later
        )
    assert session.exec(select(Member).where(Member.name == "过期委员")).first() is None
