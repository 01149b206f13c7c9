"""Issue 13 acceptance: every real letter of the parsing set, kept as an office keeps it — a .docx with
Word AUTOMATIC numbering, a .pdf printed from that .docx by LibreOffice, a GBK .txt — parses to the
same suggestions, points, frame and links as its UTF-8 text (so the scorer's figures are the same)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.reading.renditions import SOFFICE, libreoffice, write_docx, write_gbk
from tracker.cli import main

REPO = Path(__file__).resolve().parents[2]
# The shared set lies beside the checkout (CI) or where PARSING_ITEMS says (a worktree elsewhere).
ITEMS = Path(os.environ.get("PARSING_ITEMS", REPO.parent / "shared" / "parsing" / "items"))
ITEM_FILES = sorted(ITEMS.glob("*.json")) if ITEMS.is_dir() else []
FORMATS = ("gbk.txt", "docx", "pdf")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ITEM_FILES, reason=f"the parsing set is not at {ITEMS}"),
    pytest.mark.skipif(not SOFFICE.exists(), reason="LibreOffice is missing (make browser installs it)"),
]


def _norm(text: str | None) -> str:
    # What the scorer compares: NFKC, whitespace ignored (a PDF cannot keep "1.  设立"'s two spaces).
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if not ch.isspace())


def _cli(*args: str) -> dict:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _proposal(path: Path) -> list[tuple]:
    data = _cli("split-proposal", str(path))
    return [(s["n"], s["marker"], _norm(s["title"]), _norm(s["text"])) for s in data["suggestions"]]


def _reply(path: Path, proposal: Path | None) -> dict:
    data = _cli("split-reply", str(path), *(["--proposal", str(proposal)] if proposal else []))
    return {
        "frame": [
            _norm(data[k])
            for k in ("title", "doc_number", "salutation", "preamble", "closing", "signature", "date")
        ],
        "points": [(p["n"], p["marker"], _norm(p["heading"]), _norm(p["text"])) for p in data["points"]],
        "links": [
            [(lk["suggestion"], lk["method"], round(lk["confidence"], 2)) for lk in p["links"]]
            for p in data["points"]
        ],
    }


@pytest.fixture(scope="module")
def renditions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every text as UTF-8 and GBK .txt and .docx; all the .docx printed to PDF in one soffice run."""
    root = tmp_path_factory.mktemp("renditions")
    docx = []
    for f in ITEM_FILES:
        item = json.loads(f.read_text(encoding="utf-8"))
        for part in ("proposal", "reply"):
            text = item.get(f"{part}_text")
            if not text:
                continue
            stem = root / f"{f.stem}-{part}"
            Path(f"{stem}.utf8.txt").write_text(text, encoding="utf-8")
            write_gbk(text, Path(f"{stem}.gbk.txt"))
            write_docx(text, Path(f"{stem}.docx"))
            docx.append(Path(f"{stem}.docx"))
    libreoffice(docx, root, "pdf", root / "profile")
    return root


def test_the_docx_renditions_really_use_automatic_numbering(renditions: Path) -> None:
    """Guard on the generator: the markers are in numbering.xml, so python-docx's text lacks them."""
    from docx import Document

    numbered = []
    for path in renditions.glob("*.docx"):
        for p in Document(str(path)).paragraphs:
            if p._p.pPr is not None and p._p.pPr.numPr is not None:
                numbered.append(p.text)
    assert len(numbered) > 50
    assert not [
        t
        for t in numbered
        if re.match(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])", t)
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("item", ITEM_FILES, ids=[f.stem for f in ITEM_FILES])
def test_every_rendition_parses_like_the_utf8_text(renditions: Path, item: Path, fmt: str) -> None:
    data = json.loads(item.read_text(encoding="utf-8"))
    base = renditions / item.stem
    has_proposal = bool(data.get("proposal_text"))
    if has_proposal:
        assert _proposal(Path(f"{base}-proposal.{fmt}")) == _proposal(Path(f"{base}-proposal.utf8.txt"))
    if data.get("reply_text"):
        want = _reply(
            Path(f"{base}-reply.utf8.txt"), Path(f"{base}-proposal.utf8.txt") if has_proposal else None
        )
        got = _reply(Path(f"{base}-reply.{fmt}"), Path(f"{base}-proposal.{fmt}") if has_proposal else None)
        assert got == want
