"""A reply, rendered as the letter it is."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tracker.db import get_session
from tracker.services.corrections import may_correct
from tracker.services.replies import reply_letter
from tracker.web.args import require_id
from tracker.web.auth import current_viewer

bp = Blueprint("replies", __name__, url_prefix="/replies")


@bp.get("/<int:reply_id>")
def detail(reply_id: int) -> str:
    viewer = current_viewer()
    letter = reply_letter(session=get_session(), viewer=viewer, reply_id=require_id(reply_id))
    if letter is None:
        abort(404)
    return render_template(
        "replies/letter.html",
        letter=letter,
        reply=letter.reply,
        may_correct=may_correct(letter.reply, viewer),
    )
