"""A member's own page: their proposals in every state, the form to write one, and invitations to
co-sign. Only members reach these pages; anything not their own is 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.drafting import LIMITS
from tracker.services import directory, drafting, workflow
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web import proposal_form, uploads
from tracker.web.args import require_id
from tracker.web.auth import current_viewer, local_today, roles_required
from tracker.web.forms import ProposalForm, put_problems
from tracker.web.messages import describe_error
from tracker.web.steps import run_step

bp = Blueprint("drafts", __name__, url_prefix="/my")

member_only = roles_required(Role.MEMBER)


def _categories() -> list[str]:
    # The admin's list (table category, issue 12): what the form offers is what it accepts.
    return directory.category_names(session=get_session())


@bp.get("")
@member_only
def index() -> str:
    session, viewer = get_session(), current_viewer()
    return render_template(
        "drafts/index.html",
        proposals=drafting.own_proposals(session=session, member=viewer),
        invitations=drafting.invitations(session=session, member=viewer),
    )


def _show(
    form: ProposalForm,
    *,
    proposal_id: int | None = None,
    notices: list[str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "drafts/form.html",
        form=form,
        proposal_id=proposal_id,
        notices=notices or [],
        general_errors=errors or [],
        limits=LIMITS,
    )
    return page, status


def _save(form: ProposalForm, op: str, proposal_id: int | None) -> Response | tuple[str, int]:
    """Store the form (new or over a draft); on problems show it again with every field as typed."""
    session, viewer = get_session(), current_viewer()
    submit = op == proposal_form.SUBMIT
    draft = proposal_form.draft_of(form)
    try:
        if proposal_id is None:
            token = proposal_form.token_of(form)
            saved = drafting.create(
                session=session,
                author=viewer,
                draft=draft,
                form_token=token,
                submit=submit,
                categories=_categories(),
                today=local_today(),
            )
            proposal, created = saved.proposal, saved.created
        else:
            proposal = drafting.update(
                session=session,
                proposal_id=proposal_id,
                author=viewer,
                draft=draft,
                submit=submit,
                categories=_categories(),
                today=local_today(),
            )
            created = True
        session.commit()
    except InvalidInput as error:
        session.rollback()
        general = put_problems(form, error.problems)
        return _show(form, proposal_id=proposal_id, errors=general, status=422)
    except IntegrityError:
        # The same form posted twice at the same moment: the other request stored it.
        session.rollback()
        existing = drafting.proposal_for_token(session=session, form_token=proposal_form.token_of(form))
        if existing is None:
            raise
        proposal, created = existing, False
    if not created:
        flash(_("This form had already been sent; nothing new was stored."), "info")
    elif submit:
        flash(_("The proposal was submitted to the committee office."), "success")
    else:
        flash(_("The draft was saved."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id), code=303)


def _handle(proposal_id: int | None) -> Response | tuple[str, int]:
    form = proposal_form.bound(_categories())
    op = request.form.get("op", proposal_form.SAVE)
    if (upload := uploads.uploaded()) is not None:
        if upload.problem:
            form.paste.errors = [upload.problem]
            return _show(form, proposal_id=proposal_id, status=422)
        # The file's text is the pasted text; whatever button was pressed, show its split first.
        form.paste.data = upload.text
        op = proposal_form.PREVIEW
    if op in (proposal_form.SAVE, proposal_form.SUBMIT):
        if proposal_form.needs_split(form):
            shown = proposal_form.split_first(form, _categories())
            return _show(shown.form, proposal_id=proposal_id, notices=shown.notices, status=422)
        return _save(form, op, proposal_id)
    shown = proposal_form.rework(form, op, _categories()) or proposal_form.Shown(form)
    return _show(
        shown.form, proposal_id=proposal_id, notices=shown.notices, status=422 if shown.invalid else 200
    )


@bp.route("/proposals/new", methods=["GET", "POST"])
@member_only
def new() -> Response | tuple[str, int]:
    if request.method == "GET":
        return _show(proposal_form.blank(_categories()))
    return _handle(None)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@member_only
def edit(proposal_id: int) -> Response | tuple[str, int]:
    session = get_session()
    try:
        proposal = drafting.editable(
            session=session, proposal_id=require_id(proposal_id), author=current_viewer()
        )
    except NotFoundError:
        abort(404)
    except ServiceError as error:
        # Not a draft any more (submitted in another tab, or the second click of a double submit).
        flash(describe_error(error), "info")
        return redirect(url_for("proposals.detail", proposal_id=proposal_id), code=303)
    if request.method == "GET":
        draft = drafting.draft_of(session=session, proposal=proposal)
        data = proposal_form.data_of(draft)
        return _show(proposal_form.build(data, _categories()), proposal_id=proposal_id)
    return _handle(proposal_id)


def _step(proposal_id: int, done: str, run) -> Response:
    return run_step(
        lambda session: run(session, require_id(proposal_id)),
        done=done,
        back=url_for("proposals.detail", proposal_id=proposal_id),
    )


@bp.post("/proposals/<int:proposal_id>/submit")
@member_only
def submit(proposal_id: int) -> Response:
    viewer = current_viewer()
    return _step(
        proposal_id,
        _("The proposal was submitted to the committee office."),
        lambda s, pid: drafting.submit_draft(
            session=s, proposal_id=pid, author=viewer, categories=_categories(), today=local_today()
        ),
    )


@bp.post("/proposals/<int:proposal_id>/withdraw")
@member_only
def withdraw(proposal_id: int) -> Response:
    viewer = current_viewer()
    return _step(
        proposal_id,
        _("The proposal was withdrawn; it is a draft again."),
        lambda s, pid: workflow.withdraw(session=s, proposal_id=pid, actor=viewer),
    )


def _answer(proposal_id: int, confirm: bool) -> Response:
    return run_step(
        lambda session: drafting.answer_invitation(
            session=session,
            proposal_id=require_id(proposal_id),
            member=current_viewer(),
            confirm=confirm,
            now=utcnow(),
        ),
        done=_("You co-sign this proposal.") if confirm else _("You declined to co-sign."),
        back=url_for("drafts.index"),
    )


@bp.post("/invitations/<int:proposal_id>/confirm")
@member_only
def confirm(proposal_id: int) -> Response:
    return _answer(proposal_id, True)


@bp.post("/invitations/<int:proposal_id>/decline")
@member_only
def decline(proposal_id: int) -> Response:
    return _answer(proposal_id, False)
