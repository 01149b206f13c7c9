"""The pages after the workflow moved on (issue 11): a redone reply (the letter in force first, the
superseded one kept as history), merged and not-accepted proposals, the agency inbox's states, the
staff review page's order of actions, and the timeline's names and events."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlmodel import Session, select

from tracker.domain.drafting import Draft
from tracker.models import Meeting, Proposal, Reply
from tracker.services import drafting, replying, workflow
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
        assert f"已并入第 {number} 号提案，随该提案一并办理答复" in pair.text()
        assert f"/proposals/{target}" in [a.attrs["href"] for a in pair.find_all("a")]
    assert "未答复" not in page.text() and "尚未收到答复" not in page.text()
    page = get_page(f"/proposals/{refused}")
    for anchor in ("s1", "s2"):
        text = page.by_id(anchor).text()
        assert "未答复" not in text
        assert "不予立案" in text and "理由：属于信访事项，转有关部门" in text
    assert "未答复" not in page.text() and "尚未收到答复" not in page.text()
