"""A member's rating of the reply to a proposal they signed (POST /proposals/<id>/rating); the form is
on the proposal page. 404 for a proposal they may not see, 403 for one they did not sign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.services import feedback
from tracker.services.errors import ForbiddenError, NotFoundError, ServiceError
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.args import require_id
from tracker.web.auth import current_viewer, roles_required
from tracker.web.messages import describe_error

bp = Blueprint("feedback", __name__)


@bp.post("/proposals/<int:proposal_id>/rating")
@roles_required(Role.MEMBER)
def rate(proposal_id: int) -> Response:
    session = get_session()
    try:
        feedback.rate(
            session=session,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            rating=request.form.get("rating"),
            comment=request.form.get("comment"),
            now=utcnow(),
        )
        session.commit()
        flash(_("Thank you: your rating of the reply was recorded."), "success")
    except NotFoundError:
        session.rollback()
        abort(404)
    except ForbiddenError:
        session.rollback()
        abort(403)
    except ServiceError as error:
        session.rollback()
        flash(describe_error(error), "error")
    return redirect(url_for("proposals.detail", proposal_id=proposal_id, _anchor="feedback"), code=303)
