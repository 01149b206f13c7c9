"""A reply, rendered as the letter it is."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tracker.db import get_session
from tracker.services.replies import reply_letter
from tracker.web.args import require_id
from tracker.web.auth import current_viewer

bp = Blueprint("replies", __name__, url_prefix="/replies")


@bp.get("/<int:reply_id>")
def detail(reply_id: int) -> str:
    letter = reply_letter(session=get_session(), viewer=current_viewer(), reply_id=require_id(reply_id))
    if letter is None:
        abort(404)
    return render_template("replies/letter.html", letter=letter, reply=letter.reply)
