"""Numbers and choices from the request, parsed in one place so none can fail: a bad value means
"no filter" (query strings) or "not given" (forms), not an error page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import abort, request

# Largest id a 32-bit INTEGER column holds; a larger number can only be a typo or a probe, and
# passing it on would make SQLite raise OverflowError instead of answering "not found".
MAX_ID = 2**31 - 1
# Longest run of digits worth reading (MAX_ID has 10); int() of a longer one is wasted work.
_MAX_DIGITS = 12


def bounded_int(value: Any, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """``value`` as an integer in ``low..high`` (ASCII digits, optional sign), else None: huge
    numbers, "²" or "١" (digits to str.isdigit, not to a database), blanks and files alike."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-").removeprefix("+")
        if not digits.isascii() or not digits.isdigit() or len(digits) > _MAX_DIGITS:
            return None
        number = int(text)
    else:
        return None
    return number if low <= number <= high else None


def id_arg(name: str) -> int | None:
    return bounded_int(request.args.get(name))


def choice_arg(name: str, allowed: Iterable[str]) -> str | None:
    value = request.args.get(name, "")
    return value if value in set(allowed) else None


def page_arg(name: str = "page") -> int:
    # Capped so page × page size stays a number the database takes (a page past the end is empty).
    return bounded_int(request.args.get(name), high=MAX_ID // 1000) or 1


def require_id(value: int) -> int:
    """404 for ids no row can have, before they reach the database."""
    if not 1 <= value <= MAX_ID:
        abort(404)
    return value
