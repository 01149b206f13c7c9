"""Errors the use cases raise; each names the input field it is about, so a form can show it."""

from __future__ import annotations


class ServiceError(Exception):
    """A use case refused its input. ``str(error)`` is one line meant for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DuplicateError(ServiceError):
    """A row with the same natural key already exists."""


class NotFoundError(ServiceError):
    """A referenced row does not exist."""
