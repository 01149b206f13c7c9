"""Errors the use cases raise; each names the input field it is about, so a form can show it.

``message`` is an English message id with ``%(name)s`` placeholders filled from ``params``: the CLI
prints ``str(error)`` (the English text), the web layer translates ``message`` and fills it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tracker.domain.messages import Problem, RuleError


class ServiceError(Exception):
    """A use case refused its input. ``str(error)`` is one line meant for the user."""

    def __init__(
        self, message: str, *, field: str | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        self.message = message
        self.params = dict(params or {})
        super().__init__(message % self.params if self.params else message)
        self.field = field

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.field, self.message, self.params)]


class DuplicateError(ServiceError):
    """A row with the same natural key already exists."""


class NotFoundError(ServiceError):
    """A referenced row does not exist (or the person asking may not see it)."""


class InvalidInput(ServiceError):
    """A form's input has one or more problems, each about one field."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self._problems = list(problems)
        first = self._problems[0]
        super().__init__(first.message, field=first.field, params=first.params)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @classmethod
    def from_rule(cls, error: RuleError) -> InvalidInput:
        return cls(error.problems)


class TransitionError(InvalidInput):
    """The workflow table does not allow this step (or its reason is missing)."""


class ForbiddenError(ServiceError):
    """The person may see the proposal but not do this with it (a co-handling agency writing the
    lead reply, a member rating a proposal they did not sign). Pages answer 403."""


class LockedError(ServiceError):
    """The thing is submitted and locked (a reply, a co-handling opinion); nothing was changed."""


class ConflictError(ServiceError):
    """Someone saved a newer version meanwhile; nothing was overwritten."""
