"""Who is logged in: Flask-Login wiring, the Viewer of the request, role checks, the login limits.

Pages ask ``current_viewer()`` (anonymous visitors are ``ANONYMOUS``) and pass it to the services,
which apply the visibility rule in their queries. ``roles_required`` guards pages that only some
roles have: an anonymous visitor is sent to the login page, a logged-in one with another role
gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask_login import AnonymousUserMixin, LoginManager, current_user
from werkzeug.wrappers import Response

from tracker.db import session_scope
from tracker.domain.deadlines import WorkCalendar, parse_day_list
from tracker.domain.lockout import LockoutPolicy
from tracker.domain.workflow import ReturnWindow
from tracker.i18n import lazy_gettext as _l
from tracker.models import User
from tracker.services.accounts import SessionLimits, user_for_session
from tracker.services.visibility import ANONYMOUS, Role, Viewer
from tracker.services.workflow import WorkflowSettings, utcnow

login_manager = LoginManager()

F = TypeVar("F", bound=Callable[..., Any])

# The longest address a login redirect carries back (``next``); browsers and proxies refuse far
# longer Location headers, and no page of the site needs more.
MAX_NEXT = 2048


@dataclass(frozen=True)
class SessionUser:
    """The logged-in account as Flask-Login sees it: a snapshot, so no database row leaks into the
    templates and models stay free of Flask."""

    id: int
    username: str
    role: str
    member_id: int | None
    agency_id: int | None
    display_name: str  # the member's or agency's name, the person's name, or the username
    session_id: str  # the token of the login the session cookie carries (accounts.start_session)
    locale: str | None = None  # the UI language the account chose (issue 15), None: not chosen

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_id

    @property
    def viewer(self) -> Viewer:
        return Viewer(Role(self.role), member_id=self.member_id, agency_id=self.agency_id, user_id=self.id)

    @classmethod
    def of(cls, user: User, token: str) -> SessionUser:
        name = (
            user.member.name
            if user.member
            else user.agency.name
            if user.agency
            else user.display_name or user.username
        )
        return cls(
            id=user.id or 0,
            username=user.username,
            role=user.role,
            member_id=user.member_id,
            agency_id=user.agency_id,
            display_name=name,
            session_id=token,
            locale=user.locale,
        )


class Anonymous(AnonymousUserMixin):
    role = Role.PUBLIC.value
    viewer = ANONYMOUS
    locale = None


def session_limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits(
        idle=timedelta(minutes=float(config["SESSION_IDLE_MINUTES"])),
        lifetime=timedelta(hours=float(config["SESSION_LIFETIME_HOURS"])),
        touch_every=timedelta(seconds=float(config["SESSION_TOUCH_SECONDS"])),
    )


@login_manager.user_loader
def _load_user(token: str) -> SessionUser | None:
    # A session of its own: the check may end an expired login or move its last-seen time, and
    # that write must not wait for (or commit) whatever the page is doing.
    with session_scope() as db:
        user = user_for_session(session=db, token=token, now=utcnow(), limits=session_limits())
        return SessionUser.of(user, token) if user else None


def _load_user_first() -> None:
    """Check the login before the page runs, so the loader's short write never overlaps the
    page's own transaction (SQLite has one writer at a time)."""
    if request.endpoint != "static":
        _ = current_user.is_authenticated


def _to_login() -> Response:
    """Anonymous visitors of a role page: the login page, coming back here afterwards. An address
    too long to carry is dropped (the login still leads to the role's start page)."""
    flash(_l("Please log in to open this page."), "info")
    here = request.full_path if request.query_string else request.path
    return redirect(url_for("accounts.login", next=here if len(here) <= MAX_NEXT else None))


def current_viewer() -> Viewer:
    """The Viewer of this request; ANONYMOUS when nobody is logged in."""
    return current_user.viewer if current_user.is_authenticated else ANONYMOUS


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only these roles may open the page: login first when anonymous, 403 for the others."""
    allowed = {r.value for r in roles}

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


STAFF_ROLES = (Role.STAFF, Role.ADMIN)


def lockout_policy() -> LockoutPolicy:
    config = current_app.config
    return LockoutPolicy(
        attempts=int(config["LOGIN_LOCK_ATTEMPTS"]),
        window=timedelta(minutes=float(config["LOGIN_LOCK_WINDOW_MINUTES"])),
        duration=timedelta(minutes=float(config["LOGIN_LOCK_MINUTES"])),
    )


def local_now() -> datetime:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def local_today() -> date:
    """Today where the committee works (deadlines are days there, not in UTC)."""
    return local_now().date()


def workflow_settings() -> WorkflowSettings:
    return WorkflowSettings(
        deadline_months=int(current_app.config["ASSIGNMENT_DEADLINE_MONTHS"]),
        return_days=int(current_app.config["RETURN_WINDOW_DAYS"]),
        return_window=ReturnWindow(
            kind=current_app.config["RETURN_WINDOW_KIND"],
            calendar=WorkCalendar(
                holidays=parse_day_list(current_app.config["HOLIDAYS"], "HOLIDAYS"),
                makeup_workdays=parse_day_list(current_app.config["MAKEUP_WORKDAYS"], "MAKEUP_WORKDAYS"),
            ),
            zone=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        ),
        extension_max_days=int(current_app.config["EXTENSION_MAX_DAYS"]),
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.unauthorized_handler(_to_login)
    login_manager.anonymous_user = Anonymous
    app.before_request(_load_user_first)
