"""The home page: what is in the tracker at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.db import get_session
from tracker.services.people import meetings_with_counts
from tracker.services.proposals import counts, latest_proposals

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    session = get_session()
    return render_template(
        "home/index.html",
        counts=counts(session=session),
        meetings=meetings_with_counts(session=session),
        latest=latest_proposals(session=session, limit=5),
    )
