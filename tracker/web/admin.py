"""The administration (admin role only): sessions (届次/会议) and the admin log; accounts are in
tracker/web/admin_users.py, on this blueprint.

Staff who are not admins get 403, visitors the login page. Every change goes through
tracker.services.sessions, which records it in the admin log.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.domain.sessions import BODIES, SessionFields, SessionIntake
from tracker.i18n import lazy_gettext as _l
from tracker.models import AdminAction, AdminKind
from tracker.services import admin_log, sessions
from tracker.services.admin_log import AdminActor
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError
from tracker.services.visibility import Role
from tracker.web.args import choice_arg, page_arg, require_id
from tracker.web.auth import current_user, roles_required
from tracker.web.forms import ButtonForm, SessionForm, put_problems
from tracker.web.labels import meeting_label
from tracker.web.steps import run_step

bp = Blueprint("admin", __name__, url_prefix="/admin")

admin_only = roles_required(Role.ADMIN)

BODY = {"政协": _l("CPPCC"), "人大": _l("People's Congress")}  # issue 15: named in the UI's language
INTAKE = {
    SessionIntake.MEETING: _l("Proposals of the meeting (大会提案)"),
    SessionIntake.INTERIM: _l("Proposals between meetings (平时提案)"),
}
KIND = {
    AdminKind.SESSION: _l("Session"),
    AdminKind.MEMBER: _l("Member"),
    AdminKind.AGENCY: _l("Agency"),
    AdminKind.CATEGORY: _l("Category"),
    AdminKind.USER: _l("Account"),
}
ACTION = {
    AdminAction.CREATE: _l("Created"),
    AdminAction.UPDATE: _l("Changed"),
    AdminAction.OPEN: _l("Opened"),
    AdminAction.CLOSE: _l("Closed"),
    AdminAction.MAKE_CURRENT: _l("Made current"),
    AdminAction.RENAME: _l("Renamed"),
    AdminAction.DEACTIVATE: _l("Deactivated"),
    AdminAction.ACTIVATE: _l("Activated"),
    AdminAction.REACTIVATE: _l("Reactivated"),
    AdminAction.UNLOCK: _l("Unlocked"),
    AdminAction.RESET_PASSWORD: _l("Password reset"),
    AdminAction.CHANGE_ROLE: _l("Role changed"),
    AdminAction.END_LOGIN: _l("Login ended"),
}
LOG_PAGE_SIZE = 50


def _actor() -> AdminActor:
    return AdminActor(current_user.username, user_id=current_user.id)


@bp.get("/")
@admin_only
def index() -> str:
    session = get_session()
    return render_template(
        "admin/index.html",
        current=sessions.current_session(session=session),
        open_count=len(sessions.open_sessions(session=session)),
        session_count=len(sessions.list_sessions(session=session)),
        recent=admin_log.changes(session=session, page_size=5).items,
        kinds=KIND,
        actions=ACTION,
    )


@bp.get("/sessions")
@admin_only
def session_list() -> str:
    return render_template(
        "admin/sessions.html",
        rows=sessions.list_sessions(session=get_session()),
        intake=INTAKE,
        button=ButtonForm(formdata=None),
    )


def _form(**kwargs: object) -> SessionForm:
    form = SessionForm(**kwargs)  # type: ignore[arg-type]
    form.intake.choices = [(k.value, str(v)) for k, v in INTAKE.items()]
    # the stored values stay the committee's own words; the labels follow the UI language
    form.body.choices = [(value, str(BODY.get(value, value))) for value in BODIES]
    return form


def _fields(form: SessionForm) -> SessionFields:
    """What was typed; a year or date that is not one is refused here, with the form kept as typed."""
    problems = []
    year_text = (form.year.data or "").strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) <= 4 else None
    if year_text and year is None:
        problems.append(Problem("year", N_("Enter the year as four digits, e.g. 2026.")))
    for field in (form.starts_on, form.ends_on):
        typed = (field.raw_data or [""])[0].strip()
        if typed and field.data is None:
            problems.append(Problem(field.name, N_("Enter the date as a date, e.g. 2026-01-15.")))
    if problems:
        raise InvalidInput(problems)
    return SessionFields(
        body=form.body.data or "",
        organisation=form.organisation.data or "",
        term=form.term.data or "",
        sitting=form.sitting.data or "",
        full_name=form.full_name.data or "",
        short_name=form.short_name.data or "",
        year=year,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        intake=form.intake.data or "",
        number_prefix=form.number_prefix.data or "",
    )


def _edit_page(
    form: SessionForm, meeting_id: int | None, general: list[str], status: int = 200
) -> tuple[str, int]:
    meeting = sessions.get(session=get_session(), meeting_id=meeting_id) if meeting_id else None
    return render_template("admin/session_form.html", form=form, meeting=meeting, general=general), status


@bp.get("/sessions/new")
@admin_only
def new_session() -> tuple[str, int]:
    form = _form(formdata=None, data={"year": str(date.today().year), "is_open": True})
    return _edit_page(form, None, [])


@bp.post("/sessions/new")
@admin_only
def create_session() -> Response | tuple[str, int]:
    form = _form()
    session = get_session()
    try:
        meeting = sessions.create_session(
            session=session,
            actor=_actor(),
            fields=_fields(form),
            is_open=bool(form.is_open.data),
            make_current=bool(form.make_current.data),
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        return _edit_page(form, None, put_problems(form, error.problems), 422)
    flash(_("The session %(name)s was created.", name=meeting_label(meeting)), "success")
    return redirect(url_for("admin.session_list"), code=303)


@bp.get("/sessions/<int:meeting_id>")
@admin_only
def edit_session(meeting_id: int) -> tuple[str, int]:
    try:
        meeting = sessions.get(session=get_session(), meeting_id=require_id(meeting_id))
    except NotFoundError:
        abort(404)
    values = sessions.fields_of(meeting)
    data = {**values.__dict__, "year": str(values.year or "")}
    return _edit_page(_form(formdata=None, data=data), meeting.id, [])


@bp.post("/sessions/<int:meeting_id>")
@admin_only
def save_session(meeting_id: int) -> Response | tuple[str, int]:
    form = _form()
    session = get_session()
    try:
        outcome = sessions.update_session(
            session=session, actor=_actor(), meeting_id=require_id(meeting_id), fields=_fields(form)
        )
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ServiceError as error:
        session.rollback()
        return _edit_page(form, meeting_id, put_problems(form, error.problems), 422)
    flash(_("The session was saved.") if outcome.changed else _("Nothing was changed."), "success")
    return redirect(url_for("admin.session_list"), code=303)


def _button(meeting_id: int, done: str, step) -> Response:  # type: ignore[no-untyped-def]
    ButtonForm()  # CSRF is checked by CSRFProtect before the view; the form keeps the pattern visible
    return run_step(lambda s: step(s, require_id(meeting_id)), done=done, back=url_for("admin.session_list"))


@bp.post("/sessions/<int:meeting_id>/open")
@admin_only
def open_session(meeting_id: int) -> Response:
    return _button(
        meeting_id,
        _("The session is open: staff may accept proposals into it."),
        lambda s, i: sessions.set_open(session=s, actor=_actor(), meeting_id=i, is_open=True),
    )


@bp.post("/sessions/<int:meeting_id>/close")
@admin_only
def close_session(meeting_id: int) -> Response:
    return _button(
        meeting_id,
        _("The session is closed: it takes no more proposals."),
        lambda s, i: sessions.set_open(session=s, actor=_actor(), meeting_id=i, is_open=False),
    )


@bp.post("/sessions/<int:meeting_id>/current")
@admin_only
def make_current(meeting_id: int) -> Response:
    return _button(
        meeting_id,
        _("This is now the current session."),
        lambda s, i: sessions.set_current(session=s, actor=_actor(), meeting_id=i),
    )


@bp.get("/log")
@admin_only
def log() -> str:
    kind = choice_arg("kind", (k.value for k in AdminKind))
    page = admin_log.changes(
        session=get_session(),
        kind=kind,
        page=page_arg(),
        page_size=int(current_app.config.get("ADMIN_LOG_PAGE_SIZE", LOG_PAGE_SIZE)),
    )
    return render_template("admin/log.html", page=page, kind=kind, kinds=KIND, actions=ACTION)
