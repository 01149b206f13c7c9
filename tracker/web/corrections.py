"""Holding answers (阶段性答复) and corrections (更正) of issued letters, and the version history.

/proposals/<id>/holding: the lead agency sends a holding answer while the proposal waits for its reply.
/replies/<id>/correct: the agency that wrote a letter in force (or the committee office) corrects it,
with the reason. /replies/<id>/history: every version of a letter, each dated, with the changes.
A form that fails comes back as typed with each problem beside its field (422); a letter that can no
longer be corrected (corrected meanwhile, replaced) is 409 with the message.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField

from tracker.db import get_session
from tracker.domain.messages import Problem
from tracker.i18n import lazy_gettext as _l
from tracker.models import Reply
from tracker.services import corrections
from tracker.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInput,
    LockedError,
    NotFoundError,
    ServiceError,
)
from tracker.services.replying import lead_assignment
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.args import require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required
from tracker.web.forms import put_problems
from tracker.web.messages import describe

bp = Blueprint("corrections", __name__)


class CorrectionForm(FlaskForm):
    text = TextAreaField(_l("The corrected letter"))
    reason = TextAreaField(_l("Reason for the correction"))


class HoldingForm(FlaskForm):
    text = TextAreaField(_l("The holding answer"))


def _refused(error: ServiceError) -> None:
    """404 and 403 for what the person may not see or do; other refusals are shown with the form."""
    if isinstance(error, NotFoundError):
        abort(404)
    if isinstance(error, ForbiddenError):
        abort(403)


# -- the version history --------------------------------------------------------------------------------


@bp.get("/replies/<int:reply_id>/history")
def history(reply_id: int) -> str:
    found = corrections.letter_history(
        session=get_session(), viewer=current_viewer(), reply_id=require_id(reply_id)
    )
    if found is None:
        abort(404)
    return render_template("replies/history.html", history=found, proposal=found.proposal)


# -- correcting a letter --------------------------------------------------------------------------------


def _correction_page(
    reply_id: int, form: CorrectionForm, messages: list[str], status: int
) -> tuple[str, int]:
    session = get_session()
    reply = session.get(Reply, reply_id)
    if reply is None:
        abort(404)
    return render_template(
        "replies/correct.html", form=form, reply=reply, proposal=reply.proposal, messages=messages
    ), status


@bp.get("/replies/<int:reply_id>/correct")
@roles_required(Role.AGENCY, *STAFF_ROLES)
def correct_form(reply_id: int) -> Response | tuple[str, int]:
    rid = require_id(reply_id)
    try:
        reply = corrections.correctable(session=get_session(), reply_id=rid, actor=current_viewer())
    except (NotFoundError, ForbiddenError) as error:
        _refused(error)
        raise
    except LockedError as error:
        flash(describe(Problem(None, error.message, error.params)), "error")
        return redirect(url_for("replies.detail", reply_id=rid), code=303)
    form = CorrectionForm(data={"text": reply.original_text})
    return _correction_page(rid, form, [], 200)


@bp.post("/replies/<int:reply_id>/correct")
@roles_required(Role.AGENCY, *STAFF_ROLES)
def correct(reply_id: int) -> Response | tuple[str, int]:
    rid = require_id(reply_id)
    form = CorrectionForm()
    session = get_session()
    try:
        new = corrections.correct_reply(
            session=session,
            reply_id=rid,
            actor=current_viewer(),
            text=form.text.data,
            reason=form.reason.data,
            now=utcnow(),
        )
        session.commit()
    except (NotFoundError, ForbiddenError) as error:
        session.rollback()
        _refused(error)
        raise
    except InvalidInput as error:
        session.rollback()
        return _correction_page(rid, form, put_problems(form, error.problems), 422)
    except (LockedError, ConflictError) as error:
        session.rollback()
        messages = put_problems(form, [Problem(None, error.message, error.params)])
        return _correction_page(rid, form, messages, 409)
    flash(_("The letter was corrected; the earlier version is kept in its history."), "success")
    return redirect(url_for("replies.detail", reply_id=new.id), code=303)


# -- holding answers ------------------------------------------------------------------------------------


def _holding_page(proposal_id: int, form: HoldingForm, messages: list[str], status: int) -> tuple[str, int]:
    session = get_session()
    try:
        proposal, assignment = lead_assignment(
            session=session, proposal_id=proposal_id, actor=current_viewer()
        )
    except (NotFoundError, ForbiddenError) as error:
        _refused(error)
        raise
    sent = corrections.holding_answers(session=session, proposal_id=proposal_id)
    return render_template(
        "replies/holding.html",
        form=form,
        proposal=proposal,
        assignment=assignment,
        sent=sent,
        messages=messages,
    ), status


@bp.get("/proposals/<int:proposal_id>/holding")
@roles_required(Role.AGENCY)
def holding_form(proposal_id: int) -> tuple[str, int]:
    return _holding_page(require_id(proposal_id), HoldingForm(), [], 200)


@bp.post("/proposals/<int:proposal_id>/holding")
@roles_required(Role.AGENCY)
def holding(proposal_id: int) -> Response | tuple[str, int]:
    pid = require_id(proposal_id)
    form = HoldingForm()
    session = get_session()
    try:
        corrections.issue_holding(
            session=session, proposal_id=pid, actor=current_viewer(), text=form.text.data, now=utcnow()
        )
        session.commit()
    except (NotFoundError, ForbiddenError) as error:
        session.rollback()
        _refused(error)
        raise
    except InvalidInput as error:
        session.rollback()
        return _holding_page(pid, form, put_problems(form, error.problems), 422)
    except ServiceError as error:
        session.rollback()
        return _holding_page(pid, form, put_problems(form, [Problem(None, error.message, error.params)]), 409)
    flash(_("The holding answer was sent; the final reply is still due by the deadline."), "success")
    return redirect(url_for("proposals.detail", proposal_id=pid), code=303)
