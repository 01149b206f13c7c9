"""The administration's accounts (admin role only): list, create, deactivate, reactivate, unlock,
reset the password, change the role, see and end an account's logins.

Registered on the admin blueprint (tracker/web/admin.py), so staff who are not admins get 403 and
visitors the login page. Every change goes through tracker.services.user_admin, which records it in
the admin log. A generated password is shown once, on the answer to the POST itself (never in a
flash message, which would keep it in the session), with caching turned off.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, SelectField, StringField

from tracker.db import get_session
from tracker.domain.lockout import is_locked
from tracker.i18n import lazy_gettext as _l
from tracker.models import User, UserRole
from tracker.services import accounts, user_admin
from tracker.services.errors import NotFoundError, ServiceError
from tracker.services.workflow import utcnow
from tracker.web.admin import _actor, admin_only, bp
from tracker.web.args import bounded_int, choice_arg, page_arg, require_id
from tracker.web.auth import session_limits
from tracker.web.forms import ButtonForm, put_problems
from tracker.web.labels import USER_ROLE
from tracker.web.steps import run_step

USERS_PAGE_SIZE = 50
MAX_QUERY = 100
STATUS = {
    "active": _l("Active"),
    "inactive": _l("Deactivated"),
    "locked": _l("Locked"),
}


class AccountForm(FlaskForm):
    """A new account: its name, role, the member or agency it acts for, and a first password."""

    username = StringField(_l("Username"))
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    member = SelectField(_l("Member (for a member account)"), choices=[], validate_choice=False)
    agency = SelectField(_l("Agency (for an agency account)"), choices=[], validate_choice=False)
    password = PasswordField(_l("Temporary password"))
    generate = BooleanField(_l("Generate a password and show it once"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    member = SelectField(_l("Member (for a member account)"), choices=[], validate_choice=False)
    agency = SelectField(_l("Agency (for an agency account)"), choices=[], validate_choice=False)


class EmailForm(FlaskForm):
    email = StringField(_l("E-mail address"))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Temporary password"))
    generate = BooleanField(_l("Generate a password and show it once"))


def _with_choices(form: AccountForm | RoleForm) -> AccountForm | RoleForm:
    session = get_session()
    form.role.choices = [(r.value, str(USER_ROLE[r])) for r in UserRole]
    members = user_admin.members(session=session)
    names = Counter(m.name for m in members)
    # Names are not unique in life: two 张三 are told apart by their number.
    form.member.choices = [("", "—")] + [
        (str(m.id), m.name if names[m.name] == 1 else f"{m.name} (#{m.id})") for m in members
    ]
    form.agency.choices = [("", "—")] + [(str(a.id), a.name) for a in user_admin.agencies(session=session)]
    return form


def _no_store(body: str, status: int = 200) -> Response:
    """A page that shows a password: kept by no cache, not even the browser's history."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/users")
@admin_only
def users() -> str:
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    role = choice_arg("role", (r.value for r in UserRole))
    status = choice_arg("status", STATUS)
    page = user_admin.list_users(
        session=get_session(),
        now=utcnow(),
        query=query,
        role=role,
        status=status,
        page=page_arg(),
        page_size=int(current_app.config.get("ADMIN_USERS_PAGE_SIZE", USERS_PAGE_SIZE)),
    )
    args = {k: v for k, v in (("q", query), ("role", role), ("status", status)) if v}
    return render_template(
        "admin/users.html", page=page, query=query, role=role, status=status, statuses=STATUS, args=args
    )


def _new_page(form: AccountForm, general: list[str], status: int = 200) -> tuple[str, int]:
    return render_template("admin/user_new.html", form=form, general=general), status


@bp.get("/users/new")
@admin_only
def new_user() -> tuple[str, int]:
    return _new_page(_with_choices(AccountForm(formdata=None, data={"generate": True})), [])  # type: ignore[arg-type]


@bp.post("/users/new")
@admin_only
def create_user() -> Response | tuple[str, int]:
    form: AccountForm = _with_choices(AccountForm())  # type: ignore[assignment]
    session = get_session()
    generated = bool(form.generate.data)
    password = user_admin.generate_password() if generated else (form.password.data or "")
    try:
        user = user_admin.create_account(
            session=session,
            actor=_actor(),
            username=form.username.data or "",
            role=form.role.data or "",
            password=password,
            member_id=bounded_int(form.member.data),
            agency_id=bounded_int(form.agency.data),
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        form.password.data = ""  # a password is never sent back to the browser
        return _new_page(form, put_problems(form, error.problems), 422)
    if generated:
        return _no_store(
            render_template("admin/user_password.html", user=user, password=password, created=True)
        )
    flash(_("The account %(name)s was created.", name=user.username), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)


def _detail_page(
    user: User,
    *,
    role_form: RoleForm | None = None,
    password_form: PasswordForm | None = None,
    email_form: EmailForm | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = get_session()
    now = utcnow()
    if role_form is None:
        data = {"role": user.role, "member": str(user.member_id or ""), "agency": str(user.agency_id or "")}
        role_form = RoleForm(formdata=None, data=data)
    locked_until = accounts.locked_until_of(user)
    page = render_template(
        "admin/user.html",
        user=user,
        locked_until=locked_until if is_locked(locked_until, now=now) else None,
        failures=accounts.failure_count(session=session, user_id=user.id or 0),
        logins=user_admin.open_logins(
            session=session, user_id=user.id or 0, now=now, limits=session_limits()
        ),
        # the login this page is seen through, so the list can say so
        this_login=accounts.open_login(session=session, token=current_user.get_id()),
        role_form=_with_choices(role_form),
        password_form=password_form or PasswordForm(formdata=None, data={"generate": True}),
        email_form=email_form or EmailForm(formdata=None, data={"email": user.email or ""}),
        button=ButtonForm(formdata=None),
        general=general or [],
    )
    return page, status


def _get(user_id: int) -> User:
    try:
        return user_admin.get_user(session=get_session(), user_id=require_id(user_id))
    except NotFoundError:
        abort(404)


@bp.get("/users/<int:user_id>")
@admin_only
def user_detail(user_id: int) -> tuple[str, int]:
    return _detail_page(_get(user_id))


def _back(user_id: int) -> str:
    return url_for("admin.user_detail", user_id=user_id)


@bp.post("/users/<int:user_id>/deactivate")
@admin_only
def deactivate_user(user_id: int) -> Response:
    return run_step(
        lambda s: user_admin.deactivate(session=s, actor=_actor(), user_id=require_id(user_id), now=utcnow()),
        done=_("The account is deactivated: it cannot log in, and its open logins have ended."),
        back=_back(user_id),
    )


@bp.post("/users/<int:user_id>/reactivate")
@admin_only
def reactivate_user(user_id: int) -> Response:
    return run_step(
        lambda s: user_admin.reactivate(session=s, actor=_actor(), user_id=require_id(user_id)),
        done=_("The account is active again."),
        back=_back(user_id),
    )


@bp.post("/users/<int:user_id>/unlock")
@admin_only
def unlock_user(user_id: int) -> Response:
    return run_step(
        lambda s: user_admin.unlock(session=s, actor=_actor(), user_id=require_id(user_id)),
        done=_("The account is unlocked and its failed logins are forgotten."),
        back=_back(user_id),
    )


@bp.post("/users/<int:user_id>/password")
@admin_only
def reset_password(user_id: int) -> Response | tuple[str, int]:
    user = _get(user_id)
    form = PasswordForm()
    generated = bool(form.generate.data)
    session = get_session()
    try:
        password = user_admin.reset_password(
            session=session,
            actor=_actor(),
            user_id=user.id or 0,
            password=None if generated else (form.password.data or ""),
            now=utcnow(),
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        general = put_problems(form, error.problems)
        return _detail_page(_get(user_id), password_form=form, general=general, status=422)
    if generated:
        return _no_store(
            render_template("admin/user_password.html", user=user, password=password, created=False)
        )
    flash(_("The password was reset and the account's open logins have ended."), "success")
    return redirect(_back(user_id), code=303)


@bp.post("/users/<int:user_id>/role")
@admin_only
def change_role(user_id: int) -> Response | tuple[str, int]:
    user = _get(user_id)
    form: RoleForm = _with_choices(RoleForm())  # type: ignore[assignment]
    session = get_session()
    try:
        changed = user_admin.change_role(
            session=session,
            actor=_actor(),
            user_id=user.id or 0,
            role=form.role.data or "",
            member_id=bounded_int(form.member.data),
            agency_id=bounded_int(form.agency.data),
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        general = put_problems(form, error.problems)
        return _detail_page(_get(user_id), role_form=form, general=general, status=422)
    flash(_("The role was changed.") if changed else _("Nothing was changed."), "success")
    return redirect(_back(user_id), code=303)


@bp.post("/users/<int:user_id>/email")
@admin_only
def set_email(user_id: int) -> Response | tuple[str, int]:
    """The account's e-mail address for notifications (issue 15)."""
    user = _get(user_id)
    form = EmailForm()
    session = get_session()
    try:
        changed = user_admin.set_email(
            session=session, actor=_actor(), user_id=user.id or 0, email=form.email.data or ""
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        general = put_problems(form, error.problems)
        return _detail_page(_get(user_id), email_form=form, general=general, status=422)
    flash(_("The e-mail address was saved.") if changed else _("Nothing was changed."), "success")
    return redirect(_back(user_id), code=303)


@bp.post("/users/<int:user_id>/logins/<int:login_id>/end")
@admin_only
def end_login(user_id: int, login_id: int) -> Response:
    return run_step(
        lambda s: user_admin.end_login(
            session=s,
            actor=_actor(),
            user_id=require_id(user_id),
            login_id=require_id(login_id),
            now=utcnow(),
        ),
        done=_("The login has ended: that browser must log in again."),
        back=_back(user_id),
    )


@bp.post("/users/<int:user_id>/logins/end")
@admin_only
def end_logins(user_id: int) -> Response:
    return run_step(
        lambda s: user_admin.end_all_logins(
            session=s, actor=_actor(), user_id=require_id(user_id), now=utcnow()
        ),
        done=_("Every open login of the account has ended."),
        back=_back(user_id),
    )
