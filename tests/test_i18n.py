"""The zh_CN catalog: compiled .mo in step with the .po, every UI string translated, Chinese by default."""

from __future__ import annotations

import io

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tracker.config import PACKAGE_DIR, REPO_ROOT

TRANSLATIONS = PACKAGE_DIR / "translations"
CATALOG = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES"


def _hashable(value: object) -> object:
    # Plural messages come back as lists from read_mo and as tuples from read_po.
    return tuple(value) if isinstance(value, list | tuple) else value


def _messages(catalog) -> dict[object, object]:
    return {_hashable(m.id): _hashable(m.string) for m in catalog if m.id}


def _read_po():
    with (CATALOG / "messages.po").open("rb") as fh:
        return read_po(fh)


def test_compiled_catalog_matches_the_po() -> None:
    buffer = io.BytesIO()
    write_mo(buffer, _read_po())
    buffer.seek(0)
    compiled_now = read_mo(buffer)
    with (CATALOG / "messages.mo").open("rb") as fh:
        committed = read_mo(fh)
    assert _messages(committed) == _messages(compiled_now), "run: pybabel compile -d tracker/translations"


def test_every_ui_string_has_a_chinese_translation() -> None:
    with (TRANSLATIONS / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    used = {
        (msgid[0] if isinstance(msgid, tuple) else msgid)
        for _file, _line, msgid, _comments, _context in extract_from_dir(
            str(REPO_ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}
        )
    }
    catalog = _read_po()
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string) and not m.fuzzy
    }
    assert used, "extraction found no messages"
    assert sorted(used - translated) == []
