"""Template helpers for the reply parts of pages other views render: the proposal page (what the
visitor can do about the reply: write it, send an opinion, rate it, download it) and the staff review
screen (the reply under review, its ratings and the publication decision)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from tracker.db import get_session
from tracker.models import Proposal
from tracker.services import feedback, oversight, replying
from tracker.services.feedback import FeedbackState
from tracker.web.auth import current_viewer


@dataclass(frozen=True)
class ReplyPanel:
    agency: replying.AgencyPart
    feedback: FeedbackState


def reply_panel(proposal: Proposal) -> ReplyPanel:
    session, viewer = get_session(), current_viewer()
    return ReplyPanel(
        agency=replying.agency_part(session=session, proposal=proposal, actor=viewer),
        feedback=feedback.feedback_state(session=session, proposal=proposal, viewer=viewer),
    )


def reply_review_for(proposal_id: int) -> oversight.ReplyReview:
    return oversight.reply_review(session=get_session(), proposal_id=proposal_id)


def init_app(app: Flask) -> None:
    app.add_template_global(reply_panel)
    app.add_template_global(reply_review_for)
