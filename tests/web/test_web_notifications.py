"""Notifications in the app (issue 15): the header's count, the list, read and unread, the settings
page, the 催办 form of the 督办 list and the admin's e-mail field, through the Flask client."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

from tracker.models import AdminChange, Assignment, Notification, NotificationPreference, Transition, User
from tracker.services import workflow


def _users(session: Session) -> dict[str, User]:
    return {u.username: u for u in session.exec(select(User)).all()}


def _assigned(session: Session, assigned_case, *, overdue: bool = False) -> int:
    if overdue:
        for row in session.exec(
            select(Assignment).where(Assignment.proposal_id == assigned_case.proposal_id)
        ):
            row.deadline = assigned_case.assigned_on - timedelta(days=3)
            session.add(row)
        session.commit()
    return assigned_case.proposal_id


def test_the_header_counts_unread_and_the_list_leads_to_the_thing(
    app: Flask, client, login, session: Session, assigned_case, parse_html
) -> None:
    # the assignment told the lead agency (demo account "agency") and the co-handling one
    login(client, "agency")
    page = parse_html(client.get("/").data)
    link = page.find_all("a", class_="notifications-link")[0]
    assert link.text() == "通知 1"
    listing = parse_html(client.get("/notifications").data)
    items = listing.find_all("li", class_="notification-item")
    assert len(items) == 1 and "is-unread" in items[0].attrs["class"]
    text = items[0].text()
    assert "已交由贵单位办理" in text and "关于加强小型微型企业分级服务与管理的建议（新提交）" in text
    target = items[0].find_all("a")[0].attrs["href"]
    response = client.get(target)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/proposals/{assigned_case.proposal_id}"
    # now read: no count in the header, nothing under "unread"
    assert parse_html(client.get("/").data).find_all("a", class_="notifications-link")[0].text() == "通知"
    unread = parse_html(client.get("/notifications?show=unread").data)
    assert unread.find_all("li", class_="notification-item") == []
    assert "没有未读通知" in unread.text()


def test_someone_elses_notification_is_not_there(
    app: Flask, client, login, session: Session, assigned_case
) -> None:
    users = _users(session)
    theirs = session.exec(select(Notification).where(Notification.user_id == users["agency"].id)).one()
    login(client, "member")
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    session.refresh(theirs)
    assert theirs.read_at is None


def test_mark_all_read(app: Flask, client, login, session: Session, assigned_case) -> None:
    users = _users(session)
    login(client, "agency")
    before = session.exec(
        select(Notification).where(Notification.user_id == users["agency"].id, Notification.read_at.is_(None))
    ).all()
    assert before  # the assignment of the case
    assert client.post("/notifications/read-all").status_code == 303
    session.expire_all()
    unread = session.exec(
        select(Notification).where(Notification.user_id == users["agency"].id, Notification.read_at.is_(None))
    ).all()
    assert unread == []


def test_settings_keep_what_was_typed_when_the_address_is_wrong(
    app: Flask, client, login, session: Session, parse_html
) -> None:
    login(client, "agency")
    page = parse_html(client.get("/notifications/settings").data)
    radios = [i for i in page.find_all("input") if i.attrs.get("type") == "radio"]
    assert {r.attrs["name"] for r in radios} >= {"kind-assigned", "kind-deadline", "kind-urged"}
    assert "kind-submitted" not in {r.attrs["name"] for r in radios}  # not an agency's kind
    response = client.post(
        "/notifications/settings",
        data={"email": "not an address", "kind-assigned": "digest", "kind-deadline": "app"},
    )
    assert response.status_code == 422
    again = parse_html(response.data)
    assert again.by_id("email").attrs["value"] == "not an address"
    checked = {i.attrs["name"]: i.attrs["value"] for i in again.find_all("input") if "checked" in i.attrs}
    assert checked["kind-assigned"] == "digest" and checked["kind-deadline"] == "app"
    assert "name@example.cn" in again.text()
    session.expire_all()
    assert session.exec(select(NotificationPreference)).all() == []

    response = client.post(
        "/notifications/settings",
        data={"email": "Jxj@Example.cn", "kind-assigned": "digest", "kind-deadline": "app"},
    )
    assert response.status_code == 303
    session.expire_all()
    user = _users(session)["agency"]
    assert user.email == "jxj@example.cn"
    chosen = {p.kind: p.channel for p in session.exec(select(NotificationPreference)).all()}
    assert chosen == {"assigned": "digest", "deadline": "app"}  # the kinds not posted keep their default


def test_a_channel_that_does_not_exist_is_refused(app: Flask, client, login, session: Session) -> None:
    login(client, "member")
    response = client.post("/notifications/settings", data={"email": "", "kind-accepted": "sms"})
    assert response.status_code == 422
    assert session.exec(select(NotificationPreference)).all() == []


def test_urge_from_the_overdue_list(
    app: Flask, client, login, session: Session, assigned_case, parse_html
) -> None:
    pid = _assigned(session, assigned_case, overdue=True)
    login(client, "staff")
    page = parse_html(client.get("/review/overdue").data)
    form = next(f for f in page.find_all("form") if f.attrs["action"] == f"/review/overdue/{pid}/urge")
    options = [o.text() for o in form.find_all("option")]
    assert (
        options[0].startswith("镇海区经信局") and len(options) == 2
    )  # the lead first, then the co-handling one

    # no note: the list again, the choice kept, the reason beside the form, nothing recorded
    response = client.post(
        f"/review/overdue/{pid}/urge", data={"note": "  ", "agency": str(assigned_case.co.agency_id)}
    )
    assert response.status_code == 422
    again = parse_html(response.data)
    assert "请填写催办内容" in again.text()
    selected = [o for o in again.find_all("option") if "selected" in o.attrs]
    assert [o.attrs["value"] for o in selected] == [str(assigned_case.co.agency_id)]
    assert session.exec(select(Transition).where(Transition.action == "urge")).all() == []

    response = client.post(f"/review/overdue/{pid}/urge", data={"note": "请于本周五前答复。"})
    assert response.status_code == 303
    session.expire_all()
    step = session.exec(select(Transition).where(Transition.action == "urge")).one()
    assert step.note == "请于本周五前答复。" and step.details["agency"] == "镇海区经信局"
    lead_user = _users(session)["agency"]
    told = session.exec(
        select(Notification).where(Notification.kind == "urged", Notification.user_id == lead_user.id)
    ).one()
    assert told.note == "请于本周五前答复。"
    # in the timeline
    detail = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert "催办" in detail and "致镇海区经信局" in detail


def test_urge_needs_a_proposal_being_handled(
    app: Flask, client, login, session: Session, assigned_case
) -> None:
    pid = assigned_case.proposal_id
    workflow.mark_replied(session=session, proposal_id=pid, actor=assigned_case.lead)
    session.commit()
    login(client, "admin")
    response = client.post(f"/review/overdue/{pid}/urge", data={"note": "请答复。"})
    assert response.status_code == 422
    assert "只能对正在由承办单位办理的提案催办" in response.get_data(as_text=True)


def test_the_admin_sets_an_accounts_address(app: Flask, client, login, session: Session, parse_html) -> None:
    member = _users(session)["member"]
    login(client, "admin")
    response = client.post(f"/admin/users/{member.id}/email", data={"email": "dai@"})
    assert response.status_code == 422
    assert parse_html(response.data).by_id("email").attrs["value"] == "dai@"
    log_before = len(session.exec(select(AdminChange)).all())
    response = client.post(f"/admin/users/{member.id}/email", data={"email": "dai@example.cn"})
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, member.id).email == "dai@example.cn"
    changes = session.exec(select(AdminChange).order_by(AdminChange.id)).all()
    assert len(changes) == log_before + 1
    assert changes[-1].after["email"] == "dai@example.cn" and changes[-1].before["email"] is None


def test_a_member_without_an_own_address_is_mailed_at_the_members(
    app: Flask, session: Session, make, client, login, parse_html
) -> None:
    users = _users(session)
    member = users["member"]
    from tracker.models import Member

    record = session.get(Member, member.member_id)
    record.email = "daipeihong@example.cn"
    session.add(record)
    session.commit()
    login(client, "member")
    page = parse_html(client.get("/notifications/settings").data)
    assert "daipeihong@example.cn" in page.by_id("email-hint").text()
    from tracker.models import MailOutbox
    from tracker.services import notifications

    notifications.notify(
        session=session,
        kind=notifications.Kind.ACCEPTED,
        users=[session.get(User, member.id)],
        proposal=None,
        params={"title": "t", "case": "第1号"},
    )
    session.commit()
    assert [m.to_address for m in session.exec(select(MailOutbox)).all()] == ["daipeihong@example.cn"]
