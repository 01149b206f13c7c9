"""Committee staff after the reply (forms on the review screen): send a reply back or change its class
(督办审核), reopen a proposal for re-handling (重新办理), publish it or withhold it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.domain.messages import N_, Problem
from tracker.services import oversight, visibility
from tracker.services.errors import InvalidInput
from tracker.services.workflow import utcnow
from tracker.web.args import require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, local_today, roles_required
from tracker.web.steps import run_step

bp = Blueprint("oversight", __name__, url_prefix="/review")

staff_only = roles_required(*STAFF_ROLES)


def _run(proposal_id: int, done: str, step: Callable[[Any], Any]) -> Response:
    return run_step(
        step, done=done, back=url_for("review.detail", proposal_id=proposal_id, _anchor="reply-review")
    )


def _deadline() -> date | None:
    """The typed deadline, None when left empty; a value that is not a date is refused."""
    typed = request.form.get("deadline", "").strip()
    if not typed:
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise InvalidInput(
            [Problem("deadline", N_("Enter the deadline as a date, e.g. 2025-06-30."))]
        ) from None


@bp.post("/<int:proposal_id>/send-back")
@staff_only
def send_back(proposal_id: int) -> Response:
    return _run(
        proposal_id,
        _("The reply was sent back to the lead agency."),
        lambda s: oversight.send_back(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            note=request.form.get("note"),
        ),
    )


@bp.post("/<int:proposal_id>/reclassify")
@staff_only
def reclassify(proposal_id: int) -> Response:
    return _run(
        proposal_id,
        _("The class of the reply was changed."),
        lambda s: oversight.reclassify(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            outcome=request.form.get("outcome"),
            note=request.form.get("note"),
        ),
    )


@bp.post("/<int:proposal_id>/reopen")
@staff_only
def reopen(proposal_id: int) -> Response:
    return _run(
        proposal_id,
        _("The proposal was reopened for re-handling."),
        lambda s: oversight.reopen(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            note=request.form.get("note"),
            today=local_today(),
            deadline=_deadline(),
        ),
    )


@bp.post("/<int:proposal_id>/publish")
@staff_only
def publish(proposal_id: int) -> Response:
    return _run(
        proposal_id,
        _("The proposal and its reply were published."),
        lambda s: oversight.publish(
            session=s, proposal_id=require_id(proposal_id), actor=current_viewer(), now=visibility.now()
        ),
    )


@bp.post("/<int:proposal_id>/withhold")
@staff_only
def withhold(proposal_id: int) -> Response:
    return _run(
        proposal_id,
        _("The proposal is withheld from the public archive."),
        lambda s: oversight.withhold(
            session=s,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            reason=request.form.get("note"),
            now=utcnow(),
        ),
    )
