"""Who is logged in: Flask-Login wiring, the Viewer of the request, role checks, the login limiter.

Pages ask ``current_viewer()`` (anonymous visitors are ``ANONYMOUS``) and pass it to the services,
which apply the visibility rule in their queries. ``roles_required`` guards pages that only some
roles have: an anonymous visitor is sent to the login page, a logged-in one with another role
gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin, LoginManager, current_user

from tracker.db import get_session
from tracker.models import User
from tracker.services.accounts import login_id, user_for_login_id
from tracker.services.visibility import ANONYMOUS, Role, Viewer
from tracker.services.workflow import WorkflowSettings

login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SessionUser:
    """The logged-in account as Flask-Login sees it: a snapshot, so no database row leaks into the
    templates and models stay free of Flask."""

    id: int
    username: str
    role: str
    member_id: int | None
    agency_id: int | None
    display_name: str  # the member's or agency's name, or the username
    session_id: str  # what the session cookie remembers (see accounts.login_id)

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_id

    @property
    def viewer(self) -> Viewer:
        return Viewer(Role(self.role), member_id=self.member_id, agency_id=self.agency_id, user_id=self.id)

    @classmethod
    def of(cls, user: User) -> SessionUser:
        name = user.member.name if user.member else user.agency.name if user.agency else user.username
        return cls(
            id=user.id or 0,
            username=user.username,
            role=user.role,
            member_id=user.member_id,
            agency_id=user.agency_id,
            display_name=name,
            session_id=login_id(user),
        )


class Anonymous(AnonymousUserMixin):
    role = Role.PUBLIC.value
    viewer = ANONYMOUS


@login_manager.user_loader
def _load_user(value: str) -> SessionUser | None:
    user = user_for_login_id(session=get_session(), value=value)
    return SessionUser.of(user) if user else None


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


def local_now() -> datetime:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def local_today() -> date:
    """Today where the committee works (deadlines are days there, not in UTC)."""
    return local_now().date()


def workflow_settings() -> WorkflowSettings:
    return WorkflowSettings(
        deadline_months=int(current_app.config["ASSIGNMENT_DEADLINE_MONTHS"]),
        return_days=int(current_app.config["RETURN_WINDOW_DAYS"]),
    )


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    limiter.init_app(app)
