"""Spreadsheet cells: what a reader would evaluate as a formula is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from tracker.domain.spreadsheet import csv_text, safe_cell, xlsx_bytes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example","点此")', '\'=HYPERLINK("http://evil.example","点此")'),
        ("+1+2", "'+1+2"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("=", "'="),
        ("-", "'-"),
        ("镇海区经信局", "镇海区经信局"),
        ("a=b", "a=b"),  # only the first character makes a formula
        ("—", "—"),  # the em dash of "nothing to count" is not a minus sign
        ("12", "12"),
        ("-3", "-3"),
        ("+4", "+4"),
        ("66.7%", "66.7%"),
        ("-12.5%", "-12.5%"),
        ("80.0", "80.0"),
        ("", ""),
        (None, ""),
        (7, "7"),
        ("-1-1", "'-1-1"),  # looks numeric at the start, but is a formula
    ],
)
def test_safe_cell(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_text_quotes_and_neutralises_every_cell() -> None:
    text = csv_text([["承办单位", "办复率"], ['=1+1,"x"', "50.0%"], ["@a", -1]])
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["承办单位", "办复率"],
        ['\'=1+1,"x"', "50.0%"],
        ["'@a", "-1"],
    ]


@pytest.mark.parametrize(
    ("value", "stored", "kind"),
    [
        ('=HYPERLINK("http://evil.example","点此")', '\'=HYPERLINK("http://evil.example","点此")', "s"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)", "s"),
        ("-1-1", "'-1-1", "s"),
        ("12", 12, "n"),
        ("-3", -3, "n"),
        ("80.5", 80.5, "n"),
        (7, 7, "n"),
        ("66.7%", "66.7%", "s"),  # as the page shows it
        ("—", "—", "s"),
        ("13800138000123456", "13800138000123456", "s"),  # a long digit run is an identifier
        ("镇海区\x01经信局", "镇海区经信局", "s"),  # a control character no workbook can hold
        (None, None, "n"),  # an empty cell
    ],
)
def test_xlsx_cells(value: object, stored: object, kind: str) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx_bytes([["head"], [value]], title="统计:汇总/全部")))
    sheet = book.active
    assert sheet.title == "统计 汇总 全部"
    cell = sheet.cell(row=2, column=1)
    assert cell.value == (stored if stored != "" else None)
    assert cell.data_type == kind  # never "f": no formula
