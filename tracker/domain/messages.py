"""Messages the domain gives back to people, written as English message ids.

``N_`` only marks a string for extraction (pybabel knows the name); the web layer translates the
message with its parameters when it shows it, and the CLI prints the English text as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field it is about, a message id and its parameters."""

    field: str | None
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.params) if self.params else self.message


class RuleError(ValueError):
    """A domain rule refused something; carries one or more problems."""

    def __init__(self, problems: Problem | list[Problem]) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))
