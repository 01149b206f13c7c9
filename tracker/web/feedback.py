"""A member's rating of the reply to a proposal they signed (POST /proposals/<id>/rating); the form is
on the proposal page. 404 for a proposal they may not see, 403 for one they did not sign."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.services import feedback
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.args import require_id
from tracker.web.auth import current_viewer, roles_required
from tracker.web.steps import run_step

bp = Blueprint("feedback", __name__)


@bp.post("/proposals/<int:proposal_id>/rating")
@roles_required(Role.MEMBER)
def rate(proposal_id: int) -> Response:
    return run_step(
        lambda session: feedback.rate(
            session=session,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            rating=request.form.get("rating"),
            comment=request.form.get("comment"),
            now=utcnow(),
        ),
        done=_("Thank you: your rating of the reply was recorded."),
        back=url_for("proposals.detail", proposal_id=proposal_id, _anchor="feedback"),
        forbidden_is_403=True,
    )
