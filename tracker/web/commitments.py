"""Commitments (承诺事项): the agency's and the office's pages (a reply's commitments to confirm,
correct and report on; the list of one's commitments) and the public accountability pages per
session and per agency.

A form that fails comes back as typed with its problem beside the field (422); everything else is
post/redirect/get. Late is worked out for the office's today on every request (never stored).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.commitments import STATES_SHOWN
from tracker.domain.messages import N_, Problem
from tracker.models import Commitment, ReplyPoint
from tracker.services import commitments
from tracker.services.dates import today_in
from tracker.services.errors import InvalidInput, NotFoundError
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.args import choice_arg, require_id
from tracker.web.attempts import attempt
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required
from tracker.web.messages import describe

bp = Blueprint("commitments", __name__)


def office_today() -> date:
    """Today in the office, by the clock tests may inject (late is judged on this day)."""
    return today_in(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


workers = roles_required(Role.AGENCY, *STAFF_ROLES)


def _date(name: str) -> tuple[date | None, list[Problem]]:
    """A date field as posted: empty is no date; anything else must be a day (YYYY-MM-DD)."""
    typed = request.form.get(name, "").strip()
    if not typed:
        return None, []
    try:
        return date.fromisoformat(typed), []
    except ValueError:
        return None, [Problem("due", N_("Enter the date as e.g. 2025-06-30."))]


def _posted_id(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _attempt(step: Callable[[Any], Any], problems: list[Problem]) -> InvalidInput | None:
    # a reply no longer in force forbids changes: said beside the form, not a bare 403
    return attempt(step, problems, forbidden="show")


# -- the agency's and the office's pages -----------------------------------------------------------


@bp.get("/commitments")
@workers
def index() -> str:
    """One's commitments (the office: all), the soonest due first; filtered by state."""
    state = choice_arg("state", STATES_SHOWN)
    rows = commitments.work_list(
        session=get_session(), actor=current_viewer(), today=office_today(), state=state
    )
    return render_template("commitments/index.html", rows=rows, state=state, states=STATES_SHOWN)


def _reply_page(reply_id: int, failed: dict[str, Any] | None = None, status: int = 200) -> tuple[str, int]:
    try:
        reply, rows = commitments.of_reply(
            session=get_session(), reply_id=reply_id, actor=current_viewer(), today=office_today()
        )
    except NotFoundError:
        abort(404)
    points = (
        get_session()
        .exec(
            select(ReplyPoint)
            .where(ReplyPoint.reply_id == reply.id, col(ReplyPoint.parent_id).is_(None))
            .order_by(col(ReplyPoint.position))
        )
        .all()
    )
    body = render_template(
        "commitments/reply.html",
        reply=reply,
        rows=rows,
        points=points,
        failed=failed or {},
        editable=reply.status == "issued",
    )
    return body, status


@bp.get("/replies/<int:reply_id>/commitments")
@workers
def reply(reply_id: int) -> tuple[str, int]:
    return _reply_page(require_id(reply_id))


def _after(
    reply_id: int, cid: int | None, error: InvalidInput | None, form: str, done: str
) -> Response | tuple[str, int]:
    """Back to the reply's commitments (at ``cid``) saying ``done``; or the page again with the
    failed ``form`` as typed and its problems."""
    if error is None:
        flash(done, "success")
        return redirect(
            url_for("commitments.reply", reply_id=reply_id) + (f"#c{cid}" if cid else ""), code=303
        )
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in error.problems:
        (fields.setdefault(problem.field, []) if problem.field else general).append(describe(problem))
    failed = {"form": form, "id": cid, "values": request.form, "fields": fields, "general": general}
    status = 422 if fields else 409
    return _reply_page(reply_id, failed, status)


def _reply_of(cid: int) -> int:
    row = get_session().get(Commitment, cid)
    if row is None:
        abort(404)
    return row.reply_id


def _text_and_due(
    write: Callable[..., Any], reply_id: int, cid: int | None, form: str, done: str
) -> Response | tuple[str, int]:
    """Adding and confirming: the commitment's text and due date as posted, written by ``write``
    (a service function taking them with the session, actor and time)."""
    due, problems = _date("due")
    error = _attempt(
        lambda s: write(
            session=s, actor=current_viewer(), text=request.form.get("text"), due=due, now=utcnow()
        ),
        problems,
    )
    return _after(reply_id, cid, error, form, done)


@bp.post("/replies/<int:reply_id>/commitments")
@workers
def add(reply_id: int) -> Response | tuple[str, int]:
    rid = require_id(reply_id)
    write = partial(commitments.add, reply_id=rid, point_id=_posted_id("point"))
    return _text_and_due(write, rid, None, "add", _("The commitment was added."))


@bp.post("/commitments/<int:commitment_id>/confirm")
@workers
def confirm(commitment_id: int) -> Response | tuple[str, int]:
    cid = require_id(commitment_id)
    write = partial(commitments.confirm, commitment_id=cid)
    return _text_and_due(write, _reply_of(cid), cid, "confirm", _("The commitment was confirmed."))


@bp.post("/commitments/<int:commitment_id>/remove")
@workers
def remove(commitment_id: int) -> Response | tuple[str, int]:
    cid = require_id(commitment_id)
    rid = _reply_of(cid)
    error = _attempt(lambda s: commitments.remove(session=s, commitment_id=cid, actor=current_viewer()), [])
    # once removed there is no commitment to point at; refused, its form shows the problem
    return _after(rid, cid if error is not None else None, error, "remove", _("The commitment was removed."))


@bp.post("/commitments/<int:commitment_id>/report")
@workers
def report(commitment_id: int) -> Response | tuple[str, int]:
    cid = require_id(commitment_id)
    rid = _reply_of(cid)
    error = _attempt(
        lambda s: commitments.report(
            session=s,
            commitment_id=cid,
            actor=current_viewer(),
            kind=request.form.get("kind", ""),
            note=request.form.get("note"),
            author_name=current_user.display_name,
            today=office_today(),
            now=utcnow(),
        ),
        [],
    )
    return _after(rid, cid, error, "report", _("The report was recorded."))


# -- the public pages (Decidim's accountability) -----------------------------------------------------


@bp.get("/accountability")
def public_index() -> str:
    sessions, agencies = commitments.public_index(session=get_session(), today=office_today())
    return render_template("commitments/public_index.html", sessions=sessions, agencies=agencies)


def _public(meeting_id: int | None = None, agency_id: int | None = None) -> str:
    state = choice_arg("state", STATES_SHOWN)
    page = commitments.public_page(
        session=get_session(), today=office_today(), meeting_id=meeting_id, agency_id=agency_id, state=state
    )
    if page is None:
        abort(404)
    return render_template("commitments/public.html", page=page, state=state, states=STATES_SHOWN)


@bp.get("/accountability/sessions/<int:meeting_id>")
def public_session(meeting_id: int) -> str:
    return _public(meeting_id=require_id(meeting_id))


@bp.get("/accountability/agencies/<int:agency_id>")
def public_agency(agency_id: int) -> str:
    return _public(agency_id=require_id(agency_id))
