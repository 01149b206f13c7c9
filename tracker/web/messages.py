"""Turn the domain's and services' message ids into the user's language."""

from __future__ import annotations

from flask_babel import gettext

from tracker.domain.messages import Problem
from tracker.services.errors import ServiceError
from tracker.web.labels import label

# Parameters that hold stored codes: shown by their label, not the code.
_CODED = {"state": "proposal_status", "action": "action"}


def describe(problem: Problem) -> str:
    params = {
        key: (label(_CODED[key], str(value)) if key in _CODED else value)
        for key, value in problem.params.items()
    }
    return gettext(problem.message, **params)


def describe_error(error: ServiceError) -> str:
    """Every problem of ``error``, translated, in one line."""
    return " ".join(describe(p) for p in error.problems)
