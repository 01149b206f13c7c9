"""Extension requests (延期申请): an agency asks from its inbox; committee staff answer from their queue.

A form that fails comes back as typed with each problem beside its field (422); everything else
is post/redirect/get like the other workflow steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, TextAreaField
from wtforms.validators import Optional

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.i18n import lazy_gettext as _l
from tracker.services import extensions
from tracker.services.errors import InvalidInput
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web import inbox
from tracker.web.args import require_id
from tracker.web.attempts import attempt
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required, workflow_settings
from tracker.web.forms import put_problems, scoped

bp = Blueprint("extensions", __name__)

agency_only = roles_required(Role.AGENCY)
staff_only = roles_required(*STAFF_ROLES)


class ExtensionRequestForm(FlaskForm):
    requested_deadline = DateField(_l("Requested deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the extension"))


class GrantForm(FlaskForm):
    deadline = DateField(_l("New deadline"), validators=[Optional()])
    note = TextAreaField(_l("Remark"))


class RefuseForm(FlaskForm):
    reason = TextAreaField(_l("Reason for refusing"))


def _date_problem(field: Any) -> list[Problem]:
    """A date typed that is not one (DateField leaves None): said as such, not "give a date"."""
    typed = (field.raw_data or [""])[0].strip() if field.raw_data else ""
    if typed and field.data is None:
        return [Problem(field.name, N_("Enter the date as e.g. 2025-06-30."))]
    return []


def _status(error: InvalidInput) -> int:
    """422 for input to correct; 409 when the request itself can no longer be made (answered,
    already pending, the assignment ended)."""
    return 422 if any(p.field for p in error.problems) else 409


# -- the agency ----------------------------------------------------------------------------------------


@bp.post("/inbox/<int:proposal_id>/extension")
@agency_only
def ask(proposal_id: int) -> Response | tuple[str, int]:
    form = ExtensionRequestForm()
    pid = require_id(proposal_id)
    error = attempt(
        lambda s: extensions.request(
            session=s,
            proposal_id=pid,
            actor=current_viewer(),
            requested_deadline=form.requested_deadline.data,
            reason=form.reason.data,
            now=utcnow(),
            settings=workflow_settings(),
        ),
        _date_problem(form.requested_deadline),
    )
    if error is None:
        flash(_("The extension request was sent to the committee office."), "success")
        return redirect(url_for("inbox.index"), code=303)
    # the inbox again, with this form as typed and each problem beside its field
    for message in put_problems(form, error.problems):
        flash(message, "error")
    page = inbox.index(extension_form=scoped(form, f"extension-{pid}"), extension_for=pid)
    return page, _status(error)


# -- committee staff -----------------------------------------------------------------------------------


def _queue(
    failed: int | None = None, grant_form: GrantForm | None = None, refuse_form: RefuseForm | None = None
) -> str:
    """The pending requests, each with its two forms: the one that failed as typed, the others
    with the requested date proposed as the new deadline."""
    rows = extensions.pending(session=get_session())
    forms = {}
    for row in rows:
        rid = row.request.id or 0
        grant = grant_form if failed == rid and grant_form is not None else None
        if grant is None:
            grant = GrantForm(formdata=None, data={"deadline": row.request.requested_deadline})
        refuse = refuse_form if failed == rid and refuse_form is not None else RefuseForm(formdata=None)
        forms[rid] = (scoped(grant, f"grant-{rid}"), scoped(refuse, f"refuse-{rid}"))
    return render_template("review/extensions.html", rows=rows, forms=forms)


@bp.get("/review/extensions")
@staff_only
def queue() -> str:
    return _queue()


def _answer(
    request_id: int, form: FlaskForm, step: Callable[[Any], Any], done: str, problems: list[Problem]
) -> Response | tuple[str, int]:
    error = attempt(step, problems)
    if error is None:
        flash(done, "success")
        return redirect(url_for("extensions.queue"), code=303)
    for message in put_problems(form, error.problems):
        flash(message, "error")
    if isinstance(form, GrantForm):
        return _queue(request_id, grant_form=form), _status(error)
    return _queue(request_id, refuse_form=form), _status(error)


@bp.post("/review/extensions/<int:request_id>/grant")
@staff_only
def grant(request_id: int) -> Response | tuple[str, int]:
    form, rid = GrantForm(), require_id(request_id)
    return _answer(
        rid,
        form,
        lambda s: extensions.grant(
            session=s,
            request_id=rid,
            actor=current_viewer(),
            deadline=form.deadline.data,
            note=form.note.data,
            now=utcnow(),
            settings=workflow_settings(),
        ),
        _("The extension was granted; the new deadline is recorded."),
        _date_problem(form.deadline),
    )


@bp.post("/review/extensions/<int:request_id>/refuse")
@staff_only
def refuse(request_id: int) -> Response | tuple[str, int]:
    form, rid = RefuseForm(), require_id(request_id)
    return _answer(
        rid,
        form,
        lambda s: extensions.refuse(
            session=s, request_id=rid, actor=current_viewer(), reason=form.reason.data, now=utcnow()
        ),
        _("The extension was refused; the agency sees why."),
        [],
    )
