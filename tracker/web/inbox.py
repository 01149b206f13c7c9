"""Agency staff: the proposals assigned to their agency, and returning a wrong assignment (退回)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.messages import RuleError
from tracker.domain.workflow import check_still_returnable
from tracker.services import extensions, review, workflow
from tracker.services.errors import NotFoundError
from tracker.services.visibility import Role
from tracker.web.args import require_id
from tracker.web.auth import current_viewer, local_now, local_today, roles_required, workflow_settings
from tracker.web.forms import NoteForm
from tracker.web.messages import describe
from tracker.web.steps import run_step

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

agency_only = roles_required(Role.AGENCY)


@bp.get("")
@agency_only
def index(extension_form: FlaskForm | None = None, extension_for: int | None = None) -> str:
    """The inbox; ``extension_form`` is an extension request that failed, shown as typed under
    the proposal ``extension_for``."""
    viewer, session = current_viewer(), get_session()
    rows = review.inbox(
        session=session,
        agency_id=viewer.agency_id or 0,
        today=local_today(),
        now=local_now(),
        settings=workflow_settings(),
    )
    pending = extensions.pending_by_assignment(
        session=session, assignment_ids=[r.assignment.id for r in rows if r.assignment.id is not None]
    )
    return render_template(
        "inbox/index.html",
        rows=rows,
        return_form=NoteForm(formdata=None),
        pending_extensions=pending,
        extension_form=extension_form,
        extension_for=extension_for,
        max_extension_days=workflow_settings().extension_max_days,
    )


@bp.post("/<int:proposal_id>/return")
@agency_only
def return_assignment(proposal_id: int) -> Response | tuple[str, int]:
    form = NoteForm()
    session = get_session()
    try:
        proposal = workflow.load(session=session, proposal_id=require_id(proposal_id), actor=current_viewer())
    except NotFoundError:
        abort(404)
    try:
        check_still_returnable(workflow.last_move(session=session, proposal_id=proposal.id or 0))
    except RuleError as error:
        # a reply was submitted on it (or it is being handled again): the page said so; refuse
        # the request itself too, with the inbox and the reason
        flash(describe(error.problems[0]), "error")
        return index(), 409
    return run_step(
        lambda session: workflow.return_assignment(
            session=session,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            reason=form.note.data,
            now=local_now(),
            settings=workflow_settings(),
        ),
        done=_("The assignment was returned to the committee office."),
        back=url_for("inbox.index"),
    )
