"""Saved searches and follows (issue 15): the account's "my follows" page, saving a search from
/search, following an agency, a category or a session (from the follows page and the proposals list's
filters), renaming and deleting them, and a new feed address. Any signed-in role may follow."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.follows import FollowKind, default_search_name
from tracker.models import Agency, Category, Follow, Meeting
from tracker.services import follows
from tracker.services.errors import NotFoundError, ServiceError
from tracker.services.people import all_agencies, all_meetings
from tracker.services.workflow import utcnow
from tracker.web.accounts import _safe_next
from tracker.web.args import bounded_int, require_id
from tracker.web.labels import meeting_label
from tracker.web.messages import describe
from tracker.web.notifications import any_account
from tracker.web.search import _filters, _query, facet_label

bp = Blueprint("follows", __name__, url_prefix="/follows")


def _categories(session: Session) -> list[Category]:
    return list(
        session.exec(
            select(Category).where(col(Category.active).is_(True)).order_by(col(Category.position))
        ).all()
    )


def search_url(row: Follow) -> str:
    args: dict[str, Any] = {"q": row.query} if row.query else {}
    args.update(row.filters)
    return url_for("search.index", **args)


def page_url(row: Follow) -> str:
    """The public page a follow of an agency, a category or a session watches."""
    if row.kind == FollowKind.SESSION:
        return url_for("proposals.index", session=row.target_id)
    if row.kind == FollowKind.AGENCY:
        return url_for("proposals.index", agency=row.target_id)
    return url_for("search.index", category=row.name) if row.kind == FollowKind.CATEGORY else search_url(row)


def _page(
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    editing: int | None = None,
    typed: str = "",
    pending: dict[str, Any] | None = None,
) -> tuple[str, int]:
    session = get_session()
    rows = follows.list_for(session=session, user_id=current_user.id)
    followed = {(r.kind, r.target_id) for r in rows}
    return (
        render_template(
            "follows/index.html",
            searches=[r for r in rows if r.kind == FollowKind.SEARCH],
            others=[r for r in rows if r.kind != FollowKind.SEARCH],
            agencies=[
                a for a in all_agencies(session=session) if a.active and ("agency", a.id) not in followed
            ],
            categories=[c for c in _categories(session) if ("category", c.id) not in followed],
            meetings=[m for m in all_meetings(session=session) if ("session", m.id) not in followed],
            errors=errors or {},
            editing=editing,
            typed=typed,
            pending=pending,
            search_url=search_url,
            page_url=page_url,
        ),
        status,
    )


@bp.get("")
@any_account
def index() -> tuple[str, int]:
    return _page()


@bp.post("/searches")
@any_account
def save_search() -> Response | tuple[str, int]:
    """Save the search the form carries (its words and filters, read as /search reads them)."""
    q, filters = _query(request.form), _filters(request.form)
    typed = request.form.get("name", "")
    name = typed.strip() or default_search_name(
        q, [facet_label(k, v) for k, values in filters.items() for v in values]
    )
    session = get_session()
    try:
        follows.save_search(
            session=session, user_id=current_user.id, name=name, query=q, filters=filters, now=utcnow()
        )
        session.commit()
    except ServiceError as error:
        session.rollback()
        errors = {p.field or "": describe(p) for p in error.problems}
        pending = {"q": q, "filters": filters, "name": typed}
        return _page(status=422, errors=errors, pending=pending)
    flash(_("The search is saved: new public proposals it finds will be in your notifications."), "success")
    return redirect(url_for("follows.index"), code=303)


@bp.post("")
@any_account
def add() -> Response:
    """Follow an agency, a category or a session; back to the page the button was on."""
    kind = request.form.get("kind", "")
    target = bounded_int(request.form.get("target"))
    session = get_session()
    meeting = session.get(Meeting, target) if kind == FollowKind.SESSION and target is not None else None
    try:
        follows.follow(
            session=session,
            user_id=current_user.id,
            kind=kind,
            target_id=target,
            name=meeting_label(meeting) if meeting is not None else None,  # as the pages name it
            now=utcnow(),
        )
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ServiceError as error:
        session.rollback()
        flash("; ".join(describe(p) for p in error.problems), "error")
        return redirect(url_for("follows.index"), code=303)
    flash(_("Followed: new public proposals will be in your notifications."), "success")
    return redirect(_safe_next(request.form.get("next")) or url_for("follows.index"), code=303)


@bp.post("/<int:follow_id>/rename")
@any_account
def rename(follow_id: int) -> Response | tuple[str, int]:
    typed = request.form.get("name", "")
    session = get_session()
    try:
        follows.rename(session=session, user_id=current_user.id, follow_id=require_id(follow_id), name=typed)
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ServiceError as error:
        session.rollback()
        errors = {p.field or "": describe(p) for p in error.problems}
        return _page(status=422, errors=errors, editing=follow_id, typed=typed)
    flash(_("Renamed."), "success")
    return redirect(url_for("follows.index"), code=303)


def _simple(follow_id: int, action: Any, done: str) -> Response:
    session = get_session()
    try:
        action(session=session, user_id=current_user.id, follow_id=require_id(follow_id))
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    flash(done, "success")
    return redirect(url_for("follows.index"), code=303)


@bp.post("/<int:follow_id>/delete")
@any_account
def delete(follow_id: int) -> Response:
    return _simple(follow_id, follows.delete, _("Deleted: you no longer follow it."))


@bp.post("/<int:follow_id>/feed")
@any_account
def renew_feed(follow_id: int) -> Response:
    return _simple(
        follow_id, follows.renew_token, _("The feed has a new address; the old one no longer works.")
    )


def followed_targets() -> set[tuple[str, int | None]]:
    """What the signed-in account follows (for the Follow buttons of the lists); empty for visitors."""
    if not current_user.is_authenticated:
        return set()
    return {(r.kind, r.target_id) for r in follows.list_for(session=get_session(), user_id=current_user.id)}


def search_follow_buttons(filters: dict[str, tuple[str, ...]]) -> list[tuple[str, int, str]]:
    """(kind, id, name) for each session, category or agency a search is narrowed to (one value
    of that facet): the search page offers to follow it."""
    session = get_session()
    found: list[tuple[str, int, str]] = []
    for facet, kind in (
        ("session", FollowKind.SESSION),
        ("category", FollowKind.CATEGORY),
        ("agency", FollowKind.AGENCY),
    ):
        values = filters.get(facet, ())
        if len(values) != 1:
            continue
        value = values[0]
        if kind == FollowKind.SESSION:
            target = bounded_int(value)
        else:
            model = Category if kind == FollowKind.CATEGORY else Agency
            target = session.exec(select(model.id).where(model.name == value)).first()  # type: ignore[attr-defined]
        if target is None:
            continue
        name = follows.target_name(session=session, kind=kind, target_id=target)
        if name is not None:
            found.append((kind.value, target, name))
    return found


def list_follow_options(meeting_id: int | None, agency_id: int | None) -> list[tuple[str, int, str]]:
    """(kind, id, name) for the session and the agency the proposals list is filtered by."""
    session = get_session()
    found: list[tuple[str, int, str]] = []
    meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
    if meeting is not None:
        found.append((FollowKind.SESSION.value, meeting_id or 0, meeting_label(meeting)))
    if agency_id is not None:
        name = follows.target_name(session=session, kind=FollowKind.AGENCY, target_id=agency_id)
        if name is not None:
            found.append((FollowKind.AGENCY.value, agency_id, name))
    return found


def init_app(app: Any) -> None:
    app.register_blueprint(bp)
    app.add_template_global(followed_targets)
    app.add_template_global(search_follow_buttons)
    app.add_template_global(list_follow_options)
