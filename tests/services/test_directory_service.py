"""Members, agencies (with their names over time) and categories: every change through one write
path, recorded in the admin log."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from tracker.domain.people import AgencyFields, MemberFields
from tracker.models import AdminChange, Agency
from tracker.services import directory
from tracker.services.admin_log import COMMAND_LINE
from tracker.services.errors import DuplicateError, InvalidInput


def _log(session: Session, kind: str) -> list[tuple[str, int | None]]:
    rows = session.exec(select(AdminChange).where(AdminChange.kind == kind).order_by(AdminChange.id)).all()
    return [(r.action, r.object_id) for r in rows]


def test_members_are_created_changed_and_deactivated_with_every_change_logged(session: Session) -> None:
    saved = directory.save_member(
        session=session,
        actor=COMMAND_LINE,
        fields=MemberFields(name="张三", sector="经济界", phone="0574-1234567"),
    )
    member = saved.row
    assert saved.created and (member.sector, member.phone, member.active) == ("经济界", "0574-1234567", True)
    again = directory.save_member(
        session=session, actor=COMMAND_LINE, member_id=member.id, fields=directory.member_fields(member)
    )
    assert not again.changed
    directory.save_member(
        session=session,
        actor=COMMAND_LINE,
        member_id=member.id,
        fields=MemberFields(name="张三", sector="教育界", phone="0574-1234567"),
    )
    directory.set_member_active(session=session, actor=COMMAND_LINE, member_id=member.id, active=False)
    assert _log(session, "member") == [
        ("create", member.id),
        ("update", member.id),
        ("deactivate", member.id),
    ]
    change = session.exec(select(AdminChange).where(AdminChange.action == "update")).one()
    assert (change.before["sector"], change.after["sector"]) == ("经济界", "教育界")


def test_a_bad_member_is_refused_with_every_problem_and_nothing_stored(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        directory.save_member(session=session, actor=COMMAND_LINE, fields=MemberFields(name="", email="x"))
    assert [p.field for p in caught.value.problems] == ["name", "email"]
    assert _log(session, "member") == []


def test_member_list_searches_and_pages(session: Session) -> None:
    for n in range(12):
        directory.save_member(
            session=session, actor=COMMAND_LINE, fields=MemberFields(name=f"测试委员{n:02d}", sector="科技界")
        )
    first = directory.list_members(session=session, q="科技", page=1, page_size=5)
    last = directory.list_members(session=session, q="科技", page=3, page_size=5)
    assert (first.total, first.pages, len(last.items)) == (12, 3, 2)
    assert [m.name for m in first.items] == [f"测试委员{n:02d}" for n in range(5)]
    assert directory.list_members(session=session, q="100%_").total == 0  # LIKE wildcards are literal


def test_renaming_an_agency_keeps_the_name_replies_were_signed_with(session: Session, make) -> None:
    agency = directory.save_agency(
        session=session,
        actor=COMMAND_LINE,
        fields=AgencyFields(name="镇海区测试经信局", short_name="区经信局"),
    ).row
    proposal = make.proposal(title="t")
    old_reply = make.reply(
        proposal, agency_id=agency.id, date_on=date(2018, 6, 28), signature="镇海区测试经信局"
    )
    outcome = directory.save_agency(
        session=session,
        actor=COMMAND_LINE,
        agency_id=agency.id,
        fields=AgencyFields(name="镇海区测试经济和信息化局", short_name="区经信局"),
        renamed_on=date(2019, 3, 1),
    )
    assert outcome.changed and agency.name == "镇海区测试经济和信息化局"
    new_reply = make.reply(proposal, agency_id=agency.id, issued_at=datetime(2020, 5, 1, tzinfo=UTC))
    session.refresh(old_reply)
    assert directory.signed_name(session=session, reply=old_reply) == "镇海区测试经信局"
    assert directory.signed_name(session=session, reply=new_reply) == "镇海区测试经济和信息化局"
    assert [(n.name, n.valid_from) for n in directory.name_history(session=session, agency_id=agency.id)] == [
        ("镇海区测试经信局", None),
        ("镇海区测试经济和信息化局", date(2019, 3, 1)),
    ]
    assert _log(session, "agency") == [("create", agency.id), ("rename", agency.id)]
    # found by its former name too
    assert [a.id for a in directory.list_agencies(session=session, q="测试经信局").items] == [agency.id]
    # a second renaming must take effect after the first
    with pytest.raises(InvalidInput) as caught:
        directory.save_agency(
            session=session,
            actor=COMMAND_LINE,
            agency_id=agency.id,
            fields=AgencyFields(name="镇海区工信局"),
            renamed_on=date(2019, 1, 1),
        )
    assert caught.value.problems[0].field == "renamed_on"


def test_renaming_a_seeded_agency_keeps_its_first_name(session: Session, make) -> None:
    """Agencies made before they had a history (the seed, `users create`) get one on their first rename."""
    agency = session.exec(select(Agency).where(Agency.name == "镇海区商务局")).one()
    reply = make.reply(make.proposal(title="t"), agency_id=agency.id, date_on=date(2017, 6, 28))
    directory.save_agency(
        session=session,
        actor=COMMAND_LINE,
        agency_id=agency.id,
        fields=AgencyFields(name="镇海区商务和口岸局"),
        renamed_on=date(2019, 3, 1),
    )
    assert directory.signed_name(session=session, reply=reply) == "镇海区商务局"


def test_a_correction_changes_the_name_in_force_without_history(session: Session) -> None:
    agency = directory.save_agency(
        session=session, actor=COMMAND_LINE, fields=AgencyFields(name="镇海区商物局")
    ).row
    directory.save_agency(
        session=session,
        actor=COMMAND_LINE,
        agency_id=agency.id,
        fields=AgencyFields(name="镇海区商务局X"),
        correction=True,
    )
    assert [n.name for n in directory.name_history(session=session, agency_id=agency.id)] == ["镇海区商务局X"]


def test_agency_names_are_unique_and_parents_form_no_loop(session: Session) -> None:
    with pytest.raises(DuplicateError):
        directory.save_agency(session=session, actor=COMMAND_LINE, fields=AgencyFields(name="镇海区商务局"))
    top = directory.save_agency(
        session=session, actor=COMMAND_LINE, fields=AgencyFields(name="镇海区测试局")
    ).row
    sub = directory.save_agency(
        session=session,
        actor=COMMAND_LINE,
        fields=AgencyFields(name="镇海区测试局下属中心", parent="镇海区测试局"),
    ).row
    assert sub.parent_id == top.id
    with pytest.raises(InvalidInput):
        directory.save_agency(
            session=session,
            actor=COMMAND_LINE,
            agency_id=top.id,
            fields=AgencyFields(name="镇海区测试局"),
            parent_id=sub.id,
        )
    with pytest.raises(InvalidInput):
        directory.save_agency(
            session=session, actor=COMMAND_LINE, fields=AgencyFields(name="某中心", parent="没有这个局")
        )


def test_categories_are_added_renamed_ordered_and_deactivated(session: Session) -> None:
    names = directory.category_names(session=session)
    assert names[0] == "经济发展" and "其他" in names
    added = directory.create_category(session=session, actor=COMMAND_LINE, name="乡村振兴")
    assert directory.category_names(session=session)[-1] == "乡村振兴"
    directory.move_category(session=session, actor=COMMAND_LINE, category_id=added.id, step=-1)
    assert directory.category_names(session=session)[-2:] == ["乡村振兴", "其他"]
    directory.rename_category(session=session, actor=COMMAND_LINE, category_id=added.id, name="乡村全面振兴")
    directory.set_category_active(session=session, actor=COMMAND_LINE, category_id=added.id, active=False)
    assert "乡村全面振兴" not in directory.category_names(session=session)
    with pytest.raises(DuplicateError):
        directory.create_category(session=session, actor=COMMAND_LINE, name="其他")
    assert [a for a, _ in _log(session, "category")] == ["create", "update", "rename", "deactivate"]


def test_the_last_category_cannot_be_deactivated(session: Session) -> None:
    rows = directory.list_categories(session=session)
    for category in rows[:-1]:
        directory.set_category_active(
            session=session, actor=COMMAND_LINE, category_id=category.id, active=False
        )
    with pytest.raises(InvalidInput):
        directory.set_category_active(
            session=session, actor=COMMAND_LINE, category_id=rows[-1].id, active=False
        )
    assert session.exec(select(Agency)).first() is not None
