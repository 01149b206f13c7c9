"""The glossary: one way to write a date and a 案号, and one Chinese label per concept that the pages'
catalog and the Word/CSV labels share (issue 11, item 18)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tracker.domain.glossary import (
    FORBIDDEN_SYNONYMS,
    GLOSSARY,
    case_number,
    people_date,
    people_datetime,
    zh,
)

CATALOG = Path(__file__).parents[2] / "tracker/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="zh_Hans_CN")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 12, 2), "2026年12月2日"),
        (date(2027, 1, 15), "2027年1月15日"),  # no leading zeros, as documents write dates
        (date(2030, 10, 31), "2030年10月31日"),
        (datetime(2026, 12, 2, 12, 39), "2026年12月2日"),  # a moment's date
    ],
)
def test_people_date(value, expected: str) -> None:
    assert people_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 2, 12, 39), "2026年12月2日 12:39"),
        (datetime(2027, 1, 5, 8, 5), "2027年1月5日 08:05"),  # minutes always two digits
        (datetime(2027, 1, 5, 0, 0), "2027年1月5日 00:00"),
    ],
)
def test_people_datetime(value: datetime, expected: str) -> None:
    assert people_datetime(value) == expected


@pytest.mark.parametrize(
    ("number", "prefix", "expected"),
    [
        (3, None, "第3号"),
        (3, "", "第3号"),
        (12, "Z", "第Z12号"),
        (1, "2027-", "第2027-1号"),
        (120, "提", "第提120号"),
    ],
)
def test_case_number(number: int, prefix: str | None, expected: str) -> None:
    assert case_number(number, prefix) == expected


@pytest.mark.parametrize("concept", sorted(GLOSSARY))
def test_the_pages_translate_each_concept_to_its_word_and_csv_label(catalog, concept: str) -> None:
    # pages say gettext(msgid); Word files and CSVs say zh(concept): they must be the same words
    message = catalog.get(GLOSSARY[concept].msgid)
    assert message is not None, f"{GLOSSARY[concept].msgid!r} is not in the catalog"
    assert "fuzzy" not in message.flags
    assert message.string == zh(concept)


def test_each_concept_has_its_own_label() -> None:
    labels = [term.zh for term in GLOSSARY.values()]
    assert len(labels) == len(set(labels))


def test_no_catalog_entry_uses_a_forbidden_synonym(catalog) -> None:
    found = {
        message.id: word
        for message in catalog
        if message.id and isinstance(message.string, str)
        for word in FORBIDDEN_SYNONYMS
        if word in message.string
    }
    assert found == {}
