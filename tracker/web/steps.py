"""One use case run from a POST: call it, commit, say what happened, go back (post/redirect/get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect
from sqlmodel import Session
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.services.errors import ForbiddenError, NotFoundError, ServiceError
from tracker.web.messages import describe_error


def run_step(
    step: Callable[[Session], Any], *, done: str, back: str, forbidden_is_403: bool = False
) -> Response:
    """Run ``step`` in the request's session and redirect to ``back`` (303).

    Success commits and flashes ``done``; something not there (or not visible) is a 404, and
    with ``forbidden_is_403`` a refusal is a 403; any other refusal rolls back and is flashed.
    """
    session = get_session()
    try:
        step(session)
        session.commit()
        flash(done, "success")
    except NotFoundError:
        session.rollback()
        abort(404)
    except ForbiddenError as error:
        session.rollback()
        if forbidden_is_403:
            abort(403)
        flash(describe_error(error), "error")
    except ServiceError as error:
        session.rollback()
        flash(describe_error(error), "error")
    return redirect(back, code=303)
