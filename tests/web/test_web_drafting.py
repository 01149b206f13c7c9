"""The proposal form in the browser's place: bad input gets a clear message and loses nothing typed;
the pasted text is split before anything is stored; a double submit stores one proposal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from werkzeug.test import encode_multipart

from tracker.models import Proposal, ProposalSigner, Suggestion

SEED = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
TOKEN = "0123456789abcdef0123456789abcdef"


def fields(html: str) -> dict[str, str]:
    """The values the form shows, by field name (textareas, inputs, the selected option)."""
    found: dict[str, str] = {}
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        found[name] = unescape(value).removeprefix("\r\n")
    for attrs in re.findall(r"<input([^>]*)>", html):
        name, value = re.search(r'name="([^"]+)"', attrs), re.search(r'value="([^"]*)"', attrs)
        if name and value and 'type="checkbox"' not in attrs:
            found.setdefault(name.group(1), unescape(value.group(1)))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options)
        found[name] = unescape(chosen.group(1)) if chosen else ""
    return found


def rows(html: str) -> list[str]:
    values = fields(html)
    return [
        values[k]
        for k in sorted((k for k in values if k.startswith("suggestions-")), key=lambda k: int(k[12:]))
    ]


def form(**overrides: str) -> dict[str, str]:
    values = {
        "title": "关于校园安全的建议",
        "category": "社会民生",
        "background": "我区校园安全形势总体平稳，但仍有隐患。",
        "suggestions-0": "增设校医岗位。学校应配备专职校医。",
        "suggestions-1": "加强食堂监管。定期抽检。",
        "closing": "",
        "cosigners": "",
        "form_token": TOKEN,
        "op": "save",
    }
    return values | overrides


def multipart(values: dict[str, str]) -> dict:
    """The form as the browser sends it (multipart), built in memory: the test client would spool a
    large body to a temporary file it never closes."""
    boundary, body = encode_multipart(values)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.fixture
def member(client, login):
    login(client, "member")
    return client


def _proposals(session: Session, title: str) -> list[Proposal]:
    session.expire_all()
    return list(session.exec(select(Proposal).where(Proposal.title == title)).all())


def test_the_blank_form(member) -> None:
    html = member.get("/my/proposals/new").get_data(as_text=True)
    values = fields(html)
    assert re.fullmatch(r"[0-9a-f]{32}", values["form_token"])
    assert rows(html) == [""]
    assert 'enctype="multipart/form-data"' in html
    for text in ("粘贴全文", "拆分为建议", "保存草稿", "提交", "邀请联名人", "案由"):
        assert text in html


def test_an_empty_title_gets_a_message_and_keeps_everything_typed(member, session: Session) -> None:
    typed = form(title="  ", cosigners="乙委员", closing="以上建议请予考虑。")
    response = member.post("/my/proposals/new", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写提案标题" in html
    values = fields(html)
    for name in (
        "background",
        "suggestions-0",
        "suggestions-1",
        "closing",
        "cosigners",
        "form_token",
        "category",
    ):
        assert values[name] == typed[name], name
    assert session.exec(select(Proposal).where(Proposal.form_token == TOKEN)).first() is None


def test_submitting_needs_every_field(member) -> None:
    response = member.post(
        "/my/proposals/new",
        data=form(category="", background="", **{"suggestions-0": "", "suggestions-1": ""}, op="submit"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("请选择类别", "请填写案由", "请至少填写一条建议"):
        assert message in html
    assert fields(html)["title"] == "关于校园安全的建议"


def test_a_1mb_paste_gets_a_clear_message_and_is_kept(member, session: Session) -> None:
    huge = "小型微型企业发展" * (1_048_576 // 8)  # 1 Mi characters (3 MB of UTF-8)
    data = form(paste=huge, op="preview")
    response = member.post("/my/proposals/new", **multipart(data))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "粘贴的文字过长，无法拆分：1048576 个字，最多 100000 个字" in html
    values = fields(html)
    assert values["paste"] == huge
    assert values["title"] == data["title"] and rows(html) == [data["suggestions-0"], data["suggestions-1"]]
    # saving with that paste and no rows does not store it either
    saved = member.post(
        "/my/proposals/new", **multipart(form(paste=huge, **{"suggestions-0": "", "suggestions-1": ""}))
    )
    assert saved.status_code == 422 and "粘贴的文字过长" in saved.get_data(as_text=True)
    assert _proposals(session, data["title"]) == []


def test_more_than_the_server_accepts_is_a_clear_page_not_a_crash(member) -> None:
    body = b'--x\r\nContent-Disposition: form-data; name="paste"\r\n\r\n' + b"a" * (9 * 1024 * 1024)
    response = member.post("/my/proposals/new", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "内容过多" in response.get_data(as_text=True)


def test_control_characters_are_removed(member, session: Session) -> None:
    data = form(
        title="关于校园\x00安全的\x07建议",
        background="背景\x1b[0m说明。\r\n第二段\x0b。",
        **{"suggestions-0": "增设校医\x08岗位。内容\u2028续。", "suggestions-1": ""},
    )
    response = member.post("/my/proposals/new", data=data)
    assert response.status_code == 303
    proposal = _proposals(session, "关于校园安全的建议")[0]
    assert proposal.background == "背景[0m说明。\n第二段\n。"
    suggestions = session.exec(select(Suggestion).where(Suggestion.proposal_id == proposal.id)).all()
    assert [s.text for s in suggestions] == ["增设校医岗位。内容\n续。"]
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", proposal.original_text)


def test_pasting_the_seed_proposal_previews_five_editable_suggestions(member, session: Session) -> None:
    response = member.post(
        "/my/proposals/new", data=form(paste=SEED.read_text(encoding="utf-8"), op="preview")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "全文已拆分为 5 条建议" in html
    preview = rows(html)
    assert [r.split("。")[0] for r in preview] == [
        "设立专门的服务与管理机构",
        "实行分级服务与管理",
        "加大培训力度",
        "加强联系与沟通",
        "建立商业信息中心",
    ]
    values = fields(html)
    assert values["background"].startswith("提案内容、建议办法：") and values["leadin"] == "为此建议："
    assert _proposals(session, "关于校园安全的建议") == []  # a preview stores nothing
    # the member corrects one row, then submits
    values["suggestions-4"] = "建立商业信息中心。修改后的内容。"
    values["op"] = "submit"
    response = member.post("/my/proposals/new", data=values)
    assert response.status_code == 303
    proposal = _proposals(session, "关于校园安全的建议")[0]
    stored = session.exec(
        select(Suggestion).where(Suggestion.proposal_id == proposal.id).order_by(col(Suggestion.position))
    ).all()
    assert len(stored) == 5 and stored[4].text == "建立商业信息中心。修改后的内容。"
    assert proposal.status == "submitted"


def test_a_paste_without_numbers_becomes_one_suggestion_with_a_notice(member) -> None:
    text = "我区停车难问题突出，群众反映强烈。建议增加公共停车位，并推广错时共享停车。"
    html = member.post("/my/proposals/new", data=form(paste=text, op="preview")).get_data(as_text=True)
    assert "没有找到编号的建议列表" in html
    assert len(rows(html)) == 1 and "增加公共停车位" in rows(html)[0]


def test_a_paste_that_was_never_split_is_shown_split_before_storing(member, session: Session) -> None:
    data = form(
        paste=SEED.read_text(encoding="utf-8"), op="submit", **{"suggestions-0": "", "suggestions-1": ""}
    )
    response = member.post("/my/proposals/new", data=data)
    assert response.status_code == 422
    assert len(rows(response.get_data(as_text=True))) == 5
    assert _proposals(session, "关于校园安全的建议") == []


def test_rows_can_be_added_removed_and_reordered(member) -> None:
    html = member.post("/my/proposals/new", data=form(op="add")).get_data(as_text=True)
    assert rows(html) == ["增设校医岗位。学校应配备专职校医。", "加强食堂监管。定期抽检。", ""]
    html = member.post("/my/proposals/new", data=form(op="down:0")).get_data(as_text=True)
    assert rows(html) == ["加强食堂监管。定期抽检。", "增设校医岗位。学校应配备专职校医。"]
    html = member.post("/my/proposals/new", data=form(op="up:1")).get_data(as_text=True)
    assert rows(html) == ["加强食堂监管。定期抽检。", "增设校医岗位。学校应配备专职校医。"]
    html = member.post("/my/proposals/new", data=form(op="remove:0")).get_data(as_text=True)
    assert rows(html) == ["加强食堂监管。定期抽检。"]
    assert fields(html)["background"] == form()["background"]
    for nonsense in ("remove:99", "up:0", "bogus"):
        assert rows(member.post("/my/proposals/new", data=form(op=nonsense)).get_data(as_text=True)) == [
            "增设校医岗位。学校应配备专职校医。",
            "加强食堂监管。定期抽检。",
        ]


def test_a_double_submit_stores_one_proposal(member, session: Session) -> None:
    first = member.post("/my/proposals/new", data=form(op="submit"))
    second = member.post("/my/proposals/new", data=form(op="submit"))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_proposals(session, "关于校园安全的建议")) == 1
    assert "此表单已经提交过" in member.get(second.headers["Location"]).get_data(as_text=True)


def test_a_second_click_on_an_edited_draft_changes_nothing(member, session: Session) -> None:
    location = member.post("/my/proposals/new", data=form()).headers["Location"]
    pid = int(location.rsplit("/", 1)[1])
    edit = f"/my/proposals/{pid}/edit"
    assert fields(member.get(edit).get_data(as_text=True))["background"] == form()["background"]
    assert member.post(edit, data=form(op="submit")).status_code == 303
    again = member.post(edit, data=form(op="submit", title="改过的标题"))
    assert again.status_code == 303 and again.headers["Location"] == location
    assert "只有草稿可以修改" in member.get(location).get_data(as_text=True)
    assert session.get(Proposal, pid).title == "关于校园安全的建议"


def test_invited_cosigners_answer_and_the_page_shows_who_confirmed(
    app, client, login, session: Session, make
) -> None:
    yi = make.member(name="乙委员")
    make.user(username="yi", role="member", member_id=yi.id)
    session.commit()
    login(client, "member")
    location = client.post("/my/proposals/new", data=form(op="submit", cosigners="乙委员")).headers[
        "Location"
    ]
    pid = int(location.rsplit("/", 1)[1])
    assert "乙委员（未答复）" in client.get(location).get_data(as_text=True)
    other = app.test_client()
    login(other, "yi")
    page = other.get("/my").get_data(as_text=True)
    assert "关于校园安全的建议" in page and "同意联名" in page
    assert other.post(f"/my/invitations/{pid}/confirm").status_code == 303
    assert "乙委员（已确认）" in client.get(location).get_data(as_text=True)
    signer = session.get(ProposalSigner, (pid, yi.id))
    session.refresh(signer)
    assert signer.status == "confirmed"
    # stored in UTC like every other timestamp (SQLite drops the offset of a local time)
    answered = signer.responded_at.replace(tzinfo=signer.responded_at.tzinfo or UTC)
    assert abs(datetime.now(UTC) - answered) < timedelta(minutes=5)


def test_an_unknown_cosigner_is_named_in_the_message(member) -> None:
    html = member.post("/my/proposals/new", data=form(cosigners="无名氏")).get_data(as_text=True)
    assert "没有名为“无名氏”的委员" in html
    assert fields(html)["cosigners"] == "无名氏"


def test_withdraw_and_resubmit(member, session: Session) -> None:
    location = member.post("/my/proposals/new", data=form(op="submit")).headers["Location"]
    pid = int(location.rsplit("/", 1)[1])
    assert member.post(f"/my/proposals/{pid}/withdraw").status_code == 303
    assert session.get(Proposal, pid).status == "draft"
    assert member.post(f"/my/proposals/{pid}/submit").status_code == 303
    session.expire_all()
    assert session.get(Proposal, pid).status == "submitted"
    page = member.get(location).get_data(as_text=True)
    assert page.count("timeline-step") == 4  # created, submitted, withdrawn, submitted


def test_two_posts_of_one_form_at_the_same_moment_store_one_proposal(
    member, session: Session, monkeypatch
) -> None:
    """The second request does not see the first one's row when it checks, and meets the unique token."""
    from tracker.services import drafting

    first = member.post("/my/proposals/new", data=form(op="submit"))
    real = drafting.proposal_for_token
    calls = {"n": 0}

    def late(**kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(**kwargs)

    monkeypatch.setattr(drafting, "proposal_for_token", late)
    second = member.post("/my/proposals/new", data=form(op="submit"))
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert calls["n"] == 2
    assert len(_proposals(session, "关于校园安全的建议")) == 1


def test_the_form_has_a_field_for_every_field_of_the_draft_and_shows_a_saved_one_as_typed(
    member, session: Session
) -> None:
    """Draft is the one declaration of the form's fields: the web form gives each a widget, and a
    saved draft comes back in every one of them."""
    from tracker.domain.drafting import DRAFT_FIELDS
    from tracker.web.forms import ProposalForm

    assert all(hasattr(ProposalForm, name) for name in DRAFT_FIELDS)
    typed = form(closing="以上建议，请予采纳。", leadin="特建议如下：", cosigners="")
    location = member.post("/my/proposals/new", data=typed).headers["Location"]
    shown = fields(member.get(f"/my/proposals/{location.rsplit('/', 1)[1]}/edit").get_data(as_text=True))
    for name in ("title", "category", "background", "closing", "leadin", "cosigners"):
        assert shown[name] == typed[name], name
    assert rows(member.get(f"/my/proposals/{location.rsplit('/', 1)[1]}/edit").get_data(as_text=True)) == [
        typed["suggestions-0"],
        typed["suggestions-1"],
    ]


@pytest.mark.parametrize(
    ("overrides", "splits"),
    [
        ({"op": "preview", "paste": SEED.read_text(encoding="utf-8")}, 1),
        # pasted but never split: split once to show it, nothing stored
        (
            {
                "op": "submit",
                "paste": SEED.read_text(encoding="utf-8"),
                "suggestions-0": "",
                "suggestions-1": "",
            },
            1,
        ),
        ({"op": "save"}, 0),  # the rows are stored as composed: nothing to split
        ({"op": "submit", "paste": SEED.read_text(encoding="utf-8")}, 0),  # split before, rows kept
    ],
    ids=["preview", "unsplit-submit", "save", "submit"],
)
def test_a_proposal_form_post_splits_the_text_at_most_once(member, monkeypatch, overrides, splits) -> None:
    import sys

    from tracker.domain import splitting

    calls: list[str] = []
    real = splitting.split_proposal

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    for module in list(sys.modules.values()):
        if (module.__name__ or "").startswith("tracker") and getattr(module, "split_proposal", None) is real:
            monkeypatch.setattr(module, "split_proposal", counting)
    response = member.post("/my/proposals/new", data=form(**overrides))
    assert response.status_code in (200, 303, 422)
    assert len(calls) == splits
