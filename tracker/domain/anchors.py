"""The anchors of the pages (``/proposals/1#s3``, ``#r3``, ``/library/…#c5-16``): pure names, so the
pages and the search index link to the same places."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Numbered(Protocol):
    """A suggestion or a reply point: its number as written (None: unnumbered) and its position."""

    @property
    def n(self) -> int | None: ...

    @property
    def position(self) -> int: ...


class Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def suggestion_anchor(suggestion: Numbered) -> str:
    """``s3`` for suggestion 3; an unnumbered one is named by its position instead."""
    return f"s{suggestion.n}" if suggestion.n is not None else f"s-{suggestion.position + 1}"


def point_anchor(point: Numbered, *, reply: Identified, lead: bool) -> str:
    """``r3`` for point 3 of the lead reply; other replies' points carry the reply id too."""
    label = str(point.n) if point.n is not None else f"-{point.position + 1}"
    return f"r{label}" if lead else f"r{reply.id}-{label}"


def clause_anchors(clauses: Iterable[tuple[str, int]]) -> list[str]:
    """``c3-2`` for the clause at outline path 3.2, for ``(path, position)`` pairs in document order;
    an outline that restarts numbering must not repeat an id, so a repeated path takes its position."""
    anchors: list[str] = []
    used: set[str] = set()
    for path, position in clauses:
        anchor = "c" + path.replace(".", "-")
        if anchor in used:
            anchor = f"{anchor}_{position}"
        used.add(anchor)
        anchors.append(anchor)
    return anchors
