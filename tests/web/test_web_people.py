"""The administration of people (issue 12): members, agencies, categories and the import, through the
pages as an admin uses them."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from sqlmodel import Session, select

from tracker.models import AdminChange, Agency, Member, Proposal, Reply
from tracker.services import directory


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_staff_who_are_not_admins_get_403(client, login) -> None:
    login(client, "staff")
    for url in ("/admin/members", "/admin/agencies", "/admin/categories", "/admin/import"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/members/new", data={"name": "x"}).status_code == 403


def test_admin_adds_a_member_and_it_is_logged(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    data = {"name": "新委员", "kind": "member", "sector": "经济界", "party": "民建", "phone": "0574-86212345"}
    response = client.post("/admin/members/new", data=data)
    assert response.status_code == 303
    member = session.exec(select(Member).where(Member.name == "新委员")).one()
    assert (member.sector, member.party, member.phone) == ("经济界", "民建", "0574-86212345")
    change = session.exec(select(AdminChange).where(AdminChange.kind == "member")).one()
    assert (change.action, change.actor, change.after["sector"]) == ("create", "admin", "经济界")
    page = parse_html(client.get("/admin/members?q=经济界").data)
    assert [a.text() for a in page.find_all("a") if "/admin/members/" in a.attrs.get("href", "")][
        -1
    ] == "新委员"


def test_a_refused_member_form_comes_back_as_typed(client, login, session: Session, parse_html) -> None:
    login(client, "admin")
    typed = {
        "name": "打错了",
        "kind": "member",
        "sector": "教育界",
        "email": "not-an-address",
        "phone": "电话",
    }
    response = client.post("/admin/members/new", data=typed)
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("name").attrs["value"] == "打错了"
    assert page.by_id("sector").attrs["value"] == "教育界"
    assert page.by_id("email").attrs["value"] == "not-an-address"
    assert page.by_id("email").attrs["aria-invalid"] == "true" and page.by_id("phone-errors").text()
    assert session.exec(select(Member).where(Member.name == "打错了")).first() is None


def test_member_list_is_paginated(app, client, login, session: Session, make, parse_html) -> None:
    app.config["ADMIN_PAGE_SIZE"] = 5
    for n in range(7):
        make.member(name=f"分页委员{n}", sector="分页界")
    session.commit()
    login(client, "admin")
    page = parse_html(client.get("/admin/members?q=分页界&page=2").data)
    names = [el.text() for el in page.find_all("th", scope="row")]
    assert names == ["分页委员5", "分页委员6"]
    assert page.find_all("a", rel="prev")


def test_deactivating_a_member_is_logged_and_shown(client, login, session: Session, make) -> None:
    member = make.member(name="停用委员")
    session.commit()
    login(client, "admin")
    assert client.post(f"/admin/members/{member.id}/deactivate").status_code == 303
    session.expire_all()
    assert session.get(Member, member.id).active is False
    assert "停用委员" not in client.get("/admin/members").get_data(as_text=True)  # the list shows active ones
    assert "停用委员" in client.get("/admin/members?state=inactive").get_data(as_text=True)
    actions = session.exec(select(AdminChange.action).where(AdminChange.object_id == member.id)).all()
    assert actions == ["deactivate"]


def test_renaming_an_agency_keeps_the_old_name_on_its_old_replies(
    client, login, session: Session, make, parse_html
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    proposal = make.proposal(title="改名前的答复", status="replied")
    reply = make.reply(
        proposal, agency_id=agency.id, date_on=date(2017, 6, 28), title="答复", status="issued"
    )
    session.commit()
    login(client, "admin")
    response = client.post(
        f"/admin/agencies/{agency.id}",
        data={
            "name": "镇海区商务和口岸局",
            "short_name": "区商务局",
            "kind": "district",
            "renamed_on": "2019-03-01",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "镇海区商务局" in page and "镇海区商务和口岸局" in page  # the names over time
    letter = parse_html(client.get(f"/replies/{reply.id}").data)
    assert "镇海区商务局" in letter.text() and "镇海区商务和口岸局" not in letter.text()
    session.expire_all()
    assert session.get(Reply, reply.id).agency.name == "镇海区商务和口岸局"


def test_a_refused_agency_form_comes_back_as_typed(client, login, session: Session, parse_html) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    login(client, "admin")
    response = client.post(
        f"/admin/agencies/{agency.id}",
        data={
            "name": "镇海区新商务局",
            "short_name": "新简称",
            "kind": "district",
            "renamed_on": "2019-13-45",
        },
    )
    assert response.status_code == 422
    page = parse_html(response.data)
    assert page.by_id("name").attrs["value"] == "镇海区新商务局"
    assert page.by_id("short_name").attrs["value"] == "新简称"
    assert page.by_id("renamed_on-errors").text()
    session.expire_all()
    assert session.get(Agency, agency.id).name == "镇海区商务局"


def test_categories_edited_by_the_admin_are_what_the_form_offers_and_accepts(
    client, login, session: Session, parse_html
) -> None:
    login(client, "admin")
    assert client.post("/admin/categories", data={"name": "乡村振兴"}).status_code == 303
    other = next(c for c in directory.list_categories(session=session) if c.name == "其他")
    assert client.post(f"/admin/categories/{other.id}/deactivate").status_code == 303
    login(client, "member")
    form = parse_html(client.get("/my/proposals/new").data)
    offered = [o.attrs.get("value") for o in form.by_id("category").find_all("option")]
    assert "乡村振兴" in offered and "其他" not in offered
    proposal = {
        "title": "关于乡村振兴的建议",
        "background": "背景。",
        "suggestions-0": "第一条建议。内容。",
        "form_token": "a" * 32,
        "op": "submit",
    }
    response = client.post("/my/proposals/new", data={**proposal, "category": "其他"})
    assert response.status_code == 422
    assert session.exec(select(Proposal).where(Proposal.title == "关于乡村振兴的建议")).first() is None
    response = client.post("/my/proposals/new", data={**proposal, "category": "乡村振兴"})
    assert response.status_code == 303
    session.expire_all()
    assert (
        session.exec(select(Proposal).where(Proposal.title == "关于乡村振兴的建议")).one().category
        == "乡村振兴"
    )


def test_import_upload_preview_confirm(client, login, session: Session, parse_html) -> None:
    rows: list[list[object]] = [["姓名", "界别", "党派", "联系电话"]]
    rows += [[f"页面导入{n:02d}", "经济界", "民建", 13900000000 + n] for n in range(50)]
    rows[10][3] = "坏号码"  # spreadsheet row 11
    login(client, "admin")
    response = client.post(
        "/admin/import",
        data={"file": (io.BytesIO(_xlsx(rows)), "委员名单.xlsx"), "kind": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    preview = parse_html(client.get(preview_url).data)
    assert len(preview.find_all("tr", class_="import-create")) == 49
    errors = preview.find_all("tr", class_="import-error")
    assert [e.find_all("td")[0].text() for e in errors] == ["11"]
    assert session.exec(select(Member).where(Member.name.like("页面导入%"))).first() is None  # nothing yet
    assert client.post(preview_url).status_code == 303
    result = parse_html(client.get(preview_url).data)
    assert [td.text() for td in result.find_all("table", class_="import-errors")[0].find_all("td")][:2] == [
        "11",
        "页面导入09",
    ]
    assert len(session.exec(select(Member).where(Member.name.like("页面导入%"))).all()) == 49
    assert client.post(preview_url).status_code == 303  # a second confirm imports nothing more
    assert len(session.exec(select(Member).where(Member.name.like("页面导入%"))).all()) == 49


def test_an_unreadable_upload_is_refused_on_the_form(client, login, session: Session) -> None:
    login(client, "admin")
    before = len(session.exec(select(Member)).all())
    response = client.post(
        "/admin/import",
        # Binary bytes no decoder reads (UTF-16 with its BOM is read since the shared text decoder).
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), "m.csv"), "kind": "members"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "UTF-8" in response.get_data(as_text=True)
    assert len(session.exec(select(Member)).all()) == before


def test_another_admins_preview_is_not_found(client, login, session: Session, make) -> None:
    login(client, "admin")
    response = client.post(
        "/admin/import",
        data={"file": (io.BytesIO("姓名\n某委员\n".encode()), "m.csv"), "kind": ""},
        content_type="multipart/form-data",
    )
    url = response.headers["Location"]
    make.user(username="admin2", role="admin")
    session.commit()
    login(client, "admin2")
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_deactivated_member_cannot_be_invited_to_co_sign(client, login, session: Session, make) -> None:
    make.member(name="离任委员", active=False)
    session.commit()
    login(client, "member")
    response = client.post(
        "/my/proposals/new",
        data={
            "title": "关于邀请附议的建议",
            "category": "其他",
            "background": "背景。",
            "suggestions-0": "第一条建议。内容。",
            "cosigners": "离任委员",
            "form_token": "b" * 32,
            "op": "save",
        },
    )
    assert response.status_code == 422 and "离任委员" in response.get_data(as_text=True)
    assert session.exec(select(Proposal).where(Proposal.title == "关于邀请附议的建议")).first() is None


def test_a_deactivated_agency_is_not_offered_for_assignment(
    client, login, session: Session, make, parse_html
) -> None:
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    proposal = make.proposal(title="待交办", status="accepted")
    session.commit()
    login(client, "admin")
    assert client.post(f"/admin/agencies/{agency.id}/deactivate").status_code == 303
    page = parse_html(client.get(f"/review/{proposal.id}").data)
    offered = {o.text() for o in page.find_all("option")} | {label.text() for label in page.find_all("label")}
    assert "镇海区商务局" not in offered and "镇海区发改局" in offered


def test_the_people_forms_and_lists_label_names_as_people_and_agencies(get_page, client, login) -> None:
    """A member's name is their 姓名 and an agency's its 单位全称, never the session's 会议全称; the
    kind an import calls 团体 is offered under that word on the form."""
    login(client, "admin")
    member_form = get_page("/admin/members/new")
    assert member_form.find_all("label", **{"for": "name"})[0].text().strip() == "姓名"
    assert [o.text() for o in member_form.by_id("kind").find_all("option")] == ["委员", "代表", "团体"]
    agency_form = get_page("/admin/agencies/new")
    assert agency_form.find_all("label", **{"for": "name"})[0].text().strip() == "单位全称"
    assert get_page("/admin/members").find_all("th")[0].text().strip() == "姓名"
    agency_list = get_page("/admin/agencies").find_all("th")
    assert agency_list[0].text().strip() == "单位全称" and "会议全称" not in [th.text() for th in agency_list]


def test_an_agency_without_a_parent_is_added_as_the_form_posts_it(
    client, login, session: Session, get_page
) -> None:
    """The parent list's first choice ("none") posts back as the form offers it, and is no error."""
    login(client, "admin")
    form = get_page("/admin/agencies/new")
    none = [o for o in form.by_id("parent").find_all("option") if "selected" in o.attrs]
    assert [o.text() for o in none] == ["无"]
    data = {"name": "宁波市镇海区大数据发展管理局", "short_name": "区大数据局", "kind": "district"}
    response = client.post("/admin/agencies/new", data=data | {"parent": none[0].attrs["value"]})
    assert response.status_code == 303
    agency = session.exec(select(Agency).where(Agency.name == "宁波市镇海区大数据发展管理局")).one()
    assert (agency.short_name, agency.parent_id) == ("区大数据局", None)
    # and its edit page offers "none" selected again, so saving it unchanged is no error either
    edit = get_page(f"/admin/agencies/{agency.id}")
    selected = [o for o in edit.by_id("parent").find_all("option") if "selected" in o.attrs]
    assert [o.text() for o in selected] == ["无"]
    again = client.post(f"/admin/agencies/{agency.id}", data=data | {"parent": selected[0].attrs["value"]})
    assert again.status_code == 303
