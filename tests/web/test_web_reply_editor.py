"""The reply editor over HTTP: the standard form, the coverage check, pasting the seed letter (links
proposed 1→1 … 5→5, a corrected one saved as made by hand), and bad input: a reply submitted twice,
a reply to a proposal not assigned to the agency, editing after submit, a 200-page pasted letter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session, col, select

from tracker.models import PointLink, Proposal, Reply, ReplyDraft, ReplyPoint

SEED_REPLY = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "reply.txt"
ANSWERED = "已按建议办理。"


def _form(page, *, keep: tuple[str, ...] = ()) -> dict[str, str | list[str]]:
    """The values a browser would send for the editor form as shown (textareas, inputs, checked boxes)."""
    form = page.find_all("form", class_="reply-form")[0]
    data: dict[str, str | list[str]] = {}
    for el in form.iter():
        name = el.attrs.get("name")
        if not name or name == "op":
            continue
        if el.tag == "textarea":  # its text as written (a browser drops one leading newline)
            data[name] = "".join(c for c in el.children if isinstance(c, str)).removeprefix("\n")
        elif el.tag == "input" and el.attrs.get("type") in ("checkbox", "radio"):
            if "checked" in el.attrs:
                if el.attrs["type"] == "checkbox":
                    data.setdefault(name, []).append(el.attrs.get("value", ""))  # type: ignore[union-attr]
                else:
                    data[name] = el.attrs.get("value", "")
        elif el.tag == "input":
            data[name] = el.attrs.get("value", "")
        elif el.tag == "select":
            chosen = [o for o in el.find_all("option") if "selected" in o.attrs]
            data[name] = chosen[0].attrs.get("value", "") if chosen else ""
    return data


@pytest.fixture
def lead(client, login, assigned_case):
    login(client, "agency")
    return client


def _editor(client, parse_html, case, query: str = ""):
    response = client.get(f"/proposals/{case.proposal_id}/reply{query}")
    assert response.status_code == 200
    return parse_html(response.data)


def _answer_all(data, case, skip: int | None = None) -> None:
    for n, sid in enumerate(case.suggestion_ids):
        data[f"answer-{sid}"] = "" if n == skip else f"第{n + 1}条：{ANSWERED}"


def test_the_editor_shows_each_suggestion_beside_its_answer_field_and_the_standard_frame(
    lead, parse_html, assigned_case
) -> None:
    page = _editor(lead, parse_html, assigned_case)
    sections = page.find_all("li", class_="reply-section")
    assert len(sections) == 5
    first = sections[0]
    assert "设立专门的服务与管理机构" in first.find_all("div", class_="pair-suggestion")[0].text()
    assert first.find_all("textarea", name=f"answer-{assigned_case.suggestion_ids[0]}")
    data = _form(page)
    assert data["salutation"] == "戴培红委员"
    assert data["preamble"].startswith("您提出的关于加强小型微型企业分级服务与管理的建议")
    assert data["closing"].startswith("感谢您对我们工作的关心和支持")
    assert data["signature"] == "镇海区经信局"
    options = [label.text() for label in page.find_all("label", class_="outcome-option")]
    assert options == [
        "A 类——所提问题已经解决或基本解决，或建议已采纳",
        "B 类——所提问题正在解决或已列入计划",
        "C 类——因条件限制，留作参考",
    ]


def test_coverage_blocks_submit_names_the_suggestion_and_keeps_the_text(
    lead, parse_html, session: Session, assigned_case
) -> None:
    data = _form(_editor(lead, parse_html, assigned_case))
    _answer_all(data, assigned_case, skip=4)
    data["outcome"] = "A"
    response = lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "op": "submit"})
    assert response.status_code == 422
    page = parse_html(response.data)
    top = page.find_all("div", class_="form-errors")[0].text()
    assert "草稿已保存，但还不能提交" in top and "第5条建议尚未答复" in top
    fifth = page.by_id(f"section-{assigned_case.suggestion_ids[4]}")
    assert "第5条建议尚未答复" in fifth.text()
    assert _form(page)[f"answer-{assigned_case.suggestion_ids[0]}"] == f"第1条：{ANSWERED}"
    assert session.get(Proposal, assigned_case.proposal_id).status == "assigned"
    assert session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all() == []
    draft = session.exec(select(ReplyDraft)).one()
    assert draft.sections[0]["body"] == f"第1条：{ANSWERED}"  # the draft was saved


def test_a_reason_given_exempts_a_suggestion(lead, parse_html, session: Session, assigned_case) -> None:
    ids = assigned_case.suggestion_ids
    data = _form(_editor(lead, parse_html, assigned_case))
    _answer_all(data, assigned_case, skip=4)
    data |= {
        "outcome": "B",
        f"waiver-{ids[4]}": "together",
        f"with-{ids[4]}": str(ids[3]),
        f"reason-{ids[4]}": "与第四条一并答复",
    }
    response = lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "op": "submit"})
    assert response.status_code == 303
    session.expire_all()
    proposal = session.get(Proposal, assigned_case.proposal_id)
    assert proposal.status == "replied"
    page = parse_html(lead.get(f"/proposals/{proposal.id}").data)
    fifth = page.by_id("s5")
    assert "第4条：已按建议办理。" in fifth.text()  # the fourth point answers the fifth suggestion too
    assert "与第四条一并答复" in fifth.text()


def test_submit_then_the_proposal_page_shows_the_answers(
    lead, parse_html, session: Session, assigned_case
) -> None:
    data = _form(_editor(lead, parse_html, assigned_case))
    _answer_all(data, assigned_case)
    data["outcome"] = "A"
    data[f"point-outcome-{assigned_case.suggestion_ids[2]}"] = "C"
    response = lead.post(f"/proposals/{assigned_case.proposal_id}/reply", data={**data, "op": "submit"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{assigned_case.proposal_id}")
    page = parse_html(lead.get(response.headers["Location"]).data)
    assert "答复已提交" in page.find_all("div", class_="flashes")[0].text()
    for n in range(5):
        assert f"第{n + 1}条：{ANSWERED}" in page.by_id(f"s{n + 1}").text()
    reply = session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()
    letter = parse_html(lead.get(f"/replies/{reply.id}").data)
    assert "本条办复类别：C 类" in letter.by_id("r3").text()  # the class given to the third point
    assert "本条办复类别" not in letter.by_id("r1").text()


def test_a_reply_submitted_twice_is_stored_once_with_a_clear_message(
    lead, parse_html, session: Session, assigned_case
) -> None:
    data = _form(_editor(lead, parse_html, assigned_case))
    _answer_all(data, assigned_case)
    data["outcome"] = "A"
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    assert lead.post(url, data={**data, "op": "submit"}).status_code == 303
    again = lead.post(url, data={**data, "op": "submit"})  # the second click, same form
    assert again.status_code == 409
    assert "这份答复已经提交过，未重复提交" in parse_html(again.data).text()
    assert len(session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all()) == 1


def test_editing_after_submit_is_refused_and_the_typed_text_is_shown(
    lead, parse_html, session: Session, assigned_case
) -> None:
    data = _form(_editor(lead, parse_html, assigned_case))
    _answer_all(data, assigned_case)
    data["outcome"] = "A"
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    lead.post(url, data={**data, "op": "submit"})
    locked = _editor(lead, parse_html, assigned_case)
    assert "提交并锁定" in locked.text()
    assert not locked.find_all("button", value="submit")
    changed = {**_form(locked), f"answer-{assigned_case.suggestion_ids[0]}": "改过的答复", "op": "save"}
    response = lead.post(url, data=changed)
    assert response.status_code == 409
    page = parse_html(response.data)
    assert "提交并锁定" in page.find_all("div", class_="form-errors")[0].text()
    assert _form(page)[f"answer-{assigned_case.suggestion_ids[0]}"] == "改过的答复"  # nothing lost
    session.expire_all()
    reply = session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()
    assert "改过的答复" not in reply.original_text


def test_a_save_from_a_stale_page_does_not_overwrite(
    lead, parse_html, session: Session, assigned_case
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    first = _form(_editor(lead, parse_html, assigned_case))
    sid = assigned_case.suggestion_ids[0]
    assert lead.post(url, data={**first, f"answer-{sid}": "第一个人", "op": "save"}).status_code == 303
    response = lead.post(url, data={**first, f"answer-{sid}": "第二个人", "op": "save"})  # revision 0 again
    assert response.status_code == 409
    assert _form(parse_html(response.data))[f"answer-{sid}"] == "第二个人"
    session.expire_all()
    assert session.exec(select(ReplyDraft)).one().sections[0]["body"] == "第一个人"


def test_a_reply_to_a_proposal_not_assigned_to_the_agency(
    client, login, session: Session, assigned_case, make
) -> None:
    """Another agency cannot see it (404); the co-handling agency may not write the reply (403)."""
    other = make.agency(name="区水利局")
    make.user(username="shuili", role="agency", agency_id=other.id)
    session.commit()
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = {"op": "submit", "mode": "sections", "outcome": "A"}
    for sid in assigned_case.suggestion_ids:
        data[f"answer-{sid}"] = ANSWERED
    login(client, "shuili")
    assert client.get(url).status_code == 404
    assert client.post(url, data=data).status_code == 404
    login(client, "shangwu")  # the co-handling agency
    assert client.get(url).status_code == 403
    assert client.post(url, data=data).status_code == 403
    assert client.get(f"/proposals/{assigned_case.proposal_id}/opinion").status_code == 200
    assert session.exec(select(ReplyDraft)).all() == []
    assert session.get(Proposal, assigned_case.proposal_id).status == "assigned"


def test_pasting_the_seed_letter_proposes_one_to_one_links_and_a_correction_is_made_by_hand(
    lead, parse_html, session: Session, assigned_case
) -> None:
    ids = assigned_case.suggestion_ids
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    page = _editor(lead, parse_html, assigned_case, "?mode=pasted")
    data = _form(page) | {"pasted": SEED_REPLY.read_text(encoding="utf-8")}
    response = lead.post(url, data={**data, "op": "read"})
    assert response.status_code == 200
    page = parse_html(response.data)
    assert "答复函已识别，共 5 条" in page.find_all("div", class_="form-notices")[0].text()
    read = _form(page)
    proposed = {point: read.get(f"link-{point}") for point in range(5)}
    assert proposed == {n: [str(ids[n])] for n in range(5)}  # 1→1 … 5→5
    assert all("按标题对应" in li.text() for li in page.find_all("li", class_="pasted-point"))
    assert read["salutation"] == "戴培红委员" and read["signature"] == "镇海区经信局"
    # the drafter corrects point 5: it answers suggestion 4 as well as 5
    read["link-4"] = [str(ids[3]), str(ids[4])]
    read["outcome"] = "B"
    response = lead.post(url, data={**read, "op": "submit"})
    assert response.status_code == 303, parse_html(response.data).text()[:500]
    reply = session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()
    points = session.exec(
        select(ReplyPoint)
        .where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
        .order_by(col(ReplyPoint.position))
    ).all()
    links = {
        (ln.reply_point_id, ln.suggestion_id): ln.method
        for ln in session.exec(
            select(PointLink).where(col(PointLink.reply_point_id).in_([p.id for p in points]))
        )
    }
    assert {
        (points.index(next(p for p in points if p.id == pid)), ids.index(sid)): m
        for (pid, sid), m in links.items()
    } == {
        (0, 0): "title",
        (1, 1): "title",
        (2, 2): "title",
        (3, 3): "title",
        (4, 3): "manual",  # the correction, made by hand
        (4, 4): "title",
    }


@pytest.mark.parametrize(
    "head",
    ["关于区政协第2号提案的答复\n镇人社函〔2026〕31号", "镇人社函〔2026〕31号\n关于区政协第2号提案的答复"],
    ids=["title-then-number", "number-then-title"],
)
def test_a_pasted_letter_fills_the_title_without_its_doc_number_and_the_word_file_prints_it_once(
    lead, parse_html, session: Session, assigned_case, head: str
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    letter = SEED_REPLY.read_text(encoding="utf-8").replace("第2号提案的答复", head, 1)
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {"pasted": letter}
    read = _form(parse_html(lead.post(url, data={**data, "op": "read"}).data))
    assert (read["title"], read["doc_number"]) == ("关于区政协第2号提案的答复", "镇人社函〔2026〕31号")
    response = lead.post(url, data={**read, "outcome": "A", "op": "submit"})
    assert response.status_code == 303
    reply = session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()
    word = Document(io.BytesIO(lead.get(f"/replies/{reply.id}/letter.docx").data))
    printed = "\n".join(p.text for p in word.paragraphs)
    assert printed.count("镇人社函〔2026〕31号") == 1
    assert printed.count("关于区政协第2号提案的答复") == 1


def test_an_edited_letter_is_read_again_before_it_is_saved(
    lead, parse_html, session: Session, assigned_case
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {
        "pasted": SEED_REPLY.read_text(encoding="utf-8")
    }
    read = _form(parse_html(lead.post(url, data={**data, "op": "read"}).data))
    read["pasted"] = read["pasted"].replace("五、关于“商业信息中心”。", "")
    response = lead.post(url, data={**read, "op": "save"})
    assert response.status_code == 200
    assert "答复函在识别后有改动" in parse_html(response.data).text()
    # the edited letter is kept (issue 11, item 14), with the links proposed for it as it now reads,
    # for the drafter to check again
    session.expire_all()
    draft = session.exec(select(ReplyDraft)).one()
    assert (
        draft.pasted_text.startswith("第2号提案的答复")
        and "五、关于“商业信息中心”。" not in draft.pasted_text
    )
    assert {link["point"] for link in draft.links} == {0, 1, 2, 3}


def test_a_read_letter_is_kept_as_the_draft(
    lead, parse_html, get_page, session: Session, assigned_case
) -> None:
    """Reading a pasted letter saves it with its proposed links: leaving the page loses nothing."""
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {
        "pasted": SEED_REPLY.read_text(encoding="utf-8")
    }
    response = lead.post(url, data={**data, "op": "read"})
    assert response.status_code == 200
    assert "已保存为草稿" in parse_html(response.data).text()
    session.expire_all()
    draft = session.exec(select(ReplyDraft)).one()
    assert (draft.mode, draft.revision) == ("pasted", 1)
    assert draft.pasted_text.startswith("第2号提案的答复") and len(draft.links) >= 5
    # coming back shows it, with the ticks the linker proposed
    again = lead.get(url)
    page = parse_html(again.data)
    assert _form(page)["pasted"].startswith("第2号提案的答复")
    assert len(page.find_all("li", class_="pasted-point")) == 5
    assert _form(page)["revision"] == "1"


def test_a_200_page_pasted_letter_gets_a_clear_message_and_keeps_the_text(
    lead, parse_html, session: Session, assigned_case
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    saved = _form(_editor(lead, parse_html, assigned_case))
    saved[f"answer-{assigned_case.suggestion_ids[0]}"] = "已保存的答复"
    assert lead.post(url, data={**saved, "op": "save"}).status_code == 303
    page_of_text = "我区持续推进相关工作，取得明显成效。" * 40 + "\n"  # about one printed page
    letter = SEED_REPLY.read_text(encoding="utf-8").replace("下步，", page_of_text * 200 + "下步，")
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {"pasted": letter}
    for op in ("read", "save", "submit"):
        response = lead.post(url, data={**data, "op": op})
        assert response.status_code == 422, op
        page = parse_html(response.data)
        assert "答复函最多 100000 字" in page.text()
        assert "未作保存；您粘贴的内容仍在下面的文本框中" in page.text()
        assert _form(page)["pasted"].startswith("第2号提案的答复")
        assert len(_form(page)["pasted"]) > 100_000
    session.expire_all()
    draft = session.exec(select(ReplyDraft)).one()
    assert (draft.mode, draft.sections[0]["body"], draft.revision) == ("sections", "已保存的答复", 1)


def test_the_lead_agency_sees_the_co_handling_opinion(client, login, parse_html, assigned_case) -> None:
    login(client, "shangwu")
    url = f"/proposals/{assigned_case.proposal_id}/opinion"
    assert client.post(url, data={"op": "save", "text": "草稿"}).status_code == 303
    response = client.post(url, data={"op": "submit", "text": "商务局将支持电商平台建设。"})
    assert response.status_code == 303
    again = client.post(url, data={"op": "submit", "text": "改了"})
    assert again.status_code == 409
    assert "改了" in parse_html(again.data).by_id("opinion-text").text()  # shown, not stored
    login(client, "agency")
    page = parse_html(client.get(f"/proposals/{assigned_case.proposal_id}/reply").data)
    opinions = page.find_all("section", class_="co-opinions")[0].text()
    assert "镇海区商务局" in opinions and "商务局将支持电商平台建设。" in opinions and "改了" not in opinions


@pytest.fixture
def reads(monkeypatch) -> dict[str, int]:
    """How often a request parses a letter and links its points: every module that looked the
    parser or the linker up by name gets a counting wrapper in its place."""
    import sys

    from tracker.domain import linking, replies

    counts = {"parse_reply": 0, "link": 0}

    def counting(name: str, real):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return real(*args, **kwargs)

        return wrapper

    for name, real in (("parse_reply", replies.parse_reply), ("link", linking.link)):
        wrapper = counting(name, real)
        for module in list(sys.modules.values()):
            if (module.__name__ or "").startswith("tracker") and getattr(module, name, None) is real:
                monkeypatch.setattr(module, name, wrapper)
    return counts


@pytest.mark.parametrize(
    ("op", "change", "status"),
    [
        ("save", {}, 303),
        ("submit", {"outcome": "A"}, 303),
        ("submit", {}, 422),  # saved, not submitted: no outcome class chosen
        ("save", {"edited": True}, 200),  # changed since it was read: read again, and kept
    ],
    ids=["save", "submit", "submit-refused", "edited"],
)
def test_a_pasted_letter_is_parsed_and_linked_once_per_request(
    lead, parse_html, session: Session, assigned_case, reads, op, change, status
) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {
        "pasted": SEED_REPLY.read_text(encoding="utf-8")
    }
    read = _form(parse_html(lead.post(url, data={**data, "op": "read"}).data))
    if change.pop("edited", False):
        read["pasted"] = read["pasted"].replace("五、关于“商业信息中心”。", "")
    reads.update(parse_reply=0, link=0)
    response = lead.post(url, data={**read, **change, "op": op})
    assert response.status_code == status
    assert reads == {"parse_reply": 1, "link": 1}
    session.expire_all()
    draft = session.exec(select(ReplyDraft)).one()
    assert len(draft.links) >= 4  # what was read once is what was saved
    if status == 303 and op == "submit":
        assert session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).one()


def test_reading_a_pasted_letter_parses_and_links_it_once(lead, parse_html, assigned_case, reads) -> None:
    url = f"/proposals/{assigned_case.proposal_id}/reply"
    data = _form(_editor(lead, parse_html, assigned_case, "?mode=pasted")) | {
        "pasted": SEED_REPLY.read_text(encoding="utf-8")
    }
    reads.update(parse_reply=0, link=0)
    assert lead.post(url, data={**data, "op": "read"}).status_code == 200
    assert reads == {"parse_reply": 1, "link": 1}
