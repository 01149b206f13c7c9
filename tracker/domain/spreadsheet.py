"""Cells for spreadsheet exports (CSV), made safe to open in Excel, WPS or LibreOffice.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
readers strip before looking) is taken for a formula when the file is opened: an agency named
``=HYPERLINK(...)`` would run as one on the public's computer. As OWASP recommends ("CSV Injection"),
such a cell is prefixed with a single quote, which every spreadsheet shows as text. Plain numbers
(``-3``, ``12.5%``) are left alone so that they stay numbers in the sheet.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def safe_cell(value: object) -> str:
    """``value`` as the text of one cell that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (CRLF line ends, RFC 4180 quoting), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
