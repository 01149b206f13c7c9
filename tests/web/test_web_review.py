"""Staff and agency pages: the queue with counts, deciding on the review screen, bulk assignment,
the overdue list, the inbox and returning an assignment; the timeline on the proposal page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from tracker.domain.drafting import Draft
from tracker.models import Agency, Assignment, Meeting, Proposal, User
from tracker.services import drafting, workflow
from tracker.services.visibility import Role, Viewer

TODAY = date(2025, 3, 10)


@pytest.fixture
def submitted(session: Session) -> list[int]:
    """Three proposals submitted by the demo member."""
    user = session.exec(select(User).where(User.username == "member")).one()
    author = Viewer(Role.MEMBER, member_id=user.member_id, user_id=user.id)
    ids = []
    for i, title in enumerate(("关于停车的建议", "关于养老的建议", "关于绿化的建议")):
        draft = Draft(title=title, category="其他", background="背景。", suggestions=["建议一。内容。"])
        saved = drafting.create(
            session=session,
            author=author,
            draft=draft,
            form_token=f"{i:032x}",
            submit=True,
            categories=["其他"],
            today=TODAY,
        )
        ids.append(saved.proposal.id)
    session.commit()
    return ids


def _agency_id(session: Session, name: str) -> int:
    return session.exec(select(Agency).where(Agency.name == name)).one().id


def _meeting_id(session: Session) -> int:
    return session.exec(select(Meeting)).first().id


def test_queue_shows_counts_per_state(client, login, submitted) -> None:
    login(client, "staff")
    html = client.get("/review").get_data(as_text=True)
    tabs = dict(re.findall(r'status=(\w+)"[^>]*>\s*[^<]+<span class="count">(\d+)</span>', html))
    assert tabs["submitted"] == "3" and tabs["replied"] == "1"  # the seeded model case has been replied to
    for title in ("关于停车的建议", "关于养老的建议", "关于绿化的建议"):
        assert title in html


def test_accept_assign_and_the_timeline(client, login, session: Session, submitted) -> None:
    pid = submitted[0]
    login(client, "staff")
    review = client.get(f"/review/{pid}").get_data(as_text=True)
    assert "立案（编排案号）" in review and "不予立案，转为意见建议" in review
    response = client.post(f"/review/{pid}/accept", data={"meeting": str(_meeting_id(session))})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "提案已立案并编排案号" in page and "第3号提案" in page  # the seeded session already holds No. 2
    lead, co = _agency_id(session, "镇海区经信局"), _agency_id(session, "镇海区商务局")
    client.post(
        f"/review/{pid}/assign",
        data={"lead": lead, "co": [co], "deadline": "2031-01-31", "note": "请认真办理"},
    )
    detail = client.get(f"/proposals/{pid}").get_data(as_text=True)
    timeline = detail[detail.index('id="timeline-heading"') :]
    assert [a for a in re.findall(r"<strong>([^<]+)</strong>", timeline)] == ["起草", "提交", "立案", "交办"]
    assert (
        "主办：镇海区经信局" in timeline
        and "协办：镇海区商务局" in timeline
        and "办理期限：2031年1月31日" in timeline  # the glossary's date, not ISO
    )
    assert "请认真办理" in timeline and "提案委员会办公室" in timeline
    assert "2031年1月31日" in detail  # the deadline among the proposal's facts


def test_an_illegal_step_is_refused_with_a_clear_message(client, login, submitted) -> None:
    login(client, "staff")
    client.post(f"/review/{submitted[0]}/not-accept", data={"note": "属于工作建议"})
    response = client.post(f"/review/{submitted[0]}/accept")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "处于“不予立案”状态的提案不能执行“立案”" in page
    assert "属于工作建议" in page  # the reason is on the timeline


def test_not_accepting_needs_a_reason(client, login, session: Session, submitted) -> None:
    login(client, "staff")
    page = client.get(
        client.post(f"/review/{submitted[0]}/not-accept", data={"note": ""}).headers["Location"]
    )
    assert "请填写“不予立案”的理由" in page.get_data(as_text=True)
    assert session.get(Proposal, submitted[0]).status == "submitted"


def test_merge_from_the_review_screen(client, login, session: Session, submitted) -> None:
    login(client, "staff")
    target, *sources = submitted
    client.post(
        f"/review/{target}/merge",
        data={"sources": [str(s) for s in sources], "meeting": str(_meeting_id(session))},
    )
    session.expire_all()
    assert session.get(Proposal, target).status == "accepted"
    assert [session.get(Proposal, s).merged_into_id for s in sources] == [target, target]
    page = client.get(f"/proposals/{target}").get_data(as_text=True)
    assert "并入本提案的提案" in page and "关于养老的建议" in page


def test_bulk_assign_from_the_queue(client, login, session: Session, submitted) -> None:
    staff = Viewer(Role.STAFF)
    for pid in submitted:
        workflow.accept(
            session=session, proposal_id=pid, actor=staff, today=TODAY, meeting_id=_meeting_id(session)
        )
    session.commit()
    login(client, "staff")
    queue = client.get("/review?status=accepted").get_data(as_text=True)
    assert queue.count('name="proposals"') == 3 and "交办选中的提案" in queue
    lead = _agency_id(session, "镇海区经信局")
    response = client.post(
        "/review/assign", data={"proposals": [str(p) for p in submitted[:2]], "lead": str(lead)}
    )
    assert response.headers["Location"] == "/review?status=accepted"
    session.expire_all()
    assert [session.get(Proposal, p).status for p in submitted] == ["assigned", "assigned", "accepted"]


def test_a_bad_deadline_is_refused_not_replaced(client, login, session: Session, submitted) -> None:
    workflow.accept(
        session=session,
        proposal_id=submitted[0],
        actor=Viewer(Role.STAFF),
        today=TODAY,
        meeting_id=_meeting_id(session),
    )
    session.commit()
    login(client, "staff")
    lead = _agency_id(session, "镇海区经信局")
    response = client.post(
        f"/review/{submitted[0]}/assign", data={"lead": str(lead), "deadline": "next month"}
    )
    assert "请按日期格式填写办理期限" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert session.get(Proposal, submitted[0]).status == "accepted"


def test_overdue_page_lists_the_longest_overdue_first(client, login, session: Session, submitted) -> None:
    staff = Viewer(Role.STAFF)
    lead = _agency_id(session, "镇海区经信局")
    for pid in submitted:
        workflow.accept(
            session=session, proposal_id=pid, actor=staff, today=TODAY, meeting_id=_meeting_id(session)
        )
        workflow.assign(session=session, proposal_ids=[pid], actor=staff, lead_agency_id=lead, today=TODAY)
    deadlines = {
        submitted[0]: date(2024, 5, 1),
        submitted[1]: date(2024, 1, 1),
        submitted[2]: date(2099, 1, 1),
    }
    for assignment in session.exec(select(Assignment)).all():
        assignment.deadline = deadlines[assignment.proposal_id]
    session.commit()
    login(client, "staff")
    html = client.get("/review/overdue").get_data(as_text=True)
    titles = re.findall(r'class="proposal-title"[^>]*>([^<]+)<', html)
    assert titles == ["关于养老的建议", "关于停车的建议"]
    assert "逾期" in html


def test_agency_inbox_and_return(client, login, session: Session, submitted) -> None:
    staff = Viewer(Role.STAFF)
    lead = _agency_id(session, "镇海区经信局")
    workflow.accept(
        session=session, proposal_id=submitted[0], actor=staff, today=TODAY, meeting_id=_meeting_id(session)
    )
    workflow.assign(
        session=session, proposal_ids=[submitted[0]], actor=staff, lead_agency_id=lead, today=TODAY
    )
    session.commit()
    login(client, "agency")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "关于停车的建议" in inbox and "主办" in inbox and "可退回" in inbox
    assert client.get(f"/proposals/{submitted[0]}").status_code == 200
    client.post(f"/inbox/{submitted[0]}/return", data={"note": "停车管理属于交警部门"})
    after = client.get("/inbox").get_data(as_text=True)
    assert "已退回提案委员会办公室" in after and "关于停车的建议" not in after
    assert client.get(f"/proposals/{submitted[0]}").status_code == 404
    login(client, "staff")
    queue = client.get("/review?status=accepted").get_data(as_text=True)
    assert "关于停车的建议" in queue and "已退回" in queue
