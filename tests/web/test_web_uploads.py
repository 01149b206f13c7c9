"""A document file in the paste boxes (issue 13): the proposal form and the reply editor take a .docx,
.pdf, .txt in GBK…, whose text goes the way pasted text goes; a file that cannot be read comes back
with its reason and the form as typed; every other form still takes no files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from tests.reading.renditions import write_docx
from tracker.models import Proposal, ReplyDraft, Transition

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002"
PROPOSAL_TEXT = (SEED / "proposal.txt").read_text(encoding="utf-8")
REPLY_TEXT = (SEED / "reply.txt").read_text(encoding="utf-8")
FORM = {"title": "关于加强小微企业服务的建议", "category": "经济发展", "background": "", "suggestions-0": ""}


def _state(session: Session) -> tuple:
    session.expire_all()
    drafts = [(d.revision, d.pasted_text) for d in session.exec(select(ReplyDraft)).all()]
    return [session.exec(select(func.count()).select_from(t)).one() for t in (Proposal, Transition)], drafts


def _docx(text: str, tmp_path: Path) -> bytes:
    path = tmp_path / "letter.docx"
    write_docx(text, path)
    return path.read_bytes()


@pytest.fixture
def member(client, login):
    login(client, "member")
    return client


@pytest.fixture
def lead(client, login, assigned_case):
    login(client, "agency")
    return client


def _rows(page) -> list[str]:
    return [
        t.text() for t in page.find_all("textarea") if (t.attrs.get("name") or "").startswith("suggestions-")
    ]


@pytest.mark.parametrize("kind", ["docx", "gbk-txt"])
@pytest.mark.parametrize("op", ["preview", "save"])
def test_a_proposal_file_fills_the_paste_box_and_is_split(
    member, parse_html, session: Session, tmp_path: Path, kind: str, op: str
) -> None:
    before = _state(session)
    data = _docx(PROPOSAL_TEXT, tmp_path) if kind == "docx" else PROPOSAL_TEXT.encode("gbk")
    name = "提案.docx" if kind == "docx" else "提案.txt"
    response = member.post(
        "/my/proposals/new",
        data={**FORM, "op": op, "paste_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = parse_html(response.data)
    rows = _rows(page)
    assert len(rows) == 5 and rows[0].startswith("设立专门的服务与管理机构")
    assert "全文已拆分为 5 条建议" in page.find_all("div", class_="form-notices")[0].text()
    assert page.find_all("input", name="title")[0].attrs["value"] == FORM["title"]  # kept as typed
    assert _state(session) == before  # shown for checking, not stored


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.docx", b"", "文件是空的"),
        ("photo.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "这不是文档"),
        ("x.txt", "建议".encode() + b"\xff\xfe\xfd\x80", "既不是 UTF-8 也不是 GBK"),
        ("scan.pdf", None, "没有文字层"),
    ],
)
def test_a_proposal_file_that_cannot_be_read_comes_back_with_its_reason(
    member, parse_html, session: Session, name: str, data: bytes | None, reason: str
) -> None:
    if data is None:
        from tests.reading.test_readers import _scanned_pdf

        data = _scanned_pdf()
    before = _state(session)
    response = member.post(
        "/my/proposals/new",
        data={**FORM, "op": "preview", "paste": "原来粘贴的文字", "paste_file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"无法读取文件 {name}" in html and reason in html
    assert "原来粘贴的文字" in html and FORM["title"] in html  # nothing typed is lost
    assert _state(session) == before


def test_an_empty_file_field_is_no_upload(member, session: Session) -> None:
    """A browser sends the field with no file when none was chosen: the form saves as before."""
    data = {**FORM, "suggestions-0": "设立专门机构。", "op": "save", "paste_file": (io.BytesIO(b""), "")}
    response = member.post("/my/proposals/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303


def test_a_file_over_the_limit_is_refused_before_any_view(app, member, session: Session) -> None:
    app.config["UPLOAD_MAX_BYTES"] = 1000
    before = _state(session)
    data = {**FORM, "op": "preview", "paste_file": (io.BytesIO(PROPOSAL_TEXT.encode() * 2), "big.txt")}
    response = member.post("/my/proposals/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "上传的文件太大" in response.get_data(as_text=True)
    assert _state(session) == before


@pytest.mark.parametrize(
    ("url", "files"),
    [
        ("/my/proposals/new", {"paste_file": [(io.BytesIO(b"a"), "a.txt"), (io.BytesIO(b"b"), "b.txt")]}),
        (
            "/my/proposals/new",
            {"paste_file": (io.BytesIO(b"a"), "a.txt"), "other": (io.BytesIO(b"b"), "b.txt")},
        ),
        ("/my", {"paste_file": (io.BytesIO(b"a"), "a.txt")}),
    ],
    ids=["two-files", "another-field-too", "another-page"],
)
def test_only_one_file_in_the_one_field_of_the_paste_boxes(member, session: Session, url: str, files) -> None:
    before = _state(session)
    response = member.post(url, data={**FORM, "op": "preview", **files}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "此表单不接受文件" in response.get_data(as_text=True)
    assert _state(session) == before


def test_gbk_text_fields_beside_an_allowed_file_are_still_refused(member, session: Session) -> None:
    boundary = "----tracker-upload-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n'.encode()
        + FORM["title"].encode("gbk")
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="paste_file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + PROPOSAL_TEXT.encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    before = _state(session)
    response = member.post(
        "/my/proposals/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert "表单不是以 UTF-8 编码提交的" in response.get_data(as_text=True)
    assert _state(session) == before


def _editor_form(page) -> dict:
    form = page.find_all("form", class_="reply-form")[0]
    data = {}
    for el in form.iter():
        name = el.attrs.get("name")
        if name and name != "op" and el.tag in ("input", "textarea") and el.attrs.get("type") != "file":
            data[name] = el.attrs.get("value", "") if el.tag == "input" else el.text()
    return data


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_a_reply_letter_file_is_read_like_a_pasted_letter(
    lead, parse_html, session: Session, assigned_case, tmp_path: Path, kind: str
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    page = parse_html(lead.get(f"{url}?mode=pasted").data)
    assert page.find_all("input", type="file", name="paste_file")
    if kind == "docx":
        upload = (io.BytesIO(_docx(REPLY_TEXT, tmp_path)), "答复.docx")
    else:
        paragraphs = "".join(f"<p>{line}</p>" for line in REPLY_TEXT.split("\n"))
        html = f'<html><head><meta charset="gbk"></head><body><nav><a href="/">政务服务导航</a></nav><div class="article">{paragraphs}</div></body></html>'
        upload = (io.BytesIO(html.encode("gbk")), "答复.html")
    data = _editor_form(page) | {"op": "save", "paste_file": upload}
    response = lead.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = parse_html(response.data)
    assert "答复函已识别，共 5 条" in page.find_all("div", class_="form-notices")[0].text()
    ids = assigned_case.suggestion_ids
    for point in range(5):  # the same one-to-one links as the pasted letter gets
        boxes = page.find_all("input", name=f"link-{point}")
        assert [b.attrs["value"] for b in boxes if "checked" in b.attrs] == [str(ids[point])]
    session.expire_all()
    draft = session.exec(select(ReplyDraft)).one()  # kept as the draft, as a read letter is
    assert "".join(draft.pasted_text.split()) == "".join(REPLY_TEXT.split())  # the letter, no page chrome


def test_a_reply_file_that_cannot_be_read_keeps_the_box_as_typed(
    lead, parse_html, session: Session, assigned_case
) -> None:
    from tests.reading.test_readers import _encrypted_pdf

    url = f"/proposals/{assigned_case.proposal_id}/reply"
    before = _state(session)
    data = {
        "mode": "pasted",
        "pasted": "先前粘贴的答复",
        "op": "read",
        "paste_file": (io.BytesIO(_encrypted_pdf()), "答复.pdf"),
    }
    response = lead.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "无法读取文件 答复.pdf" in html and "密码保护" in html and "先前粘贴的答复" in html
    assert _state(session) == before
