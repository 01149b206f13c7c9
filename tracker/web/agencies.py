"""Public agency pages (issue 16): /agencies lists the agencies with public proposals, and
/agencies/<id> one agency's proposals, answers and how they were rated. Only public items."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from tracker.db import get_session
from tracker.services.agency_pages import agency_index, agency_page
from tracker.web.args import page_arg, require_id

bp = Blueprint("agencies", __name__, url_prefix="/agencies")


@bp.get("")
def index() -> str:
    return render_template("agencies/index.html", entries=agency_index(session=get_session()))


@bp.get("/<int:agency_id>")
def detail(agency_id: int) -> str:
    found = agency_page(session=get_session(), agency_id=require_id(agency_id), page=page_arg())
    if found is None:
        abort(404)
    return render_template("agencies/detail.html", page=found)
