"""Query-string parsing that never fails: a bad value means "no filter", not an error page."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, request

# Largest id a 32-bit INTEGER column holds; a larger number can only be a typo or a probe, and
# passing it on would make SQLite raise OverflowError instead of answering "not found".
MAX_ID = 2**31 - 1


def id_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def choice_arg(name: str, allowed: Iterable[str]) -> str | None:
    value = request.args.get(name, "")
    return value if value in set(allowed) else None


def page_arg(name: str = "page") -> int:
    value = request.args.get(name, type=int)
    return value if value is not None and value >= 1 else 1


def require_id(value: int) -> int:
    """404 for ids no row can have, before they reach the database."""
    if not 1 <= value <= MAX_ID:
        abort(404)
    return value
