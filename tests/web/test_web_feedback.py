"""Members' ratings, re-handling after 不满意 (the first reply kept and shown), and publication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from tracker.models import Proposal, ProposalSigner, Reply, ReplyRating, User
from tracker.services import replying
from tracker.services.visibility import Role, Viewer

NOW = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)


def _model(session: Session) -> Proposal:
    return session.exec(select(Proposal).where(Proposal.number == 2)).one()


def _submit_reply(session: Session, case, text: str, outcome: str = "A") -> Reply:
    state = replying.editor(session=session, proposal_id=case.proposal_id, actor=case.lead, today=NOW.date())
    for section in state.content.sections:
        section.body = f"{text}（第{state.content.sections.index(section) + 1}条）"
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


def test_the_proposer_rates_the_reply_and_may_change_the_rating(
    client, login, get_page, session: Session
) -> None:
    proposal = _model(session)
    login(client, "member")
    page = get_page(f"/proposals/{proposal.id}")
    form = page.find_all("form", class_="rating-form")[0]
    assert [i.attrs["value"] for i in form.find_all("input", type="radio")] == [
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
    ]
    response = client.post(
        f"/proposals/{proposal.id}/rating", data={"rating": "basically_satisfied", "comment": "基本解决"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#feedback")
    client.post(f"/proposals/{proposal.id}/rating", data={"rating": "satisfied", "comment": ""})
    rows = session.exec(select(ReplyRating)).all()
    assert [(r.rating, r.comment) for r in rows] == [("satisfied", "")]
    assert "您的评价：满意" in get_page(f"/proposals/{proposal.id}").by_id("feedback").text()


def test_a_bad_rating_is_refused_with_a_message(client, login, get_page, session: Session) -> None:
    proposal = _model(session)
    login(client, "member")
    response = client.post(
        f"/proposals/{proposal.id}/rating", data={"rating": "excellent"}, follow_redirects=True
    )
    assert "请选择满意、基本满意或不满意" in response.get_data(as_text=True)
    assert session.exec(select(ReplyRating)).all() == []


@pytest.mark.parametrize(("status", "expected"), [("confirmed", 303), ("pending", 403), ("declined", 403)])
def test_a_co_signer_rates_only_once_confirmed(
    client, login, session: Session, make, status: str, expected: int
) -> None:
    proposal = _model(session)
    member = make.member(name="联名委员")
    make.user(username="lianming", role="member", member_id=member.id)
    session.add(ProposalSigner(proposal_id=proposal.id, member_id=member.id, role="cosigner", status=status))
    session.commit()
    login(client, "lianming")
    response = client.post(f"/proposals/{proposal.id}/rating", data={"rating": "satisfied"})
    assert response.status_code == expected
    assert len(session.exec(select(ReplyRating)).all()) == (1 if expected == 303 else 0)


def test_a_member_who_did_not_sign_cannot_rate(client, login, session: Session, make) -> None:
    proposal = _model(session)  # published: every member can see it
    member = make.member(name="旁观委员")
    make.user(username="pangguan", role="member", member_id=member.id)
    session.commit()
    login(client, "pangguan")
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "rating-form" not in page
    assert client.post(f"/proposals/{proposal.id}/rating", data={"rating": "dissatisfied"}).status_code == 403
    assert session.exec(select(ReplyRating)).all() == []


def test_dissatisfied_lets_staff_reopen_and_the_page_shows_both_replies(
    client, login, get_page, session: Session, assigned_case
) -> None:
    first = _submit_reply(session, assigned_case, "第一次答复")
    pid = assigned_case.proposal_id
    login(client, "staff")
    assert "重新办理" not in get_page(f"/review/{pid}").by_id("reply-review").text()  # nobody is dissatisfied
    login(client, "member")
    client.post(f"/proposals/{pid}/rating", data={"rating": "dissatisfied", "comment": "没有回应融资问题"})
    login(client, "staff")
    review = get_page(f"/review/{pid}").by_id("reply-review")
    assert "不满意" in review.text() and "没有回应融资问题" in review.text()
    response = client.post(f"/review/{pid}/reopen", data={"note": "请就融资问题重新办理", "deadline": ""})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Proposal, pid).status == "assigned"
    assert session.get(Reply, first.id).status == "superseded"
    # the lead agency answers again, starting from its first text
    lead_user = session.exec(select(User).where(User.username == "agency")).one()
    editor = replying.editor(
        session=session,
        proposal_id=pid,
        actor=Viewer(Role.AGENCY, agency_id=lead_user.agency_id, user_id=lead_user.id),
        today=NOW.date(),
    )
    assert editor.reopened.note == "请就融资问题重新办理"
    assert editor.content.sections[0].body == "第一次答复（第1条）"
    second = _submit_reply(session, assigned_case, "重新办理后的答复", outcome="B")
    login(client, "member")
    page = get_page(f"/proposals/{pid}")
    letters = page.find_all("ul", class_="reply-links")[0].text()
    assert "已被重新办理的答复取代" in letters  # the first reply, kept
    first_pair = page.by_id("s1").text()
    assert "第一次答复（第1条）" in first_pair and "重新办理后的答复（第1条）" in first_pair
    assert client.get(f"/replies/{first.id}").status_code == 200
    assert client.get(f"/replies/{second.id}").status_code == 200
    timeline = page.find_all("ol", class_="timeline")[0].text()
    assert "交重新办理" in timeline and "请就融资问题重新办理" in timeline


def test_staff_send_a_reply_back_and_change_its_class(
    client, login, get_page, session: Session, assigned_case
) -> None:
    reply = _submit_reply(session, assigned_case, "答复", outcome="B")
    pid = assigned_case.proposal_id
    login(client, "staff")
    client.post(f"/review/{pid}/reclassify", data={"outcome": "A", "note": "已全部落实"})
    session.expire_all()
    assert session.get(Reply, reply.id).outcome == "A"
    client.post(f"/review/{pid}/send-back", data={"note": "第三条请补充资金数据"})
    session.expire_all()
    assert session.get(Reply, reply.id).status == "returned"
    assert session.get(Proposal, pid).status == "assigned"
    login(client, "member")
    assert client.get(f"/replies/{reply.id}").status_code == 404  # sent back: not the member's to read
    login(client, "agency")
    page = get_page(f"/proposals/{pid}/reply")
    assert "第三条请补充资金数据" in page.find_all("div", class_="notice-warn")[0].text()
    assert client.get(f"/replies/{reply.id}").status_code == 200


def test_staff_publish_and_withhold(client, login, get_page, session: Session, assigned_case) -> None:
    pid = assigned_case.proposal_id
    assert client.get(f"/proposals/{pid}").status_code == 404  # not public yet
    login(client, "staff")
    response = client.post(f"/review/{pid}/publish", follow_redirects=True)
    assert "只有已答复的提案才能连同答复公开" in response.get_data(as_text=True)  # no reply yet
    _submit_reply(session, assigned_case, "已办理")
    client.post(f"/review/{pid}/publish")
    client.post("/logout")
    page = get_page(f"/proposals/{pid}")
    assert "已办理（第5条）" in page.by_id("s5").text()
    login(client, "staff")
    response = client.post(f"/review/{pid}/withhold", data={"note": ""}, follow_redirects=True)
    assert "请填写“不予公开”的理由。" in response.get_data(as_text=True)
    client.post(f"/review/{pid}/withhold", data={"note": "涉及企业商业信息"})
    assert "暂不公开：涉及企业商业信息" in get_page(f"/proposals/{pid}").text()
    client.post("/logout")
    assert client.get(f"/proposals/{pid}").status_code == 404
    session.expire_all()
    assert session.get(Proposal, pid).published_at is None
