"""Proposals: the filtered list and the side-by-side page of suggestions and reply points."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from tracker.db import get_session
from tracker.models import ProposalStatus
from tracker.services.people import agencies_with_replies, meetings_with_counts
from tracker.services.proposals import list_proposals, proposal_detail
from tracker.web.args import choice_arg, id_arg, page_arg, require_id
from tracker.web.labels import label, meeting_label

bp = Blueprint("proposals", __name__, url_prefix="/proposals")


@bp.get("")
def index() -> str:
    session = get_session()
    filters = {
        "session": id_arg("session"),
        "status": choice_arg("status", (s.value for s in ProposalStatus)),
        "agency": id_arg("agency"),
    }
    page = list_proposals(
        session=session,
        meeting_id=filters["session"],
        status=filters["status"],
        agency_id=filters["agency"],
        page=page_arg(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "proposals/list.html",
        page=page,
        filters=filters,
        # Only the filters in use go into links, so URLs stay short and shareable.
        active_filters={k: v for k, v in filters.items() if v is not None},
        session_options=[(m.id, meeting_label(m)) for m, _count in meetings_with_counts(session=session)],
        status_options=[(s.value, label("proposal_status", s.value)) for s in ProposalStatus],
        agency_options=[(a.id, a.name) for a in agencies_with_replies(session=session)],
    )


@bp.get("/<int:proposal_id>")
def detail(proposal_id: int) -> str:
    found = proposal_detail(session=get_session(), proposal_id=require_id(proposal_id))
    if found is None:
        abort(404)
    return render_template("proposals/detail.html", detail=found, proposal=found.proposal)
