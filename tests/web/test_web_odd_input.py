"""Odd input (issue 11, items 6 and 7): each gets a clear 4xx and changes nothing. Text sent as a file
part, a form in GBK, NUL bytes, huge numbers: refused by one check for every form
(tracker/web/request_checks.py), cleaned as all text is (clean_text), or parsed by one bounded
parser (tracker/web/args.py)."""

from __future__ import annotations

import io
from urllib.parse import quote_from_bytes

import pytest
from sqlmodel import Session, func, select
from werkzeug.test import encode_multipart

from tracker.models import LoginSession, Proposal, ReplyDraft, Transition
from tracker.web.args import MAX_ID, bounded_int

PROPOSAL_FORM = {
    "title": "关于加强校园安全的建议",
    "category": "社会民生",
    "background": "我区校园安全形势总体平稳，但仍有隐患。",
    "suggestions-0": "增设校医岗位。学校应配备专职校医。",
    "closing": "",
    "cosigners": "",
    "op": "save",
}
GBK_MESSAGE = "表单不是以 UTF-8 编码提交的"


def _state(session: Session) -> tuple:
    """What a refused request must leave as it was."""
    session.expire_all()
    drafts = [(d.revision, d.mode, d.pasted_text, d.sections) for d in session.exec(select(ReplyDraft)).all()]
    counts = [session.exec(select(func.count()).select_from(t)).one() for t in (Proposal, Transition)]
    return counts, drafts


def _gbk_urlencoded(values: dict[str, str]) -> dict:
    body = "&".join(f"{k}={quote_from_bytes(v.encode('gbk'))}" for k, v in values.items())
    return {"data": body, "content_type": "application/x-www-form-urlencoded"}


def _gbk_multipart(values: dict[str, str]) -> dict:
    boundary = "----tracker-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode()
        + v.encode("gbk")
        + b"\r\n"
        for k, v in values.items()
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.fixture
def member(client, login):
    login(client, "member")
    return client


@pytest.mark.parametrize(
    "field", ["title", "background", "suggestions-0", "closing", "cosigners", "paste", "op"]
)
def test_a_text_field_sent_as_a_file_part_is_refused(member, session: Session, field: str) -> None:
    before = _state(session)
    data: dict = dict(PROPOSAL_FORM)
    data[field] = (io.BytesIO("关于文件的建议".encode()), "field.txt")
    response = member.post("/my/proposals/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "此表单不接受文件" in response.get_data(as_text=True)
    assert _state(session) == before


@pytest.mark.parametrize(
    "url",
    ["/login", "/logout", "/my/proposals/new", "/review/1/accept", "/proposals/1/reply", "/inbox/1/return"],
)
def test_no_page_takes_files(client, login, session: Session, url: str) -> None:
    login(client, "staff")
    before = _state(session)
    response = client.post(
        url, data={"note": (io.BytesIO(b"x"), "a.txt")}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert _state(session) == before
    assert session.exec(select(func.count()).select_from(LoginSession)).one() == 1  # still logged in


@pytest.mark.parametrize("encode", [_gbk_urlencoded, _gbk_multipart], ids=["urlencoded", "multipart"])
def test_a_proposal_form_posted_as_gbk_is_refused_and_shown_readably(
    member, session: Session, encode
) -> None:
    before = _state(session)
    response = member.post("/my/proposals/new", **encode(PROPOSAL_FORM))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert GBK_MESSAGE in html
    # what was typed, decoded as GB18030, so it can be copied back
    assert PROPOSAL_FORM["title"] in html and PROPOSAL_FORM["suggestions-0"] in html
    assert "草稿已保存" not in html
    assert _state(session) == before


def test_a_valid_utf8_multipart_form_still_saves(member, session: Session) -> None:
    boundary, body = encode_multipart(PROPOSAL_FORM)
    response = member.post(
        "/my/proposals/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(Proposal).where(Proposal.title == PROPOSAL_FORM["title"])).one()


def test_a_reply_draft_posted_as_gbk_is_refused(client, login, session: Session, assigned_case) -> None:
    login(client, "agency")
    sid = assigned_case.suggestion_ids[0]
    before = _state(session)
    response = client.post(
        f"/proposals/{assigned_case.proposal_id}/reply",
        **_gbk_urlencoded({"op": "save", f"answer-{sid}": "已按建议设立服务中心。"}),
    )
    assert response.status_code == 400
    assert "已按建议设立服务中心。" in response.get_data(as_text=True)
    assert _state(session) == before


@pytest.mark.parametrize("letter", ["\x00" * 5000, "\x01\ufeff\x7f" * 300], ids=["nul", "controls"])
@pytest.mark.parametrize("op", ["read", "save", "submit"])
def test_a_pasted_letter_of_nul_bytes_or_controls_is_refused(
    client, login, session: Session, assigned_case, op: str, letter: str
) -> None:
    """Control characters are removed from text (clean_text); what is left here is no letter at all."""
    login(client, "agency")
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    before = _state(session)
    response = client.post(url, data={"op": op, "mode": "pasted", "pasted": letter})
    assert response.status_code == 422
    assert "粘贴的内容中没有可识别的文字" in response.get_data(as_text=True)
    assert _state(session) == before


@pytest.mark.parametrize("revision", ["9" * 30, str(MAX_ID + 1), "-" + "9" * 30, "1" * 5000, "²", "1e9"])
def test_a_huge_or_odd_revision_is_a_conflict_not_a_crash(
    client, login, session: Session, assigned_case, revision: str
) -> None:
    login(client, "agency")
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    assert client.post(url, data={"op": "save"}).status_code == 303  # a saved draft, revision 1
    before = _state(session)
    response = client.post(url, data={"op": "save", "revision": revision})
    assert response.status_code == 409
    assert _state(session) == before


@pytest.mark.parametrize(
    "url",
    [
        "/proposals?page=" + "9" * 30,
        "/proposals?session=" + "9" * 30,
        "/proposals?agency=²",
        "/statistics?session=" + "9" * 30,
        "/statistics?session=²",
        "/proposals/" + "9" * 30,
        "/replies/" + "9" * 30,
        "/replies/" + "9" * 30 + "/letter.docx",
    ],
)
def test_odd_numbers_in_addresses_are_never_a_server_error(client, url: str) -> None:
    assert client.get(url).status_code in (200, 404)


@pytest.mark.parametrize(
    ("value", "low", "expected"),
    [
        ("1", 1, 1),
        (" 42 ", 1, 42),
        (str(MAX_ID), 1, MAX_ID),
        (str(MAX_ID + 1), 1, None),
        ("9" * 30, 1, None),
        ("1" * 5000, 1, None),  # int() would refuse it with ValueError; no work done here
        ("0", 1, None),
        ("0", 0, 0),
        ("-3", 0, None),
        ("+7", 1, 7),
        ("²", 1, None),  # str.isdigit says yes, int() says no
        ("١٢", 1, None),  # Arabic-Indic digits: int() reads them, a 案号 is never written so
        ("1.5", 1, None),
        ("", 1, None),
        (None, 1, None),
        (io.BytesIO(b"1"), 1, None),
        (True, 0, None),
        (7, 1, 7),
    ],
)
def test_bounded_int(value: object, low: int, expected: int | None) -> None:
    assert bounded_int(value, low=low) == expected
