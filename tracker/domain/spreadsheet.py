"""Cells for spreadsheet exports (CSV and XLSX), made safe to open in Excel, WPS or LibreOffice.

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
from collections.abc import Iterable, Sequence

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


def xlsx_bytes(rows: Iterable[Sequence[object]], *, title: str = "Sheet1") -> bytes:
    """Rows as an .xlsx workbook of one sheet (openpyxl). Every text cell goes through ``safe_cell``
    as in the CSV (openpyxl itself would store a text starting with ``=`` as a formula); plain
    numbers (``3``, ``-2.5``) are stored as numbers, so the sheet can sum them."""
    from openpyxl import Workbook  # only the exports need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_cell(value: object) -> object:
    if value is None or value == "":
        return None  # an empty cell, not an empty text
    if isinstance(value, bool):
        return safe_cell(value)
    if isinstance(value, int | float):
        return value
    # control characters other than tab and line breaks cannot be stored in a workbook at all
    text = _ILLEGAL.sub("", safe_cell(value))
    if _PLAIN_NUMBER.fullmatch(text) and len(text) < 16:  # longer digit runs (ids, phones) stay text
        return float(text) if "." in text else int(text)
    return text


def _sheet_title(title: str) -> str:
    # Excel refuses []:*?/\ in a sheet's name and more than 31 characters
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"
