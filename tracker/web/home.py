"""The home page: what is in the tracker at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.db import get_session
from tracker.services.people import meetings_with_counts
from tracker.services.proposals import counts, latest_proposals, latest_public, public_counts
from tracker.web import public_facts
from tracker.web.auth import current_viewer

bp = Blueprint("home", __name__)


_public_counts = public_facts.kept("counts", lambda session: public_counts(session=session))
LATEST = 5
_latest_public = public_facts.kept("latest", lambda session: latest_public(session=session, limit=LATEST))


@bp.get("/")
def index() -> str:
    session, viewer = get_session(), current_viewer()
    return render_template(
        "home/index.html",
        counts=counts(session=session, viewer=viewer, public=lambda: dict(_public_counts())),
        meetings=meetings_with_counts(session=session, viewer=viewer),
        latest=latest_proposals(session=session, viewer=viewer, limit=LATEST, public=_latest_public),
    )
