"""Fill the English catalog after `pybabel update` (issue 15).

The message ids are English, so an empty entry of tracker/translations/en is filled with its own
id (both forms of a plural). An id holding Chinese is not good English UI text: it is left empty
and listed, for a person to write its English (tests/test_i18n.py fails until they do).

    PYTHONPATH=. .venv/bin/python scripts/fill_en_catalog.py && .venv/bin/pybabel compile -d tracker/translations
"""

from __future__ import annotations

import re
import sys

from babel.messages.pofile import read_po, write_po

from tracker.config import PACKAGE_DIR

PO = PACKAGE_DIR / "translations" / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def main() -> int:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            continue
        if any(CJK.search(i) for i in ids):
            missing.append(ids[0])
            continue
        message.string = ids if isinstance(message.id, tuple) else ids[0]
        message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True)
    for msgid in missing:
        print(f"needs an English translation: {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
