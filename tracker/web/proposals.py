"""Proposals: the filtered list and the side-by-side page of suggestions and reply points."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from tracker.db import get_session
from tracker.models import ProposalStatus
from tracker.services.people import agencies_with_replies, all_meetings, public_statuses, statuses_in_view
from tracker.services.proposals import list_proposals, proposal_detail
from tracker.services.workflow import available_actions, timeline
from tracker.web import public_facts
from tracker.web.args import choice_arg, id_arg, page_arg, require_id
from tracker.web.auth import current_viewer
from tracker.web.labels import label, meeting_label

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

_public_statuses = public_facts.kept("statuses", lambda session: public_statuses(session=session))
# the same for every viewer: names of the offices that have answered, read once per archive state
_agency_options = public_facts.kept(
    "agencies_with_replies", lambda session: [(a.id, a.name) for a in agencies_with_replies(session=session)]
)


@bp.get("")
def index() -> str:
    session, viewer = get_session(), current_viewer()
    filters = {
        "session": id_arg("session"),
        "status": choice_arg("status", (s.value for s in ProposalStatus)),
        "agency": id_arg("agency"),
    }
    page = list_proposals(
        session=session,
        viewer=viewer,
        meeting_id=filters["session"],
        status=filters["status"],
        agency_id=filters["agency"],
        page=page_arg(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    in_view = statuses_in_view(session=session, viewer=viewer, public=_public_statuses)
    return render_template(
        "proposals/list.html",
        page=page,
        filters=filters,
        # Only the filters in use go into links, so URLs stay short and shareable.
        active_filters={k: v for k, v in filters.items() if v is not None},
        # every session, as the counting query listed them (its counts were never shown)
        session_options=[(m.id, meeting_label(m)) for m in all_meetings(session=session)],
        status_options=[
            (s.value, label("proposal_status", s.value))
            for s in ProposalStatus
            if s.value in in_view or s.value == filters["status"]
        ],
        agency_options=_agency_options(),
    )


@bp.get("/<int:proposal_id>")
def detail(proposal_id: int) -> str:
    session, viewer = get_session(), current_viewer()
    found = proposal_detail(session=session, viewer=viewer, proposal_id=require_id(proposal_id))
    if found is None:
        abort(404)
    proposal = found.proposal
    return render_template(
        "proposals/detail.html",
        detail=found,
        proposal=proposal,
        timeline=timeline(session=session, proposal_id=proposal.id or 0),
        actions=available_actions(session=session, proposal=proposal, actor=viewer),
    )
