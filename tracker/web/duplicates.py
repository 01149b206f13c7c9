"""Duplicates where they matter (issue 16): the similar-proposals list on the member's proposal form
(once it has suggestions, i.e. after the split preview) and on the staff review page, and the
one-step 并案 from the review list into the chosen proposal."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, TextAreaField

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.i18n import lazy_gettext as _l
from tracker.models import Proposal
from tracker.search import get_backend
from tracker.services import duplicates, workflow
from tracker.services.errors import InvalidInput, NotFoundError
from tracker.services.sessions import open_sessions
from tracker.web.args import require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, local_today, roles_required
from tracker.web.forms import scoped
from tracker.web.steps import run_step

bp = Blueprint("duplicates", __name__, url_prefix="/review")

SHOWN = 5  # similar proposals listed


class MergeIntoForm(FlaskForm):
    target = HiddenField()
    confirm = BooleanField(_l("Yes, merge this proposal into it"))
    note = TextAreaField(_l("Note"))


def similar_for_draft(form: Any, proposal_id: int | None = None) -> list[duplicates.SimilarProposal]:
    """The proposals like the one on the form, as the member may see them (a template helper).

    Nothing before the form has suggestions: a blank form has nothing to compare yet.
    """
    rows = [(entry.data or "").strip() for entry in form.suggestions]
    if not any(rows):
        return []
    return duplicates.similar_to_draft(
        session=get_session(),
        backend=get_backend(),
        viewer=current_viewer(),
        title=(form.title.data or "").strip(),
        suggestions=rows,
        exclude_id=proposal_id,
        limit=SHOWN,
    )


def similar_for_review(proposal: Proposal) -> list[duplicates.SimilarProposal]:
    """The proposals like one under review, all of them in full (staff see every proposal)."""
    return duplicates.similar_to_proposal(
        session=get_session(),
        backend=get_backend(),
        viewer=current_viewer(),
        proposal_id=proposal.id or 0,
        limit=SHOWN,
    )


def merge_into_form(proposal: Proposal, item: duplicates.SimilarProposal) -> MergeIntoForm | None:
    """The one-step 并案 form for one row of the review list; None where the merge is not possible
    (this proposal is no longer only submitted, or the other one no longer takes merged ones)."""
    if not duplicates.can_merge_into(proposal, item.status):
        return None
    form = MergeIntoForm(formdata=None, data={"target": str(item.proposal_id)})
    return scoped(form, f"merge-into-{item.proposal_id}")


def _target_meeting(target: Proposal) -> int | None:
    """A submitted target is accepted by the merge: into its own session when that is open, else
    the current open session (as the review screen preselects)."""
    choices = open_sessions(session=get_session())
    if any(m.id == target.meeting_id for m in choices):
        return target.meeting_id
    return next((m.id for m in choices if m.is_current), None)


@bp.post("/<int:proposal_id>/merge-into")
@roles_required(*STAFF_ROLES)
def merge_into(proposal_id: int) -> Response:
    """并案 from the similar list: this proposal becomes part of the chosen one (workflow.merge)."""
    form = MergeIntoForm()
    source_id = require_id(proposal_id)
    raw = (form.target.data or "").strip()
    target_id = int(raw) if raw.isdigit() and len(raw) <= 12 else None

    def step(session: Any) -> Proposal:
        if target_id is None or target_id == source_id:
            raise InvalidInput([Problem("target", N_("Choose the proposal to merge this one into."))])
        target = session.get(Proposal, target_id)
        if target is None:
            raise NotFoundError(N_("There is no such proposal."), field="proposal")
        if not form.confirm.data:
            raise InvalidInput(
                [Problem("confirm", N_("Tick the box to confirm the merge; nothing was changed."))]
            )
        return workflow.merge(
            session=session,
            target_id=target_id,
            source_ids=[source_id],
            actor=current_viewer(),
            today=local_today(),
            meeting_id=_target_meeting(target),
            note=form.note.data,
        )

    done = _("The proposal was merged into the one chosen.")
    back = url_for("review.detail", proposal_id=source_id)
    response = run_step(step, done=done, back=back)
    if response.status_code == 303 and target_id is not None and _merged(source_id, target_id):
        # done: the review goes on with the proposal it is now part of
        response.headers["Location"] = url_for("review.detail", proposal_id=target_id)
    return response


def _merged(source_id: int, target_id: int) -> bool:
    source = get_session().get(Proposal, source_id)
    return source is not None and source.merged_into_id == target_id


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    app.add_template_global(similar_for_draft)
    app.add_template_global(similar_for_review)
    app.add_template_global(merge_into_form)
