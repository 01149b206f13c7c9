"""Word downloads: a reply letter (/replies/<id>/letter.docx) and a proposal form
(/proposals/<id>/form.docx), for whoever may read the page they come from (404 otherwise)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.models import Meeting, Proposal
from tracker.services.documents import WordFile, letter_file, proposal_file
from tracker.web.args import require_id
from tracker.web.auth import current_viewer
from tracker.web.labels import meeting_label

bp = Blueprint("documents", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _send(found: WordFile | None) -> Response:
    if found is None:
        abort(404)
    # send_file names the file in both the ASCII and the UTF-8 (RFC 5987) forms of Content-Disposition
    return send_file(io.BytesIO(found.content), mimetype=DOCX, as_attachment=True, download_name=found.name)


@bp.get("/replies/<int:reply_id>/letter.docx")
def letter(reply_id: int) -> Response:
    return _send(letter_file(session=get_session(), viewer=current_viewer(), reply_id=require_id(reply_id)))


@bp.get("/proposals/<int:proposal_id>/form.docx")
def proposal_form(proposal_id: int) -> Response:
    session = get_session()
    proposal = session.get(Proposal, require_id(proposal_id))
    meeting = session.get(Meeting, proposal.meeting_id) if proposal and proposal.meeting_id else None
    label = meeting_label(meeting) if meeting else ""
    return _send(
        proposal_file(session=session, viewer=current_viewer(), proposal_id=proposal_id, session_label=label)
    )
