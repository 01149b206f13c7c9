"""tracker.web.attempts: a form post's write is all or nothing, and a refusal comes back to show."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select
from werkzeug.exceptions import Forbidden, NotFound

from tracker.db import get_engine
from tracker.domain.messages import Problem
from tracker.models import Agency
from tracker.services.errors import ForbiddenError, InvalidInput, NotFoundError, ServiceError
from tracker.web.attempts import attempt

NAME = "尝试写入的单位"


def _writes_then(error: Exception | None) -> Any:
    def step(session: Session) -> None:
        session.add(Agency(name=NAME))
        session.flush()  # written to the transaction, then refused
        if error is not None:
            raise error

    return step


def _kept(app: Flask) -> bool:
    with Session(get_engine(app)) as session:
        return session.exec(select(Agency).where(Agency.name == NAME)).first() is not None


@pytest.mark.parametrize(
    ("error", "forbidden", "expected"),
    [
        (None, "abort", None),
        (ForbiddenError("Not yours."), "abort", Forbidden),
        (ForbiddenError("Not yours."), "show", [Problem(None, "Not yours.", {})]),
        (NotFoundError("Gone."), "show", NotFound),
        (InvalidInput([Problem("due", "Bad date.")]), "abort", [Problem("due", "Bad date.")]),
        (
            ServiceError("Refused %(n)s.", params={"n": 1}),
            "abort",
            [Problem(None, "Refused %(n)s.", {"n": 1})],
        ),
    ],
)
def test_attempt_commits_or_keeps_nothing(
    app: Flask, error: Exception | None, forbidden: Any, expected: Any
) -> None:
    with app.test_request_context("/", method="POST"):
        if isinstance(expected, type):
            with pytest.raises(expected):
                attempt(_writes_then(error), [], forbidden=forbidden)
        else:
            result = attempt(_writes_then(error), [], forbidden=forbidden)
            assert (result.problems if result is not None else None) == expected
    assert _kept(app) == (error is None)


def test_problems_found_before_writing_stop_the_step(app: Flask) -> None:
    problems = [Problem("due", "Enter the date as e.g. 2025-06-30.")]
    with app.test_request_context("/", method="POST"):
        result = attempt(_writes_then(None), problems)
    assert result is not None and result.problems == problems
    assert not _kept(app)
