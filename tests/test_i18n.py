"""Both catalogs (zh_CN, the default, and en, issue 15): compiled .mo in step with the .po, every UI
string translated, and the English one free of Chinese."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tracker.config import PACKAGE_DIR, REPO_ROOT

TRANSLATIONS = PACKAGE_DIR / "translations"
CATALOGS = {"zh_CN": TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES", "en": TRANSLATIONS / "en" / "LC_MESSAGES"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _hashable(value: object) -> object:
    # Plural messages come back as lists from read_mo and as tuples from read_po.
    return tuple(value) if isinstance(value, list | tuple) else value


def _messages(catalog) -> dict[object, object]:
    return {_hashable(m.id): _hashable(m.string) for m in catalog if m.id}


def _read_po(name: str):
    with (CATALOGS[name] / "messages.po").open("rb") as fh:
        return read_po(fh)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("name", CATALOGS)
def test_compiled_catalog_matches_the_po(name: str) -> None:
    buffer = io.BytesIO()
    write_mo(buffer, _read_po(name))
    buffer.seek(0)
    compiled_now = read_mo(buffer)
    with (CATALOGS[name] / "messages.mo").open("rb") as fh:
        committed = read_mo(fh)
    assert _messages(committed) == _messages(compiled_now), "run: pybabel compile -d tracker/translations"


@pytest.mark.parametrize("name", CATALOGS)
def test_every_ui_string_is_translated(name: str) -> None:
    with (TRANSLATIONS / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    used = {
        (msgid[0] if isinstance(msgid, tuple) else msgid)
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(REPO_ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}
        )
    }
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in _read_po(name)
        if m.id and all(_strings(m)) and not m.fuzzy
    }
    assert used, "extraction found no messages"
    assert sorted(used - translated) == []


def test_the_english_catalog_holds_no_chinese() -> None:
    """An id holding Chinese (a term in brackets, an example) is said in English; the rest repeat
    their English ids, with both forms of a plural."""
    chinese = [m.id for m in _read_po("en") if m.id and any(CJK.search(s) for s in _strings(m))]
    assert chinese == []


def test_english_plurals_have_a_singular_and_a_plural() -> None:
    plurals = [m for m in _read_po("en") if isinstance(m.id, tuple)]
    assert plurals
    assert [m.id for m in plurals if len(_strings(m)) != 2 or len(set(_strings(m))) != len(set(m.id))] == []
