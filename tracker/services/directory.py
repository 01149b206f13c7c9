"""Members, agencies (with their names over time) and the proposal form's categories, as the
administration, the command line and the import manage them.

One write path per kind of row: ``save_member``, ``save_agency`` and the category functions change
rows and record every change in the admin log (tracker.services.admin_log.record_change) in the same
flush. Functions take an explicit session and never commit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.people import (
    AgencyFields,
    MemberFields,
    check_parent_chain,
    validate_agency,
    validate_category,
    validate_member,
)
from tracker.models import AdminAction, AdminKind, Agency, AgencyName, Category, Member, Reply
from tracker.services.admin_log import AdminActor, record_change, snapshot
from tracker.services.errors import DuplicateError, InvalidInput, NotFoundError
from tracker.services.proposals import Page

MEMBER_LOGGED = ("name", "kind", "sector", "party", "phone", "address", "email", "active")
AGENCY_LOGGED = ("name", "short_name", "kind", "parent_id", "active")
CATEGORY_LOGGED = ("name", "position", "active")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Saved:
    """A row after a save, and whether the save changed anything (nothing is logged when not)."""

    row: Any
    changed: bool
    created: bool = False


def _rule(error: RuleError) -> InvalidInput:
    return InvalidInput(error.problems)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _page(session: Session, stmt: Any, order: list[Any], page: int, page_size: int) -> Page[Any]:
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page = min(max(page, 1), max(1, math.ceil(total / page_size)))
    rows = session.exec(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return Page(items=list(rows), total=total, page=page, page_size=page_size)


# -- members ---------------------------------------------------------------------------------------


def list_members(
    *, session: Session, q: str = "", active: bool | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Member]:
    """Members whose name, 界别, party, phone or e-mail contains ``q``; active ones first, by name."""
    stmt = select(Member)
    if q.strip():
        pattern = _like(" ".join(q.split()))
        stmt = stmt.where(
            sa.or_(
                *(
                    col(c).like(pattern, escape="\\")
                    for c in (Member.name, Member.sector, Member.party, Member.phone, Member.email)
                )
            )
        )
    if active is not None:
        stmt = stmt.where(col(Member.active).is_(active))
    return _page(
        session, stmt, [col(Member.active).desc(), col(Member.name), col(Member.id)], page, page_size
    )


def get_member(*, session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFoundError(N_("There is no such member."), field="member")
    return member


def member_fields(member: Member) -> MemberFields:
    return MemberFields(
        name=member.name,
        kind=member.kind,
        sector=member.sector or "",
        party=member.party or "",
        phone=member.phone or "",
        address=member.address or "",
        email=member.email or "",
        active=member.active,
    )


def members_named(*, session: Session, name: str) -> list[Member]:
    return list(session.exec(select(Member).where(Member.name == name).order_by(col(Member.id))).all())


def save_member(
    *, session: Session, actor: AdminActor, fields: MemberFields, member_id: int | None = None
) -> Saved:
    """Create a member (``member_id`` None) or save one; every change logged. Names are not unique
    in life, so two members may share one (the import then asks for a hand edit)."""
    try:
        clean = validate_member(fields)
    except RuleError as error:
        raise _rule(error) from None
    member = (
        Member(name=clean.name) if member_id is None else get_member(session=session, member_id=member_id)
    )
    before = None if member_id is None else snapshot(member, MEMBER_LOGGED)
    member.name, member.kind, member.active = clean.name, clean.kind, clean.active
    member.sector, member.party = clean.sector or None, clean.party or None
    member.phone, member.address, member.email = (
        clean.phone or None,
        clean.address or None,
        clean.email or None,
    )
    after = snapshot(member, MEMBER_LOGGED)
    if before == after:
        return Saved(member, changed=False)
    session.add(member)
    session.flush()
    action = AdminAction.CREATE if before is None else _action(before, after)
    record_change(
        session=session,
        actor=actor,
        kind=AdminKind.MEMBER,
        object_id=member.id,
        action=action,
        before=before,
        after=after,
    )
    return Saved(member, changed=True, created=before is None)


def _action(before: dict[str, Any], after: dict[str, Any]) -> AdminAction:
    """Deactivating or activating alone is logged as such; anything else is an update."""
    if {k for k in after if after[k] != before.get(k)} == {"active"}:
        return AdminAction.ACTIVATE if after["active"] else AdminAction.DEACTIVATE
    return AdminAction.UPDATE


def set_member_active(*, session: Session, actor: AdminActor, member_id: int, active: bool) -> Saved:
    member = get_member(session=session, member_id=member_id)
    return save_member(
        session=session,
        actor=actor,
        member_id=member_id,
        fields=replace(member_fields(member), active=active),
    )


# -- agencies --------------------------------------------------------------------------------------


def list_agencies(
    *, session: Session, q: str = "", active: bool | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Agency]:
    """Agencies whose name, short name or a former name contains ``q``; active ones first, by name."""
    stmt = select(Agency)
    if q.strip():
        pattern = _like(" ".join(q.split()))
        former = select(AgencyName.agency_id).where(col(AgencyName.name).like(pattern, escape="\\"))
        stmt = stmt.where(
            sa.or_(
                col(Agency.name).like(pattern, escape="\\"),
                col(Agency.short_name).like(pattern, escape="\\"),
                col(Agency.id).in_(former),
            )
        )
    if active is not None:
        stmt = stmt.where(col(Agency.active).is_(active))
    return _page(
        session, stmt, [col(Agency.active).desc(), col(Agency.name), col(Agency.id)], page, page_size
    )


def get_agency(*, session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(N_("There is no such agency."), field="agency")
    return agency


def find_agency(*, session: Session, name: str) -> Agency | None:
    """An agency by its full name in force, else by its short name when only one has it."""
    name = " ".join(name.split())
    found = session.exec(select(Agency).where(Agency.name == name)).first()
    if found is not None:
        return found
    by_short = session.exec(select(Agency).where(Agency.short_name == name)).all()
    return by_short[0] if len(by_short) == 1 else None


def agency_fields(agency: Agency, parent_name: str = "") -> AgencyFields:
    return AgencyFields(
        name=agency.name,
        short_name=agency.short_name or "",
        kind=agency.kind,
        parent=parent_name,
        active=agency.active,
    )


def name_history(*, session: Session, agency_id: int) -> list[AgencyName]:
    """Every name the agency has had, oldest first (the first one in force from the start)."""
    stmt = select(AgencyName).where(AgencyName.agency_id == agency_id)
    return list(
        session.exec(stmt.order_by(col(AgencyName.valid_from).is_not(None), col(AgencyName.valid_from))).all()
    )


def name_on(*, session: Session, agency: Agency, day: date | None) -> str:
    """The agency's name in force on ``day`` (its present name when the day is unknown)."""
    if day is None:
        return agency.name
    stmt = (
        select(AgencyName.name)
        .where(
            AgencyName.agency_id == agency.id,
            sa.or_(col(AgencyName.valid_from).is_(None), col(AgencyName.valid_from) <= day),
        )
        .order_by(col(AgencyName.valid_from).is_(None), col(AgencyName.valid_from).desc())
    )
    return session.exec(stmt).first() or agency.name


def signed_name(*, session: Session, reply: Reply) -> str:
    """The name a reply was signed with: its agency's name in force on the letter's date (or the day
    it was issued); the signature as written when no agency is known."""
    if reply.agency is None:
        return reply.signature
    day = reply.date_on or (reply.issued_at.date() if reply.issued_at else None)
    return name_on(session=session, agency=reply.agency, day=day)


def _parent_id(session: Session, clean: AgencyFields, parent_id: int | None) -> int | None:
    if parent_id is not None or not clean.parent:
        return parent_id
    parent = find_agency(session=session, name=clean.parent)
    if parent is None:
        raise InvalidInput(
            [
                Problem(
                    "parent", N_('There is no agency "%(name)s" to place it under.'), {"name": clean.parent}
                )
            ]
        )
    return parent.id


def save_agency(
    *,
    session: Session,
    actor: AdminActor,
    fields: AgencyFields,
    agency_id: int | None = None,
    parent_id: int | None = None,
    renamed_on: date | None = None,
    correction: bool = False,
    today: date | None = None,
) -> Saved:
    """Create an agency or save one. A new name is a renaming from ``renamed_on`` (default today): the
    old name stays in the history, so replies signed before keep it; with ``correction`` the name in
    force is corrected instead (a typo), without history. ``parent_id`` wins over ``fields.parent``."""
    try:
        clean = validate_agency(fields)
    except RuleError as error:
        raise _rule(error) from None
    agency = (
        Agency(name=clean.name) if agency_id is None else get_agency(session=session, agency_id=agency_id)
    )
    same = session.exec(select(Agency).where(Agency.name == clean.name)).first()
    if same is not None and same.id != agency.id:
        raise DuplicateError(
            N_("An agency called %(name)s already exists."), field="name", params={"name": clean.name}
        )
    new_parent = _parent_id(session, clean, parent_id)
    if new_parent is not None:
        get_agency(session=session, agency_id=new_parent)
        parents = dict(session.exec(select(Agency.id, Agency.parent_id)).all())
        try:
            check_parent_chain(agency.id, new_parent, parents)
        except RuleError as error:
            raise _rule(error) from None
    before = None if agency_id is None else snapshot(agency, AGENCY_LOGGED)
    renamed = before is not None and clean.name != agency.name
    agency.name, agency.short_name = clean.name, clean.short_name or None
    agency.kind, agency.parent_id, agency.active = clean.kind, new_parent, clean.active
    after = snapshot(agency, AGENCY_LOGGED)
    if before == after:
        return Saved(agency, changed=False)
    session.add(agency)
    session.flush()
    if before is None:
        session.add(AgencyName(agency_id=agency.id or 0, name=agency.name, valid_from=None))
    elif renamed:
        _rename(session, agency, before["name"], renamed_on or today or date.today(), correction)
        after["renamed_on"] = None if correction else (renamed_on or today or date.today()).isoformat()
    session.flush()
    action = (
        AdminAction.CREATE if before is None else AdminAction.RENAME if renamed else _action(before, after)
    )
    record_change(
        session=session,
        actor=actor,
        kind=AdminKind.AGENCY,
        object_id=agency.id,
        action=action,
        before=before,
        after=after,
    )
    return Saved(agency, changed=True, created=before is None)


def _rename(session: Session, agency: Agency, old_name: str, day: date, correction: bool) -> None:
    history = name_history(session=session, agency_id=agency.id or 0)
    if not history:  # an agency added by the seed or `users create` before it had a history
        history = [AgencyName(agency_id=agency.id or 0, name=old_name, valid_from=None)]
        session.add(history[0])
    latest = history[-1] if history else None
    if correction and latest is not None:
        latest.name = agency.name
        session.add(latest)
        return
    if latest is not None and latest.valid_from is not None and day <= latest.valid_from:
        raise InvalidInput(
            [
                Problem(
                    "renamed_on",
                    N_("The new name must take effect after %(day)s, when the present name did."),
                    {"day": latest.valid_from.isoformat()},
                )
            ]
        )
    session.add(AgencyName(agency_id=agency.id or 0, name=agency.name, valid_from=day))


def set_agency_active(*, session: Session, actor: AdminActor, agency_id: int, active: bool) -> Saved:
    agency = get_agency(session=session, agency_id=agency_id)
    return save_agency(
        session=session,
        actor=actor,
        agency_id=agency_id,
        parent_id=agency.parent_id,
        fields=replace(agency_fields(agency), active=active),
    )


def active_agencies(*, session: Session) -> list[Agency]:
    return list(
        session.exec(select(Agency).where(col(Agency.active).is_(True)).order_by(col(Agency.name))).all()
    )


# -- categories ------------------------------------------------------------------------------------


def list_categories(*, session: Session) -> list[Category]:
    """Every category in the form's order (inactive ones too)."""
    return list(session.exec(select(Category).order_by(col(Category.position), col(Category.id))).all())


def category_names(*, session: Session) -> list[str]:
    """What the proposal form offers and accepts: the active categories in order."""
    return [c.name for c in list_categories(session=session) if c.active]


def get_category(*, session: Session, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFoundError(N_("There is no such category."), field="category")
    return category


def _log_category(
    session: Session, actor: AdminActor, category: Category, action: AdminAction, before: Any
) -> None:
    record_change(
        session=session,
        actor=actor,
        kind=AdminKind.CATEGORY,
        object_id=category.id,
        action=action,
        before=before,
        after=snapshot(category, CATEGORY_LOGGED),
    )


def _unique_name(session: Session, name: str, category_id: int | None) -> str:
    try:
        clean = validate_category(name)
    except RuleError as error:
        raise _rule(error) from None
    same = session.exec(select(Category).where(Category.name == clean)).first()
    if same is not None and same.id != category_id:
        raise DuplicateError(
            N_("A category called %(name)s already exists."), field="name", params={"name": clean}
        )
    return clean


def create_category(*, session: Session, actor: AdminActor, name: str) -> Category:
    """A new category, last in the form's list."""
    clean = _unique_name(session, name, None)
    last = session.exec(select(func.max(Category.position))).one() or 0
    category = Category(name=clean, position=last + 1, active=True)
    session.add(category)
    session.flush()
    _log_category(session, actor, category, AdminAction.CREATE, None)
    return category


def rename_category(*, session: Session, actor: AdminActor, category_id: int, name: str) -> Saved:
    """Rename a category: the form offers the new name; proposals filed under the old one keep it."""
    category = get_category(session=session, category_id=category_id)
    clean = _unique_name(session, name, category.id)
    if clean == category.name:
        return Saved(category, changed=False)
    before = snapshot(category, CATEGORY_LOGGED)
    category.name = clean
    session.add(category)
    session.flush()
    _log_category(session, actor, category, AdminAction.RENAME, before)
    return Saved(category, changed=True)


def set_category_active(*, session: Session, actor: AdminActor, category_id: int, active: bool) -> Saved:
    category = get_category(session=session, category_id=category_id)
    if category.active == active:
        return Saved(category, changed=False)
    if not active and len(category_names(session=session)) <= 1:
        raise InvalidInput([Problem(None, N_("The form needs at least one category; add another first."))])
    before = snapshot(category, CATEGORY_LOGGED)
    category.active = active
    session.add(category)
    session.flush()
    _log_category(
        session, actor, category, AdminAction.ACTIVATE if active else AdminAction.DEACTIVATE, before
    )
    return Saved(category, changed=True)


def move_category(*, session: Session, actor: AdminActor, category_id: int, step: int) -> Saved:
    """Move a category one place up (``step`` -1) or down (+1) in the form's list."""
    rows = list_categories(session=session)
    index = next((i for i, c in enumerate(rows) if c.id == category_id), None)
    if index is None:
        raise NotFoundError(N_("There is no such category."), field="category")
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(rows):
        return Saved(rows[index], changed=False)
    # Renumber the whole list, so positions stay 1..n whatever they were.
    rows[index], rows[other] = rows[other], rows[index]
    before = snapshot(rows[other], CATEGORY_LOGGED)
    for position, category in enumerate(rows, start=1):
        category.position = position
        session.add(category)
    session.flush()
    _log_category(session, actor, rows[other], AdminAction.UPDATE, before)
    return Saved(rows[other], changed=True)
