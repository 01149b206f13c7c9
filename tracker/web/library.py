"""The reference library: documents and their numbered clauses."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tracker.db import get_session
from tracker.services.library import document_view, list_documents

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.get("")
def index() -> str:
    return render_template("library/index.html", documents=list_documents(session=get_session()))


@bp.get("/<slug>")
def document(slug: str) -> str:
    view = document_view(session=get_session(), slug=slug)
    if view is None:
        abort(404)
    return render_template("library/document.html", view=view, document=view.document)
