"""Committee staff: the queue per state, the review screen with its steps (accept, not accept,
merge, assign, close), bulk assignment from the queue, and the overdue list (督办)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.domain.workflow import default_deadline
from tracker.models import ProposalStatus
from tracker.services import commitments, extensions, oversight, review, workflow
from tracker.services.errors import InvalidInput
from tracker.services.people import all_agencies
from tracker.services.proposals import proposal_detail
from tracker.services.sessions import open_sessions
from tracker.web.args import choice_arg, page_arg, require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, local_today, roles_required, workflow_settings
from tracker.web.commitments import office_today
from tracker.web.forms import AcceptForm, AssignForm, BulkAssignForm, MergeForm, NoteForm, ids, scoped
from tracker.web.labels import meeting_label
from tracker.web.notifications import overdue_extras
from tracker.web.steps import run_step

bp = Blueprint("review", __name__, url_prefix="/review")

staff_only = roles_required(*STAFF_ROLES)


def _fill_choices(form: FlaskForm) -> FlaskForm:
    session = get_session()
    if hasattr(form, "meeting"):
        # 立案 only into a session that takes proposals now (the server refuses the others too)
        form.meeting.choices = [(m.id, meeting_label(m)) for m in open_sessions(session=session)]
    if hasattr(form, "lead"):
        # deactivated agencies keep their replies but are not offered for new assignments
        agencies = [a for a in all_agencies(session=session) if a.active]
        form.lead.choices = [("", _("Choose the lead agency"))] + [(a.id, a.name) for a in agencies]
        form.co.choices = [(a.id, a.name) for a in agencies]
    return form


@bp.get("")
@staff_only
def index() -> str:
    session = get_session()
    status = choice_arg("status", (s.value for s in review.QUEUE_STATES)) or ProposalStatus.SUBMITTED.value
    page = review.queue(
        session=session, status=status, page=page_arg(), page_size=current_app.config["PAGE_SIZE"]
    )
    bulk = _fill_choices(BulkAssignForm(formdata=None))
    bulk.proposals.choices = [(row.proposal.id, row.proposal.title) for row in page.items]
    return render_template(
        "review/queue.html",
        status=status,
        counts=review.queue_counts(session=session),
        overdue_count=len(review.overdue(session=session, today=local_today())),
        extension_count=extensions.pending_count(session=session),
        page=page,
        bulk=bulk,
        default_deadline=_default_deadline(),
    )


def _default_deadline() -> date:
    return default_deadline(local_today(), workflow_settings().deadline_months)


@bp.get("/overdue")
@staff_only
def overdue() -> str:
    session = get_session()
    return render_template(
        "review/overdue.html",
        rows=review.overdue(session=session, today=local_today()),
        extension_count=extensions.pending_count(session=session),
        late_commitments=commitments.late(session=session, today=office_today()),  # issue 16
        **overdue_extras(),  # the 催办 forms (tracker/web/notifications.py)
    )


@bp.get("/<int:proposal_id>")
@staff_only
def detail(proposal_id: int) -> str:
    session, viewer = get_session(), current_viewer()
    found = proposal_detail(session=session, viewer=viewer, proposal_id=require_id(proposal_id))
    if found is None:
        abort(404)
    proposal = found.proposal
    # several forms on one page: each gets ids of its own (scoped)
    merge = scoped(
        _fill_choices(MergeForm(formdata=None, data={"meeting": _preselected(proposal.meeting_id)})), "merge"
    )
    merge.sources.choices = [
        (p.id, p.title) for p in review.submitted_proposals(session=session, exclude_id=proposal.id)
    ]
    accept = scoped(
        _fill_choices(AcceptForm(formdata=None, data={"meeting": _preselected(proposal.meeting_id)})),
        "accept",
    )
    assign = scoped(_fill_choices(AssignForm(formdata=None)), "assign")
    return render_template(
        "review/detail.html",
        detail=found,
        proposal=proposal,
        actions=workflow.available_actions(session=session, proposal=proposal, actor=viewer),
        timeline=workflow.timeline(session=session, proposal_id=proposal.id or 0),
        accept_form=accept,
        not_accept_form=scoped(NoteForm(formdata=None), "not-accept"),
        merge_form=merge,
        assign_form=assign,
        close_form=scoped(NoteForm(formdata=None), "close"),
        default_deadline=_default_deadline(),
    )


def _preselected(meeting_id: int | None) -> int | None:
    """The proposal's own session when it is open, else the current session (if open)."""
    choices = open_sessions(session=get_session())
    if any(m.id == meeting_id for m in choices):
        return meeting_id
    return next((m.id for m in choices if m.is_current), None)


def _run(proposal_id: int, done: str, step: Callable[[Any], Any], back: str | None = None) -> Response:
    """Run one workflow step and go back to the review screen with what happened."""
    return run_step(step, done=done, back=back or url_for("review.detail", proposal_id=proposal_id))


@bp.post("/<int:proposal_id>/accept")
@staff_only
def accept(proposal_id: int) -> Response:
    form = AcceptForm()
    return _run(
        proposal_id,
        _("The proposal was accepted and numbered."),
        lambda s: workflow.accept(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            today=local_today(),
            meeting_id=form.meeting.data,
            note=form.note.data,
        ),
    )


@bp.post("/<int:proposal_id>/not-accept")
@staff_only
def not_accept(proposal_id: int) -> Response:
    form = NoteForm()
    return _run(
        proposal_id,
        _("The proposal was not accepted; it is kept as an opinion."),
        lambda s: workflow.not_accept(
            session=s, proposal_id=require_id(proposal_id), actor=current_viewer(), reason=form.note.data
        ),
    )


@bp.post("/<int:proposal_id>/merge")
@staff_only
def merge(proposal_id: int) -> Response:
    form = MergeForm()
    return _run(
        proposal_id,
        _("The proposals were merged into this one."),
        lambda s: workflow.merge(
            session=s,
            target_id=require_id(proposal_id),
            source_ids=ids(form.sources.data),
            actor=current_viewer(),
            today=local_today(),
            meeting_id=form.meeting.data,
            note=form.note.data,
        ),
    )


def checked_deadline(form: AssignForm) -> date | None:
    """The typed deadline (None: the default); a value that is not a date is refused, not replaced."""
    typed = (form.deadline.raw_data or [""])[0].strip()
    if typed and form.deadline.data is None:
        raise InvalidInput([Problem("deadline", N_("Enter the deadline as a date, e.g. 2025-06-30."))])
    return form.deadline.data


@bp.post("/<int:proposal_id>/assign")
@staff_only
def assign(proposal_id: int) -> Response:
    form = AssignForm()
    return _run(
        proposal_id,
        _("The proposal was assigned."),
        lambda s: workflow.assign(
            session=s,
            proposal_ids=[require_id(proposal_id)],
            actor=current_viewer(),
            lead_agency_id=form.lead.data,
            co_agency_ids=ids(form.co.data),
            today=local_today(),
            deadline=checked_deadline(form),
            note=form.note.data,
            settings=workflow_settings(),
        ),
    )


@bp.post("/assign")
@staff_only
def bulk_assign() -> Response:
    form = BulkAssignForm()
    chosen = ids(form.proposals.data)
    return _run(
        0,
        _("The chosen proposals were assigned."),
        lambda s: workflow.assign(
            session=s,
            proposal_ids=chosen,
            actor=current_viewer(),
            lead_agency_id=form.lead.data,
            co_agency_ids=ids(form.co.data),
            today=local_today(),
            deadline=checked_deadline(form),
            note=form.note.data,
            settings=workflow_settings(),
        ),
        back=url_for("review.index", status=ProposalStatus.ACCEPTED.value),
    )


@bp.post("/<int:proposal_id>/close")
@staff_only
def close(proposal_id: int) -> Response:
    form = NoteForm()
    return _run(
        proposal_id,
        _("The proposal was closed."),
        lambda s: oversight.close(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            note=form.note.data,
            confirmed=request.form.get("confirm") == "yes",
        ),
        back=url_for("review.detail", proposal_id=proposal_id, _anchor="close"),
    )
