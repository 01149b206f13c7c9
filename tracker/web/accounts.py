"""Logging in and out. Attempts are rate-limited per client address (LOGIN_RATE_LIMIT)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.services.accounts import authenticate
from tracker.services.visibility import Role
from tracker.web.auth import SessionUser, limiter
from tracker.web.forms import LoginForm

bp = Blueprint("accounts", __name__)

# Where each role starts its work after logging in.
START_PAGES = {
    Role.MEMBER.value: "drafts.index",
    Role.AGENCY.value: "inbox.index",
    Role.STAFF.value: "review.index",
    Role.ADMIN.value: "review.index",
}


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host ("//evil", "https://…", "\\\\evil")."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response: Response) -> bool:
    # Only failed attempts count against the limit; a successful login redirects (303).
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        user = authenticate(session=db, username=form.username.data or "", password=form.password.data or "")
        if user is not None:
            db.commit()  # a hash upgraded to the current parameters
            session.clear()  # nothing from before the login survives into the account's session
            login_user(SessionUser.of(user))
            flash(_("Logged in as %(name)s.", name=user.username), "success")
            target = _safe_next(request.args.get("next")) or url_for(START_PAGES[user.role])
            return redirect(target, code=303)
        form.password.errors = [_("Wrong username or password.")]
        return render_template("accounts/login.html", form=form), 200
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        logout_user()
        session.clear()
        flash(_("You have logged out."), "success")
    return redirect(url_for("home.index"), code=303)
