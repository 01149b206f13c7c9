"""The proposal pages: the list with filters and pages, and suggestions beside the points that answer them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tracker.models import Proposal, Reply

MODEL = {
    1: ("设立专门的服务与管理机构", "我区目前有专门的企业服务领导小组"),
    2: ("实行分级服务与管理", "按照我区部门职能"),
    3: ("加大培训力度", "2015年镇海区确定定点技能培训机构17家"),
    4: ("加强联系与沟通", "我区鼓励区内企业开展产业链合作"),
    5: ("建立商业信息中心", "市首个特色产业带电商平台"),
}


def _model_id(session: Session) -> int:
    return session.exec(select(Proposal.id).where(Proposal.number == 2)).one()


def test_each_suggestion_has_its_answer_beside_it(session: Session, get_page) -> None:
    page = get_page(f"/proposals/{_model_id(session)}")
    for n, (title, answer_text) in MODEL.items():
        row = page.by_id(f"s{n}")
        suggestion = row.find_all(class_="pair-suggestion")
        assert len(suggestion) == 1 and title in suggestion[0].text()
        point = page.by_id(f"r{n}")
        assert row.contains(point), f"reply point r{n} is not in the row of suggestion s{n}"
        assert answer_text in point.text()
        assert "未答复" not in row.text()
    # the model case answers everything, so nothing is listed apart
    assert page.find_all(class_="unlinked") == []


def test_model_case_metadata_and_link_to_the_letter(session: Session, get_page) -> None:
    page = get_page(f"/proposals/{_model_id(session)}")
    header = page.find_all("header", class_="doc-header")[0].text()
    assert "关于加强小型微型企业分级服务与管理的建议" in header
    assert "戴培红（委员）" in header
    assert "已答复" in header
    assert "政协宁波市镇海区第十届委员会第三次会议" in header  # its session's full name
    reply_id = session.exec(select(Reply.id)).one()
    letters = page.find_all("ul", class_="reply-links")[0].find_all("a")
    assert [a.attrs["href"] for a in letters] == [f"/replies/{reply_id}", f"/replies/{reply_id}/letter.docx"]
    assert letters[0].text() == "镇海区经信局答复函"
    # link method and confidence are shown, discreetly
    assert page.by_id("r1").find_all(class_="link-meta")[0].text() == "按标题对应 · 100%"


def test_unanswered_suggestion_is_marked_and_stray_points_listed(
    session: Session, make, client, login, get_page
) -> None:
    login(client, "staff")  # the proposal is not published
    proposal = make.proposal(number=40, submitted_on=date(2024, 1, 15))
    answered = make.suggestion(proposal, position=0, n=1, title="增设校医岗位", text="增设校医岗位。")
    make.suggestion(proposal, position=1, n=2, marker="2.", title="加强食堂监管", text="加强食堂监管。")
    reply = make.reply(proposal)
    make.link(
        make.point(reply, n=1, heading="关于“增设校医岗位”", text="关于“增设校医岗位”。已配备。"), answered
    )
    make.point(reply, position=1, n=2, marker="二、", heading="基本情况", text="基本情况。我局高度重视。")
    session.commit()

    page = get_page(f"/proposals/{proposal.id}")
    assert "2024年1月15日" in page.find_all("dl", class_="meta")[0].text()
    assert "未答复" not in page.by_id("s1").text()
    unanswered = page.by_id("s2")
    assert "pair-unanswered" in unanswered.attrs["class"].split()
    assert "未答复" in unanswered.text()
    stray = page.find_all("section", class_="unlinked")
    assert len(stray) == 1 and stray[0].contains(page.by_id("r2"))


def test_list_shows_the_model_case(get_page) -> None:
    page = get_page("/proposals")
    titles = [a.text() for a in page.find_all("a", class_="proposal-title")]
    assert titles == ["关于加强小型微型企业分级服务与管理的建议"]


def test_list_filters_and_keeps_them_across_pages(session: Session, make, client, login, get_page) -> None:
    login(client, "staff")  # staff see unpublished proposals and drafts
    meeting = make.meeting(name="第十届第三次会议", year=2024)
    for number in range(1, 23):
        make.proposal(meeting_id=meeting.id, number=number, title=f"提案{number}", status="assigned")
    make.proposal(meeting_id=meeting.id, number=99, title="草稿提案", status="draft")
    session.commit()

    first = get_page(f"/proposals?session={meeting.id}&status=assigned")
    assert len(first.find_all(class_="proposal-item")) == 20
    assert "22 件提案" in first.find_all(class_="result-count")[0].text()
    next_link = first.find_all("a", rel="next")[0].attrs["href"]
    assert f"session={meeting.id}" in next_link and "status=assigned" in next_link and "page=2" in next_link
    # the form shows the filters in use
    selected = {
        s.attrs["name"]: o.attrs["value"]
        for s in first.find_all("select")
        for o in s.find_all("option")
        if "selected" in o.attrs
    }
    assert selected == {"session": str(meeting.id), "status": "assigned"}

    second = get_page(next_link)
    titles = [a.text() for a in second.find_all("a", class_="proposal-title")]
    assert titles == ["提案21", "提案22"]
    assert "status=assigned" in second.find_all("a", rel="prev")[0].attrs["href"]

    drafts = get_page("/proposals?status=draft")
    assert [a.text() for a in drafts.find_all("a", class_="proposal-title")] == ["草稿提案"]


def test_list_filters_by_replying_office(session: Session, get_page) -> None:
    page = get_page("/proposals")
    options = page.find_all("select", name="agency")[0].find_all("option")
    agency = next(o for o in options if o.text() == "镇海区经信局")
    filtered = get_page(f"/proposals?agency={agency.attrs['value']}")
    assert len(filtered.find_all(class_="proposal-item")) == 1
    none = get_page(f"/proposals?agency={int(agency.attrs['value']) + 100}")
    assert none.find_all(class_="proposal-item") == []
    assert "没有符合筛选条件的提案" in none.text()


def test_the_office_filter_offers_an_office_as_soon_as_it_has_answered(
    session: Session, make, client, login, get_page
) -> None:
    """The offices offered are kept per archive state: a reply by a new office, or an office renamed,
    shows in the next list on any server, signed in or not."""
    login(client, "staff")

    def offered() -> list[str]:
        page = get_page("/proposals")
        return [o.text() for o in page.find_all("select", name="agency")[0].find_all("option")]

    assert "区新设局" not in offered()
    bureau = make.agency(name="区新设局")
    make.reply(make.proposal(status="replied"), agency_id=bureau.id)
    session.commit()
    assert "区新设局" in offered()
    bureau.name = "区新设管理局"
    session.add(bureau)
    session.commit()
    names = offered()
    assert "区新设管理局" in names and "区新设局" not in names


def test_bad_query_arguments_are_ignored(client) -> None:
    for query in (
        "page=abc",
        "page=-1",
        "page=99999999999999999999999",
        "session=x&status=nope&agency=1e9",
        "session=99999999999999999999",
        "agency=-5&page=0",
    ):
        response = client.get(f"/proposals?{query}")
        assert response.status_code == 200, query
        assert "关于加强小型微型企业分级服务与管理的建议" in response.get_data(as_text=True), query


def test_unknown_proposals_are_404_in_chinese(client) -> None:
    for url in ("/proposals/999999", "/proposals/0", "/proposals/99999999999999999999", "/proposals/abc"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.get_data(as_text=True)
