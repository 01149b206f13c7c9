"""tracker import PATH... [--manifest] [--session] [--dry-run] [--json]: folders walked, .zip files
opened, the summary on stdout, files refused one by one, a second run creating nothing, and one
line with exit status 1 on bad arguments."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from tracker.cli import main
from tracker.db import get_engine
from tracker.models import ImportedFile, ImportRun, PointLink, Proposal, ReferenceDocument, Reply
from tracker.search import get_backend
from tracker.services.visibility import ANONYMOUS, Role, Viewer

PROPOSAL = (
    "关于加快老旧小区改造的提案\n届次：十届三次\n案号：第41号\n提案人：王立超\n"
    "我区老旧小区设施陈旧，居民反映强烈。\n为此建议：\n一、加大资金投入。财政每年安排专项资金。\n"
    "二、加快改造进度。每年完成十个小区改造。\n三、完善长效管理。引入物业服务。"
)
REPLY = (
    "关于区政协十届三次会议第41号提案的答复\n王立超委员：\n您提出的《关于加快老旧小区改造的提案》收悉，现答复如下：\n"
    "一、关于加大资金投入。今年已安排专项资金两千万元。\n二、关于加快改造进度。今年完成十二个小区。\n"
    "三、关于完善长效管理。已引入专业物业服务。\n感谢您对我们工作的支持。\n区住房和城乡建设局\n2017年6月3日"
)
POLICY = (
    "甬政发〔2023〕12号\n关于促进中小企业发展的若干意见\n各区县（市）人民政府，市直各单位：\n"
    "一、总体要求。坚持稳中求进。\n二、主要任务。减轻企业负担。\n三、保障措施。加强组织领导。"
)


def _counts(app: Flask) -> dict[str, int]:
    with Session(get_engine(app)) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Proposal, Reply, PointLink, ReferenceDocument, ImportedFile)
        }


def _archive(folder: Path) -> Path:
    (folder / "2017").mkdir(parents=True)
    (folder / "2017" / "提案41.txt").write_text(PROPOSAL, encoding="utf-8")
    (folder / "2017" / "答复41.txt").write_bytes(REPLY.encode("gbk"))
    (folder / "意见.html").write_text(
        f"<html><body><div>导航</div><article>{''.join(f'<p>{ln}</p>' for ln in POLICY.splitlines())}"
        "</article></body></html>",
        encoding="utf-8",
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(bytes(range(256)) * 8)
    return folder


def test_import_a_folder_then_again(app: Flask, runner, tmp_path: Path) -> None:
    folder = _archive(tmp_path / "archive")
    before = _counts(app)
    result = runner.invoke(main, ["import", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "5 files: created 1 proposal, 1 reply, 1 policy; 1 replies paired; 0 need review"
    )
    assert "refused empty.txt: empty.txt: the file is empty" in lines
    assert any(line.startswith("refused photo.txt: ") and "binary" in line for line in lines)
    after = _counts(app)
    assert after["Proposal"] == before["Proposal"] + 1 and after["Reply"] == before["Reply"] + 1
    assert (
        after["PointLink"] == before["PointLink"] + 3 and after["ImportedFile"] == before["ImportedFile"] + 3
    )
    with Session(get_engine(app)) as session:
        proposal = session.exec(select(Proposal).where(Proposal.title == "关于加快老旧小区改造的提案")).one()
        assert (proposal.number, proposal.meeting.short_name, proposal.published_at) == (41, "十届三次", None)
        reply = session.exec(select(Reply).where(Reply.proposal_id == proposal.id)).one()
        record = session.exec(select(ImportedFile).where(ImportedFile.reply_id == reply.id)).one()
        assert (record.source_name, record.kind, record.state, record.file_format) == (
            "2017/答复41.txt",
            "reply",
            "imported",
            "txt",
        )
        assert record.found["pairing"]["how"] == "session and number (text)"
        run = session.exec(select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert run is not None and run.finished_at is not None and run.summary["created"]["reply"] == 1
    # searchable once the run is over (indexed after the commits, by the child process)
    staff = Viewer(Role.STAFF, user_id=1)
    assert get_backend(app).count('"长效管理"', viewer=staff) >= 1
    assert get_backend(app).count('"长效管理"', viewer=ANONYMOUS) == 0  # nothing imported is public
    again = runner.invoke(main, ["import", str(folder)])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0].startswith(
        "5 files: created nothing; 0 replies paired; 0 need review; 3 skipped as already imported"
    )
    assert _counts(app) == after


def test_json_summary_and_a_changed_file(app: Flask, runner, tmp_path: Path) -> None:
    folder = _archive(tmp_path / "archive")
    assert runner.invoke(main, ["import", str(folder)]).exit_code == 0
    (folder / "2017" / "提案41.txt").write_text(PROPOSAL + "\n四、加强宣传。", encoding="utf-8")
    before = _counts(app)
    result = runner.invoke(main, ["import", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["changed"] == ["2017/提案41.txt"]
    assert sorted(summary["already_imported"]) == ["2017/答复41.txt", "意见.html"]
    assert {(r["file"], r["code"]) for r in summary["refused"]} == {
        ("empty.txt", "empty"),
        ("photo.txt", "binary"),
    }
    assert summary["created"] == {"proposal": 0, "reply": 0, "both": 0, "policy": 0}
    assert _counts(app) == before


def test_dry_run_saves_nothing(app: Flask, runner, tmp_path: Path) -> None:
    folder = _archive(tmp_path / "archive")
    before = _counts(app)
    result = runner.invoke(main, ["import", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "created 1 proposal, 1 reply, 1 policy; 1 replies paired" in result.output
    assert "(dry run: nothing was saved)" in result.output
    assert _counts(app) == before
    with Session(get_engine(app)) as session:
        assert session.exec(select(func.count()).select_from(ImportRun)).one() == 0


def test_a_zip_is_opened_and_its_unsafe_entries_refused(app: Flask, runner, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("档案/提案41.txt", PROPOSAL)
        z.writestr("档案/答复41.txt", REPLY)
        z.writestr("../escape.txt", PROPOSAL)
        z.writestr("/etc/passwd.txt", PROPOSAL)
        z.writestr("inner.zip", b"PK\x05\x06" + b"\x00" * 18)
    (tmp_path / "archive.zip").write_bytes(buffer.getvalue())
    result = runner.invoke(main, ["import", str(tmp_path / "archive.zip"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["created"]["proposal"] == 1 and summary["paired"] == 1
    refused = {r["file"]: r["code"] for r in summary["refused"]}
    assert refused == {
        "archive.zip/../escape.txt": "unsafe",
        "archive.zip//etc/passwd.txt": "unsafe",
        "archive.zip/inner.zip": "nested",
    }
    with Session(get_engine(app)) as session:
        names = set(session.exec(select(ImportedFile.source_name)).all())
    assert names == {"archive.zip/档案/提案41.txt", "archive.zip/档案/答复41.txt"}


def test_manifest_supplies_numbers_and_publication_and_conflicts_go_to_review(
    app: Flask, runner, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.txt").write_text(PROPOSAL.replace("案号：第41号\n", ""), encoding="utf-8")
    # the text says No. 2, which the seeded model case already holds in this session
    (folder / "b.txt").write_text(
        PROPOSAL.replace("第41号", "第2号").replace("老旧小区", "背街小巷"), encoding="utf-8"
    )
    (folder / "c.txt").write_text(
        PROPOSAL.replace("第41号", "第43号").replace("老旧小区", "口袋公园"), encoding="utf-8"
    )
    manifest = tmp_path / "清单.csv"
    manifest.write_bytes("文件名,案号,公开\na.txt,42,是\nc.txt,44,是\n".encode("gbk"))
    result = runner.invoke(main, ["import", str(folder), "--manifest", str(manifest), "--json"])
    assert result.exit_code == 0, result.output
    review = {r["file"]: r["reasons"] for r in json.loads(result.output)["needs_review"]}
    assert review == {"b.txt": ["number_taken"], "c.txt": ["number_conflict"]}
    with Session(get_engine(app)) as session:
        rows = {
            f.source_name: session.get(Proposal, f.proposal_id)
            for f in session.exec(select(ImportedFile)).all()
        }
        assert rows["a.txt"].number == 42 and rows["a.txt"].published_at is not None
        assert rows["b.txt"].number is None and rows["b.txt"].published_at is None  # waits for staff
        assert rows["c.txt"].number == 44 and rows["c.txt"].published_at is None


def test_bad_arguments_end_in_one_line(app: Flask, runner, tmp_path: Path) -> None:
    folder = _archive(tmp_path / "archive")
    missing = runner.invoke(main, ["import", str(tmp_path / "nowhere")])
    assert (
        missing.exit_code == 1
        and missing.output.strip() == f"Error: no such file or folder: {tmp_path / 'nowhere'}"
    )
    session = runner.invoke(main, ["import", str(folder), "--session", "第九十届第一次会议"])
    assert session.exit_code == 1 and "no session named" in session.output and session.output.count("\n") == 1
    (tmp_path / "m.pdf").write_bytes(b"%PDF-1.4")
    wrong = runner.invoke(main, ["import", str(folder), "--manifest", str(tmp_path / "m.pdf")])
    assert wrong.exit_code == 1 and "must be a .csv or .xlsx" in wrong.output
    (tmp_path / "m.csv").write_text("案号,提案人\n1,张三\n", encoding="utf-8")
    columns = runner.invoke(main, ["import", str(folder), "--manifest", str(tmp_path / "m.csv")])
    assert columns.exit_code == 1 and columns.output.count("\n") == 1 and "file" in columns.output
    none = runner.invoke(main, ["import"])
    assert none.exit_code == 1 and none.output == "Error: Missing argument 'PATHS...'.\n"
    procs = runner.invoke(main, ["import", str(folder), "--procs", "0"])
    assert procs.exit_code == 1 and procs.output.count("\n") == 1 and "--procs" in procs.output
    assert _counts(app)["ImportedFile"] == 0


def test_a_proposal_and_its_reply_in_one_file(app: Flask, runner, tmp_path: Path) -> None:
    (tmp_path / "合订本.docx.txt").write_text(PROPOSAL + "\n" + REPLY, encoding="utf-8")
    result = runner.invoke(main, ["import", str(tmp_path / "合订本.docx.txt"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["created"]["both"] == 1 and summary["paired"] == 1 and summary["needs_review"] == []
    with Session(get_engine(app)) as session:
        record = session.exec(select(ImportedFile)).one()
        assert record.kind == "both" and record.found["pairing"]["how"] == "same file"
        proposal = session.get(Proposal, record.proposal_id)
        reply = session.get(Reply, record.reply_id)
        assert proposal is not None and reply is not None and reply.proposal_id == proposal.id
        assert "答复" not in proposal.original_text and reply.original_text.startswith("关于区政协")
        assert proposal.status == "replied"


def test_a_progress_bar_on_stderr_for_long_runs(app: Flask, runner, tmp_path: Path) -> None:
    topics = "道路绿化停车垃圾供水照明医疗教育养老托育体育文化旅游消防物业电梯菜场公厕路灯"
    tmp_path = tmp_path / "many"  # beside the test's database, not with it
    tmp_path.mkdir()
    for n in range(1, 22):
        topic = topics[2 * (n - 1) : 2 * n]
        text = PROPOSAL.replace("第41号", f"第{100 + n}号").replace("老旧小区", f"{topic}设施")
        (tmp_path / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("21 files: created 21 proposal")
    # click draws the bar on a terminal; elsewhere (here) it writes its label once, on stderr
    assert "Importing" in result.stderr and "Importing" not in result.stdout
    small = runner.invoke(main, ["import", str(tmp_path / "01.txt")])
    assert "Importing" not in small.stderr  # a few files need no bar


@pytest.mark.parametrize(
    ("letter_class", "expected_outcome", "expected_how"),
    [(None, "B", "manifest"), ("A", "A", "letter")],  # the manifest fills in; the letter's own word stays
)
def test_the_manifest_supplies_a_replys_class_and_date_the_letter_lacks(
    app: Flask, runner, tmp_path: Path, letter_class: str | None, expected_outcome: str, expected_how: str
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "p.txt").write_text(PROPOSAL, encoding="utf-8")
    reply = REPLY.replace("\n2017年6月3日", "")  # undated
    if letter_class:
        reply = reply.replace("王立超委员：", f"办复类别：{letter_class}类\n王立超委员：")
    (folder / "r.txt").write_text(reply, encoding="utf-8")
    manifest = tmp_path / "清单.csv"
    manifest.write_text("文件名,办复类别,答复日期\nr.txt,B,2017-06-05\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(folder), "--manifest", str(manifest), "--json"])
    assert result.exit_code == 0, result.output
    with Session(get_engine(app)) as session:
        imported = session.exec(select(ImportedFile).where(ImportedFile.source_name == "r.txt")).one()
        letter = session.get(Reply, imported.reply_id)
        assert letter is not None and letter.outcome == expected_outcome
        assert letter.date_on == date(2017, 6, 5)
        assert imported.found["outcome"]["how"] == expected_how
        if letter_class:
            assert imported.found["outcome"]["manifest"] == "B"
