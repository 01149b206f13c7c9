"""The home page: what is in the tracker at a glance."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from tracker import generation
from tracker.db import get_session
from tracker.services.people import meetings_with_counts
from tracker.services.proposals import counts, latest_proposals, public_counts
from tracker.services.visibility import publication_mark
from tracker.web.auth import current_viewer

bp = Blueprint("home", __name__)


def _public_counts() -> dict[str, int]:
    """The public archive's totals, counted once per change of it: kept under the archive's
    generation and the latest publication moment come (the page cache's key), which every server
    reads from the database, so no server shows totals older than the data."""
    session = get_session()
    key = (generation.current(session), publication_mark(session=session))
    kept = current_app.extensions.get("tracker.public_counts")
    if kept is not None and kept[0] == key:
        return dict(kept[1])
    value = public_counts(session=session)
    current_app.extensions["tracker.public_counts"] = (key, value)
    return dict(value)


@bp.get("/")
def index() -> str:
    session, viewer = get_session(), current_viewer()
    return render_template(
        "home/index.html",
        counts=counts(session=session, viewer=viewer, public=_public_counts),
        meetings=meetings_with_counts(session=session, viewer=viewer),
        latest=latest_proposals(session=session, viewer=viewer, limit=5),
    )
