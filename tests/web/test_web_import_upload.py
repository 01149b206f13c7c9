"""The staff upload of archive files (/review/imports/upload, issue 13): many files or one .zip through
the same import as the command line, staff only, limits on count and size, unsafe or oversized zip
entries refused, the summary linking each file that waits to the review queue."""

from __future__ import annotations

import io
import re
import zipfile

from flask import Flask
from sqlmodel import Session, func, select

from tracker.db import get_engine
from tracker.models import ImportedFile, ImportRun, Proposal, Reply

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
ORPHAN = "王五委员：\n您提出的《关于建设城市书房的提案》收悉，现答复如下：\n一、关于选址。已确定三处。\n区文旅局\n2017年6月3日"
URL = "/review/imports/upload"


def _files(*pairs: tuple[str, bytes]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for name, data in pairs]


def _count(app: Flask, model) -> int:
    with Session(get_engine(app)) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_staff_upload_files_and_read_the_summary(app: Flask, client, login) -> None:
    login(client, "staff")
    form = client.get(URL)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'type="file"' in page and "multiple" in page and 'name="manifest"' in page
    proposals = _count(app, Proposal)
    response = client.post(
        URL,
        data={
            "files": _files(
                ("提案41.txt", PROPOSAL.encode()),
                ("答复41.txt", REPLY.encode("gbk")),
                ("书房答复.txt", ORPHAN.encode()),
                ("空.txt", b""),
                ("C:\\Users\\wang\\photo.txt", bytes(range(256)) * 4),
            ),
            "session": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    summary = client.get(response.headers["Location"])
    assert summary.status_code == 200
    body = summary.get_data(as_text=True)
    with Session(get_engine(app)) as session:
        run = session.exec(select(ImportRun).order_by(ImportRun.id.desc())).first()
        assert run is not None and run.origin == "upload" and run.actor == "staff"
        orphan = session.exec(select(ImportedFile).where(ImportedFile.source_name == "书房答复.txt")).one()
        assert (orphan.kind, orphan.state, orphan.reply_id) == ("reply", "review", None)
        assert [r["code"] for r in orphan.reasons] == ["unpaired"]
        assert session.exec(select(Reply).join(Proposal).where(Proposal.title.contains("老旧小区"))).one()
    assert _count(app, Proposal) == proposals + 1
    assert f'href="/review/imports/{orphan.id}"' in body  # to the review queue
    assert "书房答复.txt" in body and "空.txt" in body and "photo.txt" in body and "C:\\" not in body
    refused = re.findall(r'<ul class="import-refused">(.*?)</ul>', body, re.S)[0]
    assert refused.count("<li>") == 2 and "<li>" in refused


def test_a_zip_with_unsafe_and_oversized_entries(app: Flask, client, login) -> None:
    app.config["IMPORT_UPLOAD_MAX_UNPACKED"] = 4000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("档案/提案41.txt", PROPOSAL)
        z.writestr("../../etc/evil.txt", PROPOSAL)
        z.writestr("档案/huge.txt", "很" * 50_000)  # compresses to little, unpacks past the limit
    login(client, "staff")
    response = client.post(
        URL, data={"files": _files(("archive.zip", buffer.getvalue()))}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    with Session(get_engine(app)) as session:
        run = session.exec(select(ImportRun).order_by(ImportRun.id.desc())).first()
        refused = {r["file"]: r["code"] for r in run.summary["refused"]}
        names = session.exec(select(ImportedFile.source_name)).all()
    assert refused == {"archive.zip/../../etc/evil.txt": "unsafe", "archive.zip/档案/huge.txt": "too_large"}
    assert names == ["archive.zip/档案/提案41.txt"]


def test_limits_and_bad_manifests_come_back_with_a_message(app: Flask, client, login) -> None:
    login(client, "staff")
    empty = client.post(URL, data={"session": ""}, content_type="multipart/form-data")
    assert empty.status_code == 422 and 'id="files-errors"' in empty.get_data(as_text=True)
    app.config["IMPORT_UPLOAD_MAX_FILES"] = 2
    many = client.post(
        URL,
        data={"files": _files(("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c"))},
        content_type="multipart/form-data",
    )
    assert many.status_code == 422 and 'id="files-errors"' in many.get_data(as_text=True)
    bad = client.post(
        URL,
        data={
            "files": _files(("a.txt", PROPOSAL.encode())),
            "manifest": (io.BytesIO(b"x,y\n1,2\n"), "m.csv"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'id="manifest-errors"' in bad.get_data(as_text=True)
    app.config["IMPORT_UPLOAD_MAX_BYTES"] = 1000
    large = client.post(
        URL, data={"files": _files(("a.txt", PROPOSAL.encode() * 10))}, content_type="multipart/form-data"
    )
    assert large.status_code == 413
    assert _count(app, ImportedFile) == 0 and _count(app, ImportRun) == 0


def test_only_staff_may_upload(app: Flask, client, login) -> None:
    data = {"files": _files(("a.txt", PROPOSAL.encode()))}
    assert client.post(URL, data=data, content_type="multipart/form-data").status_code == 302
    for role in ("member", "agency"):
        login(client, role)
        assert client.get(URL).status_code == 403
        data = {"files": _files(("a.txt", PROPOSAL.encode()))}
        assert client.post(URL, data=data, content_type="multipart/form-data").status_code == 403
    assert _count(app, ImportedFile) == 0
    login(client, "admin")
    assert client.get(f"{URL}/999999").status_code == 404
