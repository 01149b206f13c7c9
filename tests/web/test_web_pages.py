"""The pages after the workflow moved on (issue 11): a redone reply (the letter in force first, the
superseded one kept as history), merged and not-accepted proposals, the agency inbox's states, the
staff review page's order of actions, and the timeline's names and events."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlmodel import Session, select

from tracker.domain.drafting import Draft
from tracker.models import Meeting, Proposal, ProposalSigner, Reply
from tracker.services import co_opinions, drafting, replying, workflow
from tracker.services.errors import LockedError
from tracker.services.proposals import counts
from tracker.services.visibility import Role, Viewer

NOW = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)


def _submit_reply(session: Session, case, text: str, outcome: str = "A") -> Reply:
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    for n, section in enumerate(state.content.sections, start=1):
        section.body = f"{text}（第{n}条）"
    state.content.outcome = outcome
    result = replying.submit(
        session=session,
        proposal_id=case.proposal_id,
        actor=case.lead,
        content=state.content,
        revision=state.revision,
        now=NOW,
    )
    assert result.reply is not None, result.problems
    session.commit()
    return result.reply


def _redo(client, login, session: Session, case) -> tuple[Reply, Reply]:
    """不满意 → 重新办理 → a new reply; returns (first, second)."""
    first = _submit_reply(session, case, "第一次答复")
    pid = case.proposal_id
    login(client, "member")
    client.post(f"/proposals/{pid}/rating", data={"rating": "dissatisfied", "comment": "没有回应融资问题"})
    login(client, "staff")
    assert (
        client.post(f"/review/{pid}/reopen", data={"note": "请重新办理", "deadline": ""}).status_code == 303
    )
    session.expire_all()
    second = _submit_reply(session, case, "重新办理后的答复", outcome="B")
    return first, second


# -- item 8: the letter in force first ------------------------------------------------------------------


def test_after_a_redone_reply_the_letter_in_force_comes_first(
    client, login, get_page, session: Session, assigned_case
) -> None:
    first, second = _redo(client, login, session, assigned_case)
    pid = assigned_case.proposal_id
    login(client, "member")
    page = get_page(f"/proposals/{pid}")
    letters = page.find_all("ul", class_="reply-links")[0].find_all("li")
    assert [li.find_all("a")[0].attrs["href"] for li in letters] == [
        f"/replies/{second.id}",
        f"/replies/{first.id}",
    ]
    assert "现行有效" in letters[0].text() and "已被重新办理的答复取代" in letters[1].text()
    pair = page.by_id("s1")
    answers = pair.find_all("div", class_="pair-answers")[0]
    # the answer in force is shown directly and first; the superseded one is collapsed history
    shown = [
        a
        for a in answers.find_all("div", class_="answer")
        if not any(d.contains(a) for d in answers.find_all("details"))
    ]
    assert [a.text() for a in shown] and "重新办理后的答复（第1条）" in shown[0].text()
    assert "第一次答复" not in " ".join(a.text() for a in shown)
    history = answers.find_all("details", class_="earlier-answers")
    assert len(history) == 1 and "第一次答复（第1条）" in history[0].text()
    assert "已被重新办理的答复取代" in history[0].text() and "2025年" in history[0].text()
    # the plain anchors (#r1 …) belong to the letter in force
    assert "重新办理后的答复（第1条）" in page.by_id("r1").text()
    # the superseded letter itself points to the one in force
    old = get_page(f"/replies/{first.id}")
    link = old.find_all("p", class_="notice")[0].find_all("a")[0]
    assert link.attrs["href"] == f"/replies/{second.id}"


def test_counts_count_letters_in_force_only(client, login, session: Session, assigned_case) -> None:
    staff = Viewer(Role.STAFF)
    before = counts(session=session, viewer=staff)["replies"]
    _redo(client, login, session, assigned_case)
    assert counts(session=session, viewer=staff)["replies"] == before + 1  # two letters, one in force
    assert len(session.exec(select(Reply).where(Reply.proposal_id == assigned_case.proposal_id)).all()) == 2


# -- item 12: merged and not accepted are not "unanswered" ----------------------------------------------


def _submitted(session: Session, case, *titles: str) -> list[int]:
    """Proposals of the demo member with two suggestions each, submitted."""
    ids = []
    for title in titles:
        saved = drafting.create(
            session=session,
            author=case.member,
            draft=Draft(
                title=title, category="其他", background="背景。", suggestions=["建议一。", "建议二。"]
            ),
            form_token=uuid4().hex,
            submit=True,
            categories=["其他"],
            today=NOW.date(),
        )
        ids.append(saved.proposal.id)
    session.commit()
    return ids


def test_merged_and_not_accepted_proposals_say_what_happened(
    client, login, get_page, session: Session, assigned_case
) -> None:
    target, merged, refused = _submitted(
        session, assigned_case, "关于交通的建议", "关于停车的建议", "关于养老的建议"
    )
    staff = assigned_case.staff
    meeting = session.exec(select(Meeting)).first()
    workflow.merge(
        session=session,
        target_id=target,
        source_ids=[merged],
        actor=staff,
        today=NOW.date(),
        meeting_id=meeting.id,
    )
    workflow.not_accept(session=session, proposal_id=refused, actor=staff, reason="属于信访事项，转有关部门")
    session.commit()
    number = session.get(Proposal, target).number
    assert number is not None
    login(client, "member")
    page = get_page(f"/proposals/{merged}")
    for anchor in ("s1", "s2"):
        pair = page.by_id(anchor)
        assert "未答复" not in pair.text()
        assert f"已并入第{number}号提案，随该提案一并办理答复" in pair.text()  # 第N号, as every 案号
        assert f"/proposals/{target}" in [a.attrs["href"] for a in pair.find_all("a")]
    assert "未答复" not in page.text() and "尚未收到答复" not in page.text()
    page = get_page(f"/proposals/{refused}")
    for anchor in ("s1", "s2"):
        text = page.by_id(anchor).text()
        assert "未答复" not in text
        assert "不予立案" in text and "理由：属于信访事项，转有关部门" in text
    assert "未答复" not in page.text() and "尚未收到答复" not in page.text()


# -- item 15: the agency inbox shows where each row stands ----------------------------------------------


def _inbox_row(get_page, title: str):
    rows = [li for li in get_page("/inbox").find_all("li", class_="proposal-item") if title in li.text()]
    assert len(rows) == 1
    return rows[0]


def test_inbox_shows_send_back_and_re_handling_and_offers_no_return_after_a_reply(
    client, login, get_page, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    title = session.get(Proposal, pid).title
    login(client, "agency")
    row = _inbox_row(get_page, title)
    assert "新交办" in row.text() and row.find_all("details", class_="return-box")  # fresh: may return
    first = _submit_reply(session, assigned_case, "第一次答复")
    login(client, "staff")
    client.post(f"/review/{pid}/send-back", data={"note": "第三条请补充资金数据"})
    login(client, "agency")
    row = _inbox_row(get_page, title)
    assert "退回修改" in row.text() and "第三条请补充资金数据" in row.text()
    assert "新交办" not in row.text() and not row.find_all("details", class_="return-box")
    # the server refuses a return too, and nothing changes
    response = client.post(f"/inbox/{pid}/return", data={"note": "不属本单位职责"})
    assert response.status_code == 409
    assert "不能再退回交办" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Proposal, pid).status == "assigned"
    assert session.get(Reply, first.id).status == "returned"
    # submitted again, rated 不满意, reopened: the inbox says so, with the office's note
    _submit_reply(session, assigned_case, "修改后的答复")
    login(client, "member")
    client.post(f"/proposals/{pid}/rating", data={"rating": "dissatisfied", "comment": "未回应"})
    login(client, "staff")
    client.post(f"/review/{pid}/reopen", data={"note": "请就融资问题重新办理", "deadline": ""})
    login(client, "agency")
    row = _inbox_row(get_page, title)
    assert "重新办理" in row.text() and "请就融资问题重新办理" in row.text()
    assert not row.find_all("details", class_="return-box")
    assert client.post(f"/inbox/{pid}/return", data={"note": "不属本单位职责"}).status_code == 409
    session.expire_all()
    assert session.get(Proposal, pid).status == "assigned"


def test_the_return_service_refuses_after_a_reply(session: Session, assigned_case) -> None:
    _submit_reply(session, assigned_case, "答复")
    workflow.send_back(
        session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.staff, note="改"
    )
    session.commit()
    with pytest.raises(LockedError):
        workflow.return_assignment(
            session=session, proposal_id=assigned_case.proposal_id, actor=assigned_case.lead, reason="不属于"
        )


# -- item 16: the review page's actions in the order of the work ----------------------------------------


def test_close_comes_after_the_reply_review_and_asks_before_the_rating(
    client, login, get_page, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    _submit_reply(session, assigned_case, "答复")
    login(client, "staff")
    page = get_page(f"/review/{pid}")
    forms = [f.attrs["action"] for f in page.find_all("form")]
    close_at = forms.index(f"/review/{pid}/close")
    assert close_at > forms.index(f"/review/{pid}/send-back")
    assert close_at > forms.index(f"/review/{pid}/publish")
    close = page.by_id("close")
    button = close.find_all("button")[0]
    assert "primary" not in button.attrs.get("class", "")  # not the obvious next step yet
    assert close.find_all("input", type="checkbox", name="confirm")
    # without the confirmation the server refuses and nothing changes
    response = client.post(f"/review/{pid}/close", data={"note": ""}, follow_redirects=True)
    assert "尚无委员评价答复" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Proposal, pid).status == "replied"
    # once the member rated it 满意 it is the normal next step
    login(client, "member")
    client.post(f"/proposals/{pid}/rating", data={"rating": "satisfied"})
    login(client, "staff")
    close = get_page(f"/review/{pid}").by_id("close")
    assert "primary" in close.find_all("button")[0].attrs.get("class", "")
    assert not close.find_all("input", type="checkbox")
    assert client.post(f"/review/{pid}/close", data={"note": ""}).status_code == 303
    session.expire_all()
    assert session.get(Proposal, pid).status == "closed"


def test_close_before_the_rating_with_the_confirmation(
    client, login, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    _submit_reply(session, assigned_case, "答复")
    login(client, "staff")
    assert client.post(f"/review/{pid}/close", data={"note": "", "confirm": "yes"}).status_code == 303
    session.expire_all()
    assert session.get(Proposal, pid).status == "closed"


# -- item 17: the timeline names each action and shows the events kept elsewhere ----------------------


def test_timeline_names_return_and_send_back_apart_and_shows_ratings_opinions_and_cosigners(
    client, login, get_page, session: Session, assigned_case, make
) -> None:
    pid = assigned_case.proposal_id
    # co-signers' answers are rows of their own (the invitation closes once staff act, so they are
    # stored here as the member's page stores them)
    for name, status in (("联名委员", "confirmed"), ("谢绝委员", "declined")):
        member = make.member(name=name)
        session.add(
            ProposalSigner(
                proposal_id=pid,
                member_id=member.id,
                role="cosigner",
                status=status,
                responded_at=datetime.now(UTC),
            )
        )
    session.commit()
    co_opinions.save_opinion(
        session=session,
        proposal_id=pid,
        actor=assigned_case.co,
        text="商务局意见：同意。",
        submit=True,
        now=datetime.now(UTC),
    )
    session.commit()
    _submit_reply(session, assigned_case, "答复")
    login(client, "staff")
    client.post(f"/review/{pid}/send-back", data={"note": "请补充"})
    _submit_reply(session, assigned_case, "改后的答复")
    login(client, "member")
    client.post(f"/proposals/{pid}/rating", data={"rating": "basically_satisfied"})

    login(client, "staff")
    steps = get_page(f"/proposals/{pid}").find_all("ol", class_="timeline")[0].find_all("li")
    heads = [s.find_all("strong")[0].text() for s in steps]
    assert "退回修改" in heads
    assert "退回" not in heads  # no bare 退回 that could be either
    assert "确认联名" in heads and "谢绝联名" in heads and "提交会办意见" in heads
    rated = [s for s in steps if s.find_all("strong")[0].text() == "评价答复"]
    assert len(rated) == 1 and "基本满意" in rated[0].text() and "戴培红" in rated[0].text()
    confirmed = next(s for s in steps if s.find_all("strong")[0].text() == "确认联名")
    assert "联名委员" in confirmed.text()
    opinion = next(s for s in steps if s.find_all("strong")[0].text() == "提交会办意见")
    assert "镇海区商务局" in opinion.text() and "同意" not in opinion.text()  # the text stays on its page
    # in time order: the opinion was sent before the reply, the rating came last
    assert heads.index("提交会办意见") < heads.index("退回修改") < heads.index("评价答复")


def test_timeline_names_the_agency_return_of_an_assignment(
    client, login, get_page, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    login(client, "agency")
    assert client.post(f"/inbox/{pid}/return", data={"note": "不属本单位职责"}).status_code == 303
    login(client, "staff")
    steps = get_page(f"/proposals/{pid}").find_all("ol", class_="timeline")[0].find_all("li")
    heads = [s.find_all("strong")[0].text() for s in steps]
    assert heads[-1] == "退回交办" and "退回修改" not in heads
