"""The administration of people (issue 12): members, agencies (renaming keeps the history),
categories of the proposal form, and the import of members and agencies from a spreadsheet.

Routes register on the admin blueprint (admin role only: staff get 403, visitors the login page).
Every change goes through tracker.services.directory or tracker.services.people_import, which record
it in the admin log. A form that fails comes back as typed with a 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlmodel import Session
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Optional

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.domain.people import AgencyFields, AgencyKind, MemberFields, MemberKind, PeopleKind
from tracker.i18n import lazy_gettext as _l
from tracker.services import directory, people_import
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError
from tracker.web.admin import _actor, admin_only, bp
from tracker.web.args import choice_arg, page_arg, require_id
from tracker.web.forms import ButtonForm, optional_int, put_problems
from tracker.web.labels import MEMBER_KIND
from tracker.web.messages import describe
from tracker.web.steps import run_step

AGENCY_KIND = {
    AgencyKind.DISTRICT: _l("District department (区级部门)"),
    AgencyKind.TOWN: _l("Town or sub-district (镇街)"),
    AgencyKind.OTHER: _l("Other"),
}
STATES = ("active", "inactive", "all")


class MemberForm(FlaskForm):
    name = StringField(_l("Member name"))  # not "Name": a person's 姓名, not a thing's 名称
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    sector = StringField(_l("Sector (界别)"))
    party = StringField(_l("Party or group"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address"))
    email = StringField(_l("E-mail"))


class AgencyForm(FlaskForm):
    name = StringField(_l("Agency name"))  # not "Full name": that is the session's 会议全称
    short_name = StringField(_l("Short name"))
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    parent = SelectField(_l("Parent agency"), coerce=optional_int, choices=[], validate_choice=False)
    renamed_on = DateField(_l("The new name is in force from"), validators=[Optional()])
    correction = BooleanField(
        _l("Only correct a misspelt name (replies signed before show the corrected name)")
    )


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"))


class ImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"))
    kind = SelectField(_l("The file lists"), choices=[], validate_choice=False)


def _state() -> tuple[str, bool | None]:
    state = choice_arg("state", STATES) or "active"
    return state, {"active": True, "inactive": False}.get(state)


def _page_size() -> int:
    return int(current_app.config.get("ADMIN_PAGE_SIZE", directory.PAGE_SIZE))


def _saved(
    save: Callable[[Session], directory.Saved],
    page: Callable[[list[str]], tuple[str, int]],
    done: str,
    back: str,
) -> Response | tuple[str, int]:
    """Run a save; on a refusal roll back and show the form again as typed (422)."""
    session = get_session()
    try:
        saved = save(session)
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ServiceError as error:
        session.rollback()
        return page(error.problems)  # type: ignore[arg-type]
    flash(done if saved.changed else _("Nothing was changed."), "success")
    return redirect(back, code=303)


# -- members ---------------------------------------------------------------------------------------


@bp.get("/members")
@admin_only
def member_list() -> str:
    q = " ".join(request.args.get("q", "").split())[:100]
    state, active = _state()
    page = directory.list_members(
        session=get_session(), q=q, active=active, page=page_arg(), page_size=_page_size()
    )
    return render_template(
        "admin/members.html", page=page, q=q, state=state, kinds=MEMBER_KIND, button=ButtonForm(formdata=None)
    )


def _member_form(**kwargs: Any) -> MemberForm:
    form = MemberForm(**kwargs)
    form.kind.choices = [(k.value, str(v)) for k, v in MEMBER_KIND.items()]
    return form


def _member_page(form: MemberForm, member_id: int | None, problems: list[Problem]) -> tuple[str, int]:
    member = directory.get_member(session=get_session(), member_id=member_id) if member_id else None
    general = put_problems(form, problems)
    status = 422 if problems else 200
    return render_template("admin/member_form.html", form=form, member=member, general=general), status


def _member_fields(form: MemberForm, active: bool = True) -> MemberFields:
    return MemberFields(
        name=form.name.data or "",
        kind=form.kind.data or "",
        sector=form.sector.data or "",
        party=form.party.data or "",
        phone=form.phone.data or "",
        address=form.address.data or "",
        email=form.email.data or "",
        active=active,
    )


@bp.get("/members/new")
@admin_only
def new_member() -> tuple[str, int]:
    return _member_page(_member_form(formdata=None, data={"kind": MemberKind.MEMBER.value}), None, [])


@bp.post("/members/new")
@admin_only
def create_member() -> Response | tuple[str, int]:
    form = _member_form()
    return _saved(
        lambda s: directory.save_member(session=s, actor=_actor(), fields=_member_fields(form)),
        lambda problems: _member_page(form, None, problems),
        _("The member was added."),
        url_for("admin.member_list"),
    )


@bp.get("/members/<int:member_id>")
@admin_only
def edit_member(member_id: int) -> tuple[str, int]:
    try:
        member = directory.get_member(session=get_session(), member_id=require_id(member_id))
    except NotFoundError:
        abort(404)
    return _member_page(
        _member_form(formdata=None, data=vars(directory.member_fields(member))), member.id, []
    )


@bp.post("/members/<int:member_id>")
@admin_only
def save_member(member_id: int) -> Response | tuple[str, int]:
    form = _member_form()
    member_id = require_id(member_id)

    def save(s: Session) -> directory.Saved:
        active = directory.get_member(session=s, member_id=member_id).active
        return directory.save_member(
            session=s, actor=_actor(), member_id=member_id, fields=_member_fields(form, active)
        )

    return _saved(
        save,
        lambda problems: _member_page(form, member_id, problems),
        _("The member was saved."),
        url_for("admin.member_list"),
    )


@bp.post("/members/<int:member_id>/deactivate")
@admin_only
def deactivate_member(member_id: int) -> Response:
    ButtonForm()  # CSRF is checked by CSRFProtect before the view
    return run_step(
        lambda s: directory.set_member_active(
            session=s, actor=_actor(), member_id=require_id(member_id), active=False
        ),
        done=_("The member was deactivated: kept on their proposals, no longer offered as a co-signer."),
        back=url_for("admin.edit_member", member_id=member_id),
    )


@bp.post("/members/<int:member_id>/activate")
@admin_only
def activate_member(member_id: int) -> Response:
    ButtonForm()
    return run_step(
        lambda s: directory.set_member_active(
            session=s, actor=_actor(), member_id=require_id(member_id), active=True
        ),
        done=_("The member is active again."),
        back=url_for("admin.edit_member", member_id=member_id),
    )


# -- agencies --------------------------------------------------------------------------------------


@bp.get("/agencies")
@admin_only
def agency_list() -> str:
    q = " ".join(request.args.get("q", "").split())[:100]
    state, active = _state()
    session = get_session()
    page = directory.list_agencies(
        session=session, q=q, active=active, page=page_arg(), page_size=_page_size()
    )
    parents = {a.id: a for a in directory.list_agencies(session=session, page_size=1_000_000).items}
    return render_template(
        "admin/agencies.html", page=page, q=q, state=state, kinds=AGENCY_KIND, parents=parents
    )


def _agency_form(agency_id: int | None, **kwargs: Any) -> AgencyForm:
    form = AgencyForm(**kwargs)
    form.kind.choices = [(k.value, str(v)) for k, v in AGENCY_KIND.items()]
    others = [a for a in directory.active_agencies(session=get_session()) if a.id != agency_id]
    # "" and not None: None would be rendered as the value "None", which reads back as a bad choice.
    form.parent.choices = [("", _("None"))] + [(a.id, a.name) for a in others]
    return form


def _agency_page(form: AgencyForm, agency_id: int | None, problems: list[Problem]) -> tuple[str, int]:
    session = get_session()
    agency = directory.get_agency(session=session, agency_id=agency_id) if agency_id else None
    history = directory.name_history(session=session, agency_id=agency_id) if agency_id else []
    general = put_problems(form, problems)
    return render_template(
        "admin/agency_form.html",
        form=form,
        agency=agency,
        history=history,
        general=general,
        button=ButtonForm(formdata=None),
    ), (422 if problems else 200)


def _agency_fields(form: AgencyForm, active: bool = True) -> AgencyFields:
    return AgencyFields(
        name=form.name.data or "",
        short_name=form.short_name.data or "",
        kind=form.kind.data or "",
        active=active,
    )


def _typed_date(form: AgencyForm) -> None:
    typed = (form.renamed_on.raw_data or [""])[0].strip()
    if typed and form.renamed_on.data is None:
        raise InvalidInput([Problem("renamed_on", N_("Enter the date as a date, e.g. 2026-01-15."))])


def _parent(form: AgencyForm) -> int | None:
    parent = form.parent.data
    if parent is None and (form.parent.raw_data or [""])[0].strip():
        raise InvalidInput([Problem("parent", N_("Choose the parent agency from the list."))])
    return parent


@bp.get("/agencies/new")
@admin_only
def new_agency() -> tuple[str, int]:
    return _agency_page(_agency_form(None, formdata=None, data={"kind": AgencyKind.DISTRICT.value}), None, [])


@bp.post("/agencies/new")
@admin_only
def create_agency() -> Response | tuple[str, int]:
    form = _agency_form(None)

    def save(s: Session) -> directory.Saved:
        return directory.save_agency(
            session=s, actor=_actor(), fields=_agency_fields(form), parent_id=_parent(form)
        )

    return _saved(
        save,
        lambda problems: _agency_page(form, None, problems),
        _("The agency was added."),
        url_for("admin.agency_list"),
    )


@bp.get("/agencies/<int:agency_id>")
@admin_only
def edit_agency(agency_id: int) -> tuple[str, int]:
    try:
        agency = directory.get_agency(session=get_session(), agency_id=require_id(agency_id))
    except NotFoundError:
        abort(404)
    data = {**vars(directory.agency_fields(agency)), "parent": agency.parent_id}
    return _agency_page(_agency_form(agency.id, formdata=None, data=data), agency.id, [])


@bp.post("/agencies/<int:agency_id>")
@admin_only
def save_agency(agency_id: int) -> Response | tuple[str, int]:
    agency_id = require_id(agency_id)
    form = _agency_form(agency_id)

    def save(s: Session) -> directory.Saved:
        _typed_date(form)
        active = directory.get_agency(session=s, agency_id=agency_id).active
        return directory.save_agency(
            session=s,
            actor=_actor(),
            agency_id=agency_id,
            fields=_agency_fields(form, active),
            parent_id=_parent(form),
            renamed_on=form.renamed_on.data,
            correction=bool(form.correction.data),
        )

    return _saved(
        save,
        lambda problems: _agency_page(form, agency_id, problems),
        _("The agency was saved."),
        url_for("admin.agency_list"),
    )


@bp.post("/agencies/<int:agency_id>/deactivate")
@admin_only
def deactivate_agency(agency_id: int) -> Response:
    ButtonForm()
    return run_step(
        lambda s: directory.set_agency_active(
            session=s, actor=_actor(), agency_id=require_id(agency_id), active=False
        ),
        done=_("The agency was deactivated: its replies stay, it is no longer offered for assignment."),
        back=url_for("admin.edit_agency", agency_id=agency_id),
    )


@bp.post("/agencies/<int:agency_id>/activate")
@admin_only
def activate_agency(agency_id: int) -> Response:
    ButtonForm()
    return run_step(
        lambda s: directory.set_agency_active(
            session=s, actor=_actor(), agency_id=require_id(agency_id), active=True
        ),
        done=_("The agency is active again."),
        back=url_for("admin.edit_agency", agency_id=agency_id),
    )


# -- categories ------------------------------------------------------------------------------------


def _categories_page(form: CategoryForm, problems: list[Problem]) -> tuple[str, int]:
    general = put_problems(form, problems)
    return render_template(
        "admin/categories.html",
        rows=directory.list_categories(session=get_session()),
        form=form,
        general=general,
        button=ButtonForm(formdata=None),
    ), (422 if problems else 200)


@bp.get("/categories")
@admin_only
def category_list() -> tuple[str, int]:
    return _categories_page(CategoryForm(formdata=None), [])


@bp.post("/categories")
@admin_only
def create_category() -> Response | tuple[str, int]:
    form = CategoryForm()

    def save(s: Session) -> directory.Saved:
        return directory.Saved(
            directory.create_category(session=s, actor=_actor(), name=form.name.data or ""), True, True
        )

    return _saved(
        save,
        lambda problems: _categories_page(form, problems),
        _("The category was added at the end of the list."),
        url_for("admin.category_list"),
    )


@bp.post("/categories/<int:category_id>")
@admin_only
def rename_category(category_id: int) -> Response:
    """Rename from the list's row form; a refusal is flashed (the list shows every row's own form)."""
    form = CategoryForm()
    return run_step(
        lambda s: directory.rename_category(
            session=s, actor=_actor(), category_id=require_id(category_id), name=form.name.data or ""
        ),
        done=_("The category was renamed; proposals filed under the old name keep it."),
        back=url_for("admin.category_list"),
    )


def _category_step(category_id: int, done: str, step: Callable[[Session, int], Any]) -> Response:
    ButtonForm()
    return run_step(
        lambda s: step(s, require_id(category_id)), done=done, back=url_for("admin.category_list")
    )


@bp.post("/categories/<int:category_id>/deactivate")
@admin_only
def deactivate_category(category_id: int) -> Response:
    return _category_step(
        category_id,
        _("The category is no longer offered; proposals filed under it keep it."),
        lambda s, i: directory.set_category_active(session=s, actor=_actor(), category_id=i, active=False),
    )


@bp.post("/categories/<int:category_id>/activate")
@admin_only
def activate_category(category_id: int) -> Response:
    return _category_step(
        category_id,
        _("The category is offered again."),
        lambda s, i: directory.set_category_active(session=s, actor=_actor(), category_id=i, active=True),
    )


@bp.post("/categories/<int:category_id>/up")
@admin_only
def category_up(category_id: int) -> Response:
    return _category_step(
        category_id,
        _("The list's order was saved."),
        lambda s, i: directory.move_category(session=s, actor=_actor(), category_id=i, step=-1),
    )


@bp.post("/categories/<int:category_id>/down")
@admin_only
def category_down(category_id: int) -> Response:
    return _category_step(
        category_id,
        _("The list's order was saved."),
        lambda s, i: directory.move_category(session=s, actor=_actor(), category_id=i, step=1),
    )


# -- import ----------------------------------------------------------------------------------------

IMPORT_KIND = {
    "": _l("Tell from the headers"),
    PeopleKind.MEMBERS.value: _l("Members"),
    PeopleKind.AGENCIES.value: _l("Agencies"),
}


def _import_form(**kwargs: Any) -> ImportForm:
    form = ImportForm(**kwargs)
    form.kind.choices = [(k, str(v)) for k, v in IMPORT_KIND.items()]
    return form


def _upload_page(form: ImportForm, problems: list[Problem]) -> tuple[str, int]:
    general = put_problems(form, problems)
    return render_template("admin/import.html", form=form, general=general), (422 if problems else 200)


@bp.get("/import")
@admin_only
def import_upload_form() -> tuple[str, int]:
    return _upload_page(_import_form(formdata=None), [])


@bp.post("/import")
@admin_only
def import_upload() -> Response | tuple[str, int]:
    form = _import_form()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(form, [Problem("file", N_("Choose the file to import."))])
    kind = form.kind.data if form.kind.data in {k.value for k in PeopleKind} else None
    session = get_session()
    try:
        staged, _plan = people_import.stage(
            session=session,
            user_id=_actor().user_id or 0,
            filename=upload.filename,
            data=upload.read(people_import.MAX_BYTES + 1),
            kind=PeopleKind(kind) if kind else None,
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        return _upload_page(form, error.problems)
    return redirect(url_for("admin.import_preview", token=staged.token), code=303)


def _staged(token: str) -> Any:
    try:
        return people_import.staged(session=get_session(), token=token, user_id=_actor().user_id or 0)
    except NotFoundError:
        abort(404)


@bp.get("/import/<token>")
@admin_only
def import_preview(token: str) -> str:
    """The preview of a staged file (planned against the database as it is now), or, once it is
    confirmed, what was done."""
    staged = _staged(token)
    result = staged.content.get("result")
    plan = None if result else people_import.replan(session=get_session(), staged_import=staged)
    errors = [
        {"row": e["row"], "name": e["name"], "messages": [describe(Problem(**p)) for p in e["problems"]]}
        for e in (result or {}).get("errors", [])
    ]
    return render_template(
        "admin/import_preview.html",
        staged=staged,
        plan=plan,
        result=result,
        result_errors=errors,
        describe=describe,
        member_kinds=MEMBER_KIND,
        agency_kinds=AGENCY_KIND,
        button=ButtonForm(formdata=None),
    )


@bp.post("/import/<token>")
@admin_only
def import_confirm(token: str) -> Response:
    ButtonForm()
    back = url_for("admin.import_preview", token=token)
    session = get_session()
    _staged(token)
    try:
        result = people_import.confirm(
            session=session, actor=_actor(), token=token, user_id=_actor().user_id or 0
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        flash(" ".join(describe(p) for p in error.problems), "error")
        return redirect(back, code=303)
    done = result["create"] + result["update"]
    flash(
        _(
            "%(done)d rows imported (%(created)d added, %(updated)d updated); %(errors)d rows with errors were not imported.",
            done=done,
            created=result["create"],
            updated=result["update"],
            errors=len(result["errors"]),
        ),
        "success",
    )
    return redirect(back, code=303)


def signed_name(reply: Any) -> str:
    """The name a reply was signed with (the agency's name in force on its date), for templates."""
    return directory.signed_name(session=get_session(), reply=reply)


def init_app(app: Any) -> None:
    app.add_template_global(signed_name)
