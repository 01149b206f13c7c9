"""Scheduled publication (定时公开): staff set the moment a proposal and its reply become public.

Nothing runs at that moment: visibility compares the stored moment with the clock of each request
(tracker.services.visibility), so the pages, lists, search, API and page cache all change at once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.domain.messages import N_, Problem
from tracker.models import Proposal
from tracker.services import oversight, visibility
from tracker.services.errors import InvalidInput
from tracker.web.args import require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required
from tracker.web.steps import run_step

bp = Blueprint("publication", __name__, url_prefix="/review")

staff_only = roles_required(*STAFF_ROLES)


def _typed_moment() -> datetime | None:
    """The date and time typed (a datetime-local field: the committee's time zone); None when left
    empty; anything else is refused with the expected form."""
    typed = request.form.get("publish_at", "").strip()
    if not typed:
        return None
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        raise InvalidInput(
            [Problem("publish_at", N_("Enter the date and time as e.g. 2026-03-01 09:00."))]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return moment


@bp.post("/<int:proposal_id>/schedule-publication")
@staff_only
def schedule(proposal_id: int) -> Response:
    pid = require_id(proposal_id)
    return run_step(
        lambda s: oversight.schedule_publication(
            session=s, proposal_id=pid, actor=current_viewer(), when=_typed_moment(), now=visibility.now()
        ),
        done=_("The proposal and its reply will become public at the time set."),
        back=url_for("review.detail", proposal_id=pid, _anchor="reply-review"),
    )


def publication_state(proposal: Proposal) -> str | None:
    """ "public", "scheduled" (a moment still to come) or None, for the staff's panel."""
    if proposal.published_at is None:
        return None
    return "public" if visibility.is_published(proposal) else "scheduled"


def _iso_datetime(value: str) -> datetime:
    """A moment stored as ISO text (a timeline step's details), for the datetime filters."""
    return datetime.fromisoformat(value)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(publication_state)
    app.add_template_filter(_iso_datetime, "iso_datetime")
