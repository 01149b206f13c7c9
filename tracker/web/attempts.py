"""One form post's write: run a service step in the request's session and commit, or roll back and
hand the refusal back to show beside the form (nothing half-written is kept)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from flask import abort

from tracker.db import get_session
from tracker.domain.messages import Problem
from tracker.services.errors import ForbiddenError, InvalidInput, NotFoundError, ServiceError


def attempt(
    step: Callable[[Any], Any], problems: list[Problem], *, forbidden: Literal["abort", "show"] = "abort"
) -> InvalidInput | None:
    """Run ``step`` and commit unless the form already has ``problems``; what it refuses comes back.

    A missing row is a 404. A ``ForbiddenError`` is a 403 (``forbidden="abort"``: the caller may
    not do this at all) or a message beside the form (``"show"``: a state of the row forbids it,
    e.g. a reply no longer in force).
    """
    if problems:
        return InvalidInput(problems)
    session = get_session()
    try:
        step(session)
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ForbiddenError as error:
        session.rollback()
        if forbidden == "abort":
            abort(403)
        return InvalidInput([Problem(None, error.message, error.params)])
    except InvalidInput as error:
        session.rollback()
        return error
    except ServiceError as error:
        session.rollback()
        return InvalidInput([Problem(None, error.message, error.params)])
    return None
