"""Logging in and out. Failed attempts are limited per client address (LOGIN_RATE_LIMIT), and an
account is locked after LOGIN_LOCK_ATTEMPTS failures; both are counted in the database, so the limits
are the same whatever the number of servers and workers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.lockout import RateLimit, parse_rate_limits
from tracker.services.accounts import (
    address_over_limit,
    authenticate,
    end_session,
    record_attempt,
    start_session,
)
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web.auth import MAX_NEXT, SessionUser, lockout_policy
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
    r"""The path on this site to go to after logging in, or None for anything else.

    Judged as a browser reads it: browsers drop tab, CR and LF anywhere in a URL and take "\" for
    "/", so "/\t/evil.example" and "/\evil.example" lead to another host. No page of the site has
    a control character in its address, so one of those refuses the target outright.
    """
    if not target or len(target) > MAX_NEXT or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    url = target.replace("\\", "/")
    if not url.startswith("/") or url.startswith("//"):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return url


def _login_limits() -> tuple[RateLimit, ...]:
    return parse_rate_limits(current_app.config["LOGIN_RATE_LIMIT"])  # checked at start (config.finish)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    next_url = _safe_next(request.args.get("next"))  # carried by the form only when it may be followed
    if request.method == "POST":
        address = request.remote_addr or ""
        if address_over_limit(session=get_session(), address=address, now=utcnow(), limits=_login_limits()):
            abort(429)
    if form.validate_on_submit():
        db = get_session()
        now = utcnow()
        policy = lockout_policy()
        user = authenticate(
            session=db,
            username=form.username.data or "",
            password=form.password.data or "",
            now=now,
            lockout=policy,
            address=request.remote_addr or "",
        )
        if user is not None:
            if current_user.is_authenticated:  # another login from this browser ends the one before
                end_session(session=db, token=current_user.get_id(), now=now)
            token = start_session(
                session=db,
                user=user,
                now=now,
                user_agent=request.user_agent.string,
                address=request.remote_addr or "",
            )
            db.commit()  # the login, and a hash upgraded to the current parameters
            session.clear()  # nothing from before the login survives into the account's session
            login_user(SessionUser.of(user, token))
            flash(_("Logged in as %(name)s.", name=user.username), "success")
            target = next_url or url_for(START_PAGES[user.role])
            return redirect(target, code=303)
        record_attempt(session=db, address=request.remote_addr or "", now=now, limits=_login_limits())
        db.commit()  # the failure counts towards both limits, whichever server sees the next try
        # One answer for a wrong name, a wrong password and a locked account, so that a stranger
        # learns neither which names exist nor whether a guess was right.
        form.password.errors = [_("Wrong username or password.")]
        if policy.enabled:
            form.password.errors.append(
                _(
                    "After %(count)d failed logins within %(minutes)d minutes an account is locked for a"
                    " while; the administrator can unlock it.",
                    count=policy.attempts,
                    minutes=int(policy.window.total_seconds() // 60),
                )
            )
        return render_template("accounts/login.html", form=form, next_url=next_url), 200
    return render_template("accounts/login.html", form=form, next_url=next_url)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        # Ended on the server, so a copy of the cookie taken before no longer opens anything.
        db = get_session()
        end_session(session=db, token=current_user.get_id(), now=utcnow())
        db.commit()
        logout_user()
        session.clear()
        flash(_("You have logged out."), "success")
    return redirect(url_for("home.index"), code=303)
