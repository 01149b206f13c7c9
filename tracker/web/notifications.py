"""Notifications in the app (issue 15): the header's unread count, the list with read and unread,
each leading to its proposal, the account's own settings (its e-mail address and, per kind, in the
app only, e-mail at once or a daily digest), and the 催办 form of the 督办 list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.notifications import KIND_NAMES, Channel
from tracker.mail import describe as describe_notice
from tracker.models import User
from tracker.services import extensions, notifications, oversight, review
from tracker.services.errors import NotFoundError, ServiceError
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.args import bounded_int, page_arg, require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, local_today, roles_required
from tracker.web.messages import describe, describe_error
from tracker.web.steps import run_step

bp = Blueprint("notifications", __name__)

any_account = roles_required(Role.MEMBER, Role.AGENCY, Role.STAFF, Role.ADMIN)
staff_only = roles_required(*STAFF_ROLES)
PAGE_SIZE = 30


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _header_count() -> dict[str, Any]:
    """The unread count for the header, for logged-in accounts only (one indexed count)."""
    if not current_user.is_authenticated:
        return {}
    return {
        "unread_notifications": notifications.unread_count(session=get_session(), user_id=current_user.id)
    }


def _own(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/notifications")
@any_account
def index() -> str:
    unread_only = request.args.get("show") == "unread"
    found = notifications.list_for(
        session=get_session(),
        user_id=current_user.id,
        unread_only=unread_only,
        page=page_arg(),
        size=PAGE_SIZE,
    )
    return render_template(
        "notifications/index.html",
        found=found,
        unread_only=unread_only,
        pager=Pager(page_arg(), max(1, -(-found.total // PAGE_SIZE))),
        text_of=describe_notice,
    )


def _mark(notification_id: int) -> str:
    """Mark one of the account's own notifications read; someone else's is not there (404)."""
    session = get_session()
    try:
        row = notifications.mark_read(
            session=session,
            user_id=current_user.id,
            notification_id=require_id(notification_id),
            now=utcnow(),
        )
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    return row.path


@bp.get("/notifications/<int:notification_id>")
@any_account
def open_one(notification_id: int) -> Response:
    """Follow a notification to what it is about, marking it read on the way (as a mail's link
    does). Only to a path of this site, stored by the service, never typed by anyone."""
    return redirect(_mark(notification_id), code=303)


@bp.post("/notifications/<int:notification_id>/read")
@any_account
def read(notification_id: int) -> Response:
    _mark(notification_id)
    return redirect(url_for("notifications.index", show=request.form.get("show") or None), code=303)


@bp.post("/notifications/read-all")
@any_account
def read_all() -> Response:
    return run_step(
        lambda s: notifications.mark_all_read(session=s, user_id=current_user.id, now=utcnow()),
        done=_("Every notification is marked read."),
        back=url_for("notifications.index"),
    )


def _settings_page(
    user: User, typed: dict[str, str] | None = None, errors: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    session = get_session()
    chosen = notifications.preferences(session=session, user=user)
    values = {k.value: c.value for k, c in chosen.items()}
    email = user.email or ""
    if typed is not None:
        values.update({k: v for k, v in typed.items() if k != "email"})
        email = typed.get("email", email)
    return (
        render_template(
            "notifications/settings.html",
            kinds=[(k, KIND_NAMES[k]) for k in chosen],
            values=values,
            channels=list(Channel),
            email=email,
            fallback=notifications.mail_address(session, user) if not user.email else "",
            errors=errors or {},
        ),
        status,
    )


@bp.get("/notifications/settings")
@any_account
def settings() -> tuple[str, int]:
    return _settings_page(_own(current_user.id))


@bp.post("/notifications/settings")
@any_account
def save_settings() -> Response | tuple[str, int]:
    session = get_session()
    user = _own(current_user.id)
    typed = {"email": request.form.get("email", "")}
    for kind in notifications.kinds_for(user.role):
        typed[kind.value] = request.form.get(f"kind-{kind.value}", "")
    try:
        notifications.save_settings(
            session=session,
            user=user,
            email=typed["email"],
            channels={k: v for k, v in typed.items() if k != "email"},
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        errors = {p.field or "": describe(p) for p in error.problems}
        return _settings_page(_own(current_user.id), typed, errors, status=422)
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("notifications.settings"), code=303)


# -- 催办 from the 督办 list --------------------------------------------------------------------------


@bp.post("/review/overdue/<int:proposal_id>/urge")
@staff_only
def urge(proposal_id: int) -> Response | tuple[str, int]:
    session = get_session()
    note = request.form.get("note", "")
    agency_id = bounded_int(request.form.get("agency"))
    try:
        oversight.urge(
            session=session,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            agency_id=agency_id,
            note=note,
        )
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ServiceError as error:
        session.rollback()
        # the list again, with what was typed kept in this row's form and the reason beside it
        page = render_template(
            "review/overdue.html",
            rows=review.overdue(session=session, today=local_today()),
            extension_count=extensions.pending_count(session=session),
            urge_targets=_targets(session),
            urge_failed={
                "proposal": proposal_id,
                "note": note,
                "agency": agency_id,
                "message": describe_error(error),
            },
        )
        return page, 422
    flash(_("The agency was urged to answer (催办); the step is in the proposal's timeline."), "success")
    return redirect(url_for("review.overdue"), code=303)


def _targets(session: Any) -> dict[int, list[tuple[int, str, str]]]:
    """For each overdue proposal, the agencies a 催办 may go to: (id, name, role)."""
    rows = review.overdue(session=session, today=local_today())
    return {
        row.proposal.id or 0: [
            (agency.id or 0, agency.name, assignment.role)
            for assignment, agency in notifications.urge_targets(
                session=session, proposal_id=row.proposal.id or 0
            )
        ]
        for row in rows
    }


def overdue_extras() -> dict[str, Any]:
    """What the 督办 list's 催办 forms need (tracker/web/review.py passes it to its template)."""
    return {"urge_targets": _targets(get_session()), "urge_failed": None}


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    app.context_processor(_header_count)
    app.add_template_filter(_aware, "iso_aware")
