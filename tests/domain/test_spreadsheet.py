"""Spreadsheet cells: what a reader would evaluate as a formula is neutralised, numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from tracker.domain.spreadsheet import csv_text, safe_cell


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
