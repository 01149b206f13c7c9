"""The language switch in the header (issue 15): a POST form for everyone.

A signed-in person's choice is kept on the account (every device follows it) and in a cookie (the
browser keeps speaking it after logging out); a visitor's in the cookie alone. The page asked from
comes back, now in the chosen language.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField

from tracker.db import get_session
from tracker.domain import locales
from tracker.services.accounts import set_locale
from tracker.web.accounts import _safe_next

bp = Blueprint("language", __name__)

COOKIE_DAYS = 365


class LanguageForm(FlaskForm):
    locale = StringField()  # the pressed button's value
    next = HiddenField()


@bp.route("/language", methods=["POST"])
def switch() -> Response:
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing CSRF token gets here (CSRFProtect answers that first)
    code = locales.supported((form.locale.data or "").strip())
    if code is None:
        abort(400, description="unknown language")
    if current_user.is_authenticated:
        db = get_session()
        set_locale(session=db, user_id=current_user.id, locale=code)
        db.commit()
    response = redirect(_safe_next(form.next.data) or url_for("home.index"), code=303)
    response.set_cookie(
        locales.COOKIE,
        code,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def _here() -> str:
    """The address the switch brings the reader back to: this page, as it was asked for. A page
    answering a POST (a form come back with its problems) has no address to GET again: the page the
    form was sent from, when it is on this site, else the home page."""
    if request.method == "GET":
        # the login page's own "next" is not carried on: the login page alone judges and keeps it
        keep_query = request.query_string and "next" not in request.args
        here = request.full_path.rstrip("?") if keep_query else request.path
    else:
        source = urlsplit(request.referrer or "")
        if source.netloc != request.host or not source.path:
            return ""
        here = f"{source.path}?{source.query}" if source.query else source.path
    # only what the switch would follow is written into the page: not a huge address, nor one
    # holding characters a browser reads as leading elsewhere
    return _safe_next(here) or ""


def join_names(names: Iterable[object]) -> str:
    """Names one after the other: 甲、乙 in Chinese, "甲, 乙" on English pages."""
    return gettext(", ").join(str(name) for name in names)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(_here, "language_next")
    app.add_template_filter(join_names)
