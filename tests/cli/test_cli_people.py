"""tracker members | agencies list | add, tracker import-people FILE [--dry-run]: one line per action,
exit status 1 with a clear message on bad input."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from openpyxl import Workbook
from sqlmodel import Session, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import AdminChange, Agency, Member


def _members(app: Flask, prefix: str) -> list[Member]:
    with Session(get_engine(app)) as session:
        return list(session.exec(select(Member).where(Member.name.like(f"{prefix}%"))).all())


def test_members_add_and_list(app: Flask, runner) -> None:
    result = runner.invoke(
        main,
        ["members", "add", "命令行委员", "--sector", "经济界", "--party", "民建", "--phone", "0574-86212345"],
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.startswith("Added member ")
        and "命令行委员 (member) 经济界 · 民建 · 0574-86212345" in result.output
    )
    listed = runner.invoke(main, ["members", "list", "--search", "命令行"])
    assert listed.exit_code == 0 and listed.output.count("\n") == 1 and "命令行委员" in listed.output
    with Session(get_engine(app)) as session:
        change = session.exec(select(AdminChange).where(AdminChange.kind == "member")).one()
        assert (change.actor, change.action) == ("command line", "create")


def test_members_add_refuses_bad_input_in_one_line(app: Flask, runner) -> None:
    result = runner.invoke(main, ["members", "add", "坏邮箱委员", "--email", "nope"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Enter the e-mail address as name@example.cn."
    assert _members(app, "坏邮箱委员") == []


def test_agencies_add_with_a_parent_and_list(app: Flask, runner) -> None:
    assert runner.invoke(main, ["agencies", "add", "镇海区命令局", "--short-name", "区命令局"]).exit_code == 0
    result = runner.invoke(
        main, ["agencies", "add", "命令局下属中心", "--kind", "other", "--parent", "区命令局"]
    )
    assert result.exit_code == 0, result.output
    assert "命令局下属中心 (other, under 镇海区命令局)" in result.output
    listed = runner.invoke(main, ["agencies", "list", "--search", "命令"]).output.splitlines()
    assert len(listed) == 2
    duplicate = runner.invoke(main, ["agencies", "add", "镇海区命令局"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    unknown = runner.invoke(main, ["agencies", "add", "某中心", "--parent", "没有这个局"])
    assert unknown.exit_code == 1 and "没有这个局" in unknown.output
    assert (
        runner.invoke(main, ["agencies", "add", "某局", "--kind", "province"]).exit_code == 2
    )  # click's usage error


def _xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    book.active.append(["单位名称", "简称", "类别"])
    book.active.append(["镇海区表格局", "区表格局", "区级部门"])
    book.active.append(["", "无名", "其他"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "agencies.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def test_import_people_dry_run_then_for_real(app: Flask, runner, tmp_path: Path) -> None:
    path = _xlsx(tmp_path)
    dry = runner.invoke(main, ["import-people", str(path), "--dry-run"])
    assert dry.exit_code == 1  # a row has an error
    assert dry.output.splitlines()[:2] == [
        "row 2: would add 镇海区表格局",
        "row 3: error (no name): Enter the agency's full name.",
    ]
    assert "dry run: nothing changed" in dry.output
    with Session(get_engine(app)) as session:
        assert session.exec(select(Agency).where(Agency.name == "镇海区表格局")).first() is None
    real = runner.invoke(main, ["import-people", str(path)])
    assert real.output.splitlines()[0] == "row 2: added 镇海区表格局"
    assert "1 added, 0 updated, 0 unchanged; 1 rows with errors were not imported" in real.output
    with Session(get_engine(app)) as session:
        assert (
            session.exec(select(Agency).where(Agency.name == "镇海区表格局")).one().short_name == "区表格局"
        )
    again = runner.invoke(main, ["import-people", str(path)])
    assert again.output.splitlines()[0] == "row 2: unchanged 镇海区表格局"


def test_import_people_gbk_csv_all_good_exits_0(app: Flask, runner, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(
        "姓名,界别,党派,联系电话\n国标委员甲,经济界,民建,13800000000\n国标委员乙,教育界,,\n".encode("gbk")
    )
    result = runner.invoke(main, ["import-people", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "row 2: added 国标委员甲",
        "row 3: added 国标委员乙",
        "members.csv: members: 2 added, 0 updated, 0 unchanged.",
    ]
    assert {m.sector for m in _members(app, "国标委员")} == {"经济界", "教育界"}


def test_import_people_refuses_unreadable_files(app: Flask, runner, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_bytes(b"\xe9,x\n\xe9,y\n")
    result = runner.invoke(main, ["import-people", str(wrong)])
    assert result.exit_code == 1
    assert "not text in UTF-8 or GB18030/GBK" in result.output and result.output.count("\n") == 1
    missing = runner.invoke(main, ["import-people", str(tmp_path / "none.xlsx")])
    assert missing.exit_code == 1 and "cannot be read" in missing.output
    headless = tmp_path / "h.csv"
    headless.write_text("备注\n一\n", encoding="utf-8")
    result = runner.invoke(main, ["import-people", str(headless)])
    assert result.exit_code == 1 and "Cannot tell from the headers" in result.output
