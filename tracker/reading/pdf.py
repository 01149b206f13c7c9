"""PDF with a text layer (pdfminer.six): lines read with their positions, page headers, footers and
page numbers dropped, lines rejoined into paragraphs.

A line joins the next one when it runs to the right margin (the text wrapped there) and the next one
does not open a paragraph (indented first line, a larger gap, an enumeration marker after a finished
sentence). A short line ends its paragraph: titles, the salutation, the signature and the date are
short lines of their own.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .model import Document, ReadError, find_doc_number

# Page numbers as Chinese offices print them: "— 1 —", "- 2 -", "第 3 页 共 5 页", "3/5", "3".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·\s]*\d{1,4}[-—–－~·\s]*|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_SENTENCE_END = "。！？；：!?;:”」』）)"
_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}[.．、)）](?!\d)|[①-⑳]|第[一二三四五六七八九十\d]{1,3}[条章节，,])"
)
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Share of the page height at the top and bottom where running headers and footers live.
_MARGIN_ZONE = 0.1


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float  # distance from the page top
    bottom: float
    height: float
    page: int
    page_height: float


@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float


def _visual_lines(chars: list[_Char], page: int, height: float) -> list[Line]:
    """Characters grouped into the lines a reader sees: by vertical overlap, then left to right.
    (pdfminer's own lines split a line where the font changes: quotes, digits, Latin.)"""
    rows: list[list[_Char]] = []
    for ch in sorted(chars, key=lambda c: -(c.y0 + c.y1) / 2):
        mid = (ch.y0 + ch.y1) / 2
        for row in reversed(rows[-3:]):
            lo, hi = min(c.y0 for c in row), max(c.y1 for c in row)
            if lo <= mid <= hi:
                row.append(ch)
                break
        else:
            rows.append([ch])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        size = statistics.median([c.y1 - c.y0 for c in row]) or 10.0
        text = row[0].text
        for prev, ch in itertools.pairwise(row):
            gap = ch.x0 - prev.x1
            cjk = _CJK.match(prev.text) or _CJK.match(ch.text)
            # A space glyph is a space as typed; a wide gap without one is a space too (tab stops).
            if ch.text != " " and prev.text != " " and gap > (size if cjk else size * 0.25):
                text += " "
            text += ch.text
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            top, bottom = height - max(c.y1 for c in row), height - min(c.y0 for c in row)
            inked = [c for c in row if c.text != " "]  # indentation typed as spaces is still indentation
            lines.append(Line(text, inked[0].x0, inked[-1].x1, top, bottom, size, page, height))
    return lines


def _lines(data: bytes) -> tuple[list[Line], int, int]:
    """(text lines of every page top to bottom, page count, pages with images but no text)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTImage, LTLayoutContainer
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException

    lines: list[Line] = []
    pages = scanned = 0

    def walk(obj, chars: list[_Char], images: list[int]) -> None:
        for el in obj:
            if isinstance(el, LTChar):
                if el.get_text().strip() or el.get_text() == " ":
                    chars.append(_Char(el.get_text(), el.x0, el.x1, el.y0, el.y1))
            elif isinstance(el, LTImage):
                images.append(1)
            elif isinstance(el, LTLayoutContainer) or hasattr(el, "__iter__"):
                walk(el, chars, images)

    try:
        # pdfminer logs every odd object it meets; the reader reports what matters itself.
        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        params = LAParams(all_texts=True)
        for number, page in enumerate(extract_pages(io.BytesIO(data), laparams=params), 1):
            pages += 1
            chars: list[_Char] = []
            images: list[int] = []
            walk(page, chars, images)
            found = _visual_lines(chars, number, page.height)
            if not found and images:
                scanned += 1
            lines.extend(found)
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReadError(
            "the PDF is encrypted (password-protected); save an unprotected copy and try again", "encrypted"
        ) from None
    except (
        PDFSyntaxError,
        PSException,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        AssertionError,
    ):
        raise ReadError("the PDF is damaged and cannot be read", "damaged") from None
    return lines, pages, scanned


def _chrome(lines: list[Line], pages: int) -> set[int]:
    """Indexes of header/footer lines: page numbers, and text repeated in a margin zone of several pages."""

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    def in_zone(line: Line) -> bool:
        zone = line.page_height * _MARGIN_ZONE
        return line.top < zone or line.bottom > line.page_height - zone

    repeated = Counter(key(ln) for ln in lines if in_zone(ln))
    drop = set()
    for i, ln in enumerate(lines):
        if not in_zone(ln):
            continue
        if _PAGE_NUMBER.match(ln.text.strip()) or (pages > 1 and repeated[key(ln)] >= max(2, pages // 2)):
            drop.add(i)
    return drop


def _join(a: str, b: str) -> str:
    if a and b and not _CJK.match(a[-1]) and not _CJK.match(b[0]) and a[-1] != "-":
        return a + " " + b
    return a + b


def _margin(values: list[int], pick) -> int:
    """The left (or right) text edge: the outermost position that at least two lines share, so one
    stray line (a table cell, a stamp) does not move it."""
    counts = Counter(values)
    shared = [v for v, n in counts.items() if n >= 2]
    return pick(shared or values)


def _centred(ln: Line, left: float, right: float, tol: float) -> bool:
    """Set in the middle: as far from both margins, and further than a first-line indent (2 字)."""
    return abs((ln.x0 - left) - (right - ln.x1)) < tol and ln.x0 - left > 2 * ln.height + tol


def _paragraphs(lines: list[Line]) -> str:
    if not lines:
        return ""
    left = _margin([round(ln.x0) for ln in lines], min)
    right = _margin([round(ln.x1) for ln in lines], max)
    size = statistics.median([ln.height for ln in lines]) or 10.0
    gaps = sorted(
        b.top - a.bottom for a, b in itertools.pairwise(lines) if a.page == b.page and b.top > a.bottom
    )
    gap = gaps[len(gaps) // 4] if gaps else size * 0.3  # between the lines of one paragraph
    out: list[str] = []
    current = ""
    for i, ln in enumerate(lines):
        current = _join(current, ln.text) if current else ln.text
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None:
            out.append(current)
            break
        tol = max(size, ln.height) * 1.5
        width = right - left
        centred = _centred(ln, left, right, tol)
        # The text wrapped: the line reaches the right margin (or, centred, nearly the whole width),
        # or, ragged, it is long and stops on a character that cannot end a sentence.
        ends = ln.text[-1] in _SENTENCE_END
        full = (
            ln.x1 >= right - tol
            or (centred and ln.x1 - ln.x0 >= width - 2 * tol)
            or (not ends and bool(_CJK.search(ln.text)) and ln.x1 >= right - 3 * tol and not centred)
        )
        # A first-line indent opens a paragraph; a centred line after a full one continues a title.
        indented = nxt.x0 > left + size * 0.8 and not _centred(nxt, left, right, tol)
        spaced = nxt.page == ln.page and nxt.top - ln.bottom > max(gap * 1.8, gap + size * 0.3)
        if not full or indented or spaced or (ends and bool(_MARKER.match(nxt.text))):
            out.append(current)
            current = ""
    return "\n".join(out)


def read_pdf(data: bytes) -> Document:
    lines, pages, scanned = _lines(data)
    if pages == 0:
        raise ReadError("the PDF has no pages", "damaged")
    drop = _chrome(lines, pages)
    body = [ln for i, ln in enumerate(lines) if i not in drop]
    headers = list(
        dict.fromkeys(ln.text for i, ln in enumerate(lines) if i in drop and not _PAGE_NUMBER.match(ln.text))
    )
    text = _paragraphs(body)
    if len(re.sub(r"\s", "", text)) < 2:
        raise ReadError("the PDF has no text layer (a scan?); OCR is not supported", "scanned")
    warnings = []
    if scanned:
        warnings.append(f"{scanned} of {pages} pages have no text layer (scanned?) and were skipped")
    return Document(
        text=text,
        format="pdf",
        pages=pages,
        headers=headers,
        doc_number=find_doc_number(text),
        warnings=warnings,
    )
