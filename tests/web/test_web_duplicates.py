"""Duplicates where they matter (issue 16): a reworded copy of an existing proposal shows the
original at the top of the similar list on the proposal form and on the staff review page, with what
it got as an answer; staff merge (并案) into it from there in one step; a member sees another member's
pending proposal by title and state only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from tracker.bench.corpus import generate
from tracker.bench.run import SEEDS_DIR, load_corpus
from tracker.domain.drafting import Draft
from tracker.models import Proposal, ProposalSigner, Reply, User
from tracker.services import drafting
from tracker.services.search_sync import get_keeper
from tracker.services.visibility import Role, Viewer

TODAY = date(2025, 3, 10)
MODEL_CASE_TITLE = "关于加强小型微型企业分级服务与管理的建议"

# The model case (seed proposal No. 2, answered by 镇海区经信局) as a second member would write it:
# another title, the suggestions in another order, reworded.
REWORDED_MODEL_CASE = {
    "title": "关于强化小微企业分级服务管理工作的提案",
    "category": "社会民生",
    "background": "小型微型企业是经济发展的重要力量，但在服务与管理方面仍有不足。",
    "suggestions-0": "加大对小型微型企业的培训力度。组建若干小型微型企业培育中心，开展创业咨询和管理知识培训；"
    "引导小微企业参与高技能人才振兴计划，对新招用高校毕业生并开展岗前培训的给予培训费补贴。",
    "suggestions-1": "成立专门的服务管理机构。由政府牵头设立跨部门的小型微型企业服务与管理联合机构，"
    "如领导小组或联席会议，吸收发改、经贸、税务、工商等部门参加，协调解决小型微型企业发展中的困难。",
    "suggestions-2": "建立商业信息中心。信息服务对小微企业十分重要，建议借鉴成都市温江区“花木电子商务中心”的做法，"
    "尽快在各行业建立电子商务平台。",
    "suggestions-3": "实施分级服务管理。按照行业分布，以分级服务与管理为主、辖区服务与管理为辅，"
    "个体工商户类型的小型微型企业按辖区实施分级服务。",
    "suggestions-4": "加强母企业与小微企业的联系沟通。学习韩国《中小企业系列化促进法》，"
    "推动制造、加工、修理企业把零部件和原料的加工委托给小型微型企业，形成分工协作关系。",
    "closing": "",
    "cosigners": "",
}

NAMESAKE_ROWS = [
    "小型微型企业要加强安全生产管理。落实企业安全生产主体责任，定期开展隐患排查。",
    "加强小型微型企业环境保护监管。督促企业治理污染，达标排放。",
    "规范小型微型企业用工管理。依法签订劳动合同，按时足额缴纳社会保险。",
]

# A pending proposal of the demo member 戴培红, and the same proposal reworded by 乙.
ELEVATOR = Draft(
    title="关于加快老旧小区加装电梯的提案",
    category="社会民生",
    background="我区老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。",
    suggestions=[
        "简化加装电梯的审批程序。由住建部门牵头实行联合审批，一次性告知所需材料，缩短审批时间。",
        "加大财政补助力度。对每台加装电梯给予定额补助，并允许提取住房公积金用于加装电梯。",
        "做好居民协商工作。发挥社区居委会作用，组织低层与高层住户协商分摊费用，化解邻里矛盾。",
    ],
)
ELEVATOR_COPY = {
    "title": "关于推进老旧小区增设电梯工作的建议",
    "category": "社会民生",
    "background": "老年人上下楼难的问题日益突出。",
    "suggestions-0": "发挥社区居委会作用做好居民协商。组织高层与低层住户协商分摊费用，化解邻里之间的矛盾。",
    "suggestions-1": "优化加装电梯审批流程。实行由住建部门牵头的联合审批，缩短审批时间，一次性告知所需材料。",
    "suggestions-2": "强化财政补助。每台加装电梯给予定额补助，允许提取住房公积金用于加装电梯。",
    "closing": "",
    "cosigners": "",
}


@pytest.fixture
def archive(app: Flask) -> None:
    """A small generated archive beside the seed (built from the model case's own sentences and
    suggestion titles, so many proposals resemble it), indexed."""
    load_corpus(app.config["DATABASE_URL"], generate(proposals=40, seed=3, seeds_dir=SEEDS_DIR))
    get_keeper(app).rebuild(procs=1)


@pytest.fixture
def yi(session: Session, make) -> User:
    """A second member with an account: 乙委员."""
    member = make.member(name="乙委员")
    user = make.user(username="yi", role="member", member_id=member.id)
    session.commit()
    return user


@pytest.fixture
def elevator(session: Session, yi: User) -> Proposal:
    """戴培红's proposal on lift retrofits, submitted and waiting for review (not public)."""
    dai = session.exec(select(User).where(User.username == "member")).one()
    proposal = drafting.create(
        session=session,
        author=Viewer(Role.MEMBER, member_id=dai.member_id, user_id=dai.id),
        draft=ELEVATOR,
        form_token="e" * 32,
        submit=True,
        categories=["社会民生"],
        today=TODAY,
    ).proposal
    session.commit()
    return proposal


def _items(page) -> list:
    return page.by_id("similar").find_all("li", class_="similar-item")


def test_the_form_shows_the_original_first_with_its_answer(
    archive, yi, client: FlaskClient, login, parse_html, session: Session, make
) -> None:
    # a later proposal under the very same title that asks for other things: the title alone
    # must not put it above the original
    namesake = make.proposal(
        title=MODEL_CASE_TITLE, status="replied", published_at=datetime.now(UTC), original_text=""
    )
    for k, text in enumerate(NAMESAKE_ROWS):
        make.suggestion(
            namesake, position=k, n=k + 1, marker=f"{k + 1}.", title=text.split("。")[0], text=text
        )
    session.commit()
    login(client, "yi")
    response = client.post(
        "/my/proposals/new", data=REWORDED_MODEL_CASE | {"op": "add", "form_token": "a" * 32}
    )
    assert response.status_code == 200
    items = _items(parse_html(response.data))
    assert len(items) >= 2
    model_case = session.exec(
        select(Proposal).where(Proposal.title == MODEL_CASE_TITLE, Proposal.id != namesake.id)
    ).one()
    first = items[0]
    assert first.find_all("a")[0].attrs["href"] == f"/proposals/{model_case.id}"
    reply = session.exec(select(Reply).where(Reply.proposal_id == model_case.id)).one()
    assert "镇海区经信局" in first.text()
    assert f"/replies/{reply.id}" in [a.attrs["href"] for a in first.find_all("a")]
    # published and past the co-signing stage: no co-sign button, a word on what to do instead
    assert not first.find_all("form")
    assert f"/proposals/{namesake.id}" in [a.attrs["href"] for item in items[1:] for a in item.find_all("a")]


def test_a_blank_form_lists_nothing(yi, client: FlaskClient, login) -> None:
    login(client, "yi")
    html = client.get("/my/proposals/new").get_data(as_text=True)
    assert 'id="similar"' not in html


def test_a_member_sees_a_pending_proposal_by_title_and_state_only(
    archive, elevator, client: FlaskClient, login, parse_html
) -> None:
    login(client, "yi")
    response = client.post("/my/proposals/new", data=ELEVATOR_COPY | {"op": "add", "form_token": "b" * 32})
    first = _items(parse_html(response.data))[0]
    assert ELEVATOR.title in first.text()
    assert not first.find_all("a")  # no link to a page 乙 may not open
    page = response.get_data(as_text=True)
    for private in (ELEVATOR.suggestions[0], "戴培红", ELEVATOR.background):
        assert private not in page
    # and the proposal page itself stays closed to 乙
    assert client.get(f"/proposals/{elevator.id}").status_code == 404


def test_an_invited_member_can_co_sign_instead(
    archive, elevator, yi, client: FlaskClient, login, parse_html, session: Session
) -> None:
    session.add(
        ProposalSigner(proposal_id=elevator.id, member_id=yi.member_id, role="cosigner", status="pending")
    )
    session.commit()
    login(client, "yi")
    response = client.post("/my/proposals/new", data=ELEVATOR_COPY | {"op": "add", "form_token": "c" * 32})
    first = _items(parse_html(response.data))[0]
    (form,) = first.find_all("form")
    assert form.attrs["action"] == f"/my/invitations/{elevator.id}/confirm"
    assert client.post(form.attrs["action"]).status_code == 303
    session.expire_all()
    assert session.get(ProposalSigner, (elevator.id, yi.member_id)).status == "confirmed"


def _submit_copy(client: FlaskClient, session: Session) -> Proposal:
    response = client.post("/my/proposals/new", data=ELEVATOR_COPY | {"op": "submit", "form_token": "d" * 32})
    assert response.status_code == 303
    session.expire_all()
    return session.exec(select(Proposal).where(Proposal.title == ELEVATOR_COPY["title"])).one()


def test_staff_merge_a_submitted_copy_into_the_original_from_the_review_list(
    archive, elevator, client: FlaskClient, login, parse_html, session: Session
) -> None:
    login(client, "yi")
    copy = _submit_copy(client, session)
    assert copy.status == "submitted"
    login(client, "staff")
    page = parse_html(client.get(f"/review/{copy.id}").data)
    first = _items(page)[0]
    assert first.find_all("a")[0].attrs["href"] == f"/review/{elevator.id}"
    (form,) = first.find_all("form")
    assert form.attrs["action"] == f"/review/{copy.id}/merge-into"
    target = form.find_all("input", name="target")[0].attrs["value"]
    assert target == str(elevator.id)

    # without the confirmation nothing changes
    refused = client.post(form.attrs["action"], data={"target": target}, follow_redirects=True)
    assert "Tick the box" in refused.get_data(as_text=True) or "勾选" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(Proposal, copy.id).status == "submitted"

    done = client.post(form.attrs["action"], data={"target": target, "confirm": "y", "note": "内容相同"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/review/{elevator.id}")
    session.expire_all()
    merged, original = session.get(Proposal, copy.id), session.get(Proposal, elevator.id)
    assert (merged.status, merged.merged_into_id) == ("merged", elevator.id)
    assert original.status == "accepted" and original.number is not None
    # 乙 joins the original as a joint proposer
    assert session.get(ProposalSigner, (elevator.id, merged.proposer_id)).role == "proposer"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"target": "", "confirm": "y"}, 303),  # refused with a message
        ({"target": "abc", "confirm": "y"}, 303),
        ({"target": "99999999", "confirm": "y"}, 404),
        ({"target": "1" * 40, "confirm": "y"}, 303),
    ],
)
def test_odd_merge_requests_change_nothing(
    elevator, client: FlaskClient, login, session: Session, data, status
) -> None:
    login(client, "staff")
    assert client.post(f"/review/{elevator.id}/merge-into", data=data).status_code == status
    session.expire_all()
    assert session.get(Proposal, elevator.id).status == "submitted"


def test_merging_into_itself_is_refused(elevator, client: FlaskClient, login, session: Session) -> None:
    login(client, "staff")
    response = client.post(
        f"/review/{elevator.id}/merge-into", data={"target": str(elevator.id), "confirm": "y"}
    )
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Proposal, elevator.id).status == "submitted"
