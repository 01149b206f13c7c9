"""Web pages saved from government sites: the main text only (trafilatura drops navigation,
scripts, styles, share bars and footers), with the page's title above it when the extracted text
does not start with it, and the site's "发布日期 / 来源 / 浏览次数 / 字号" line dropped."""

from __future__ import annotations

import logging
import re

from tracker.domain.textio import TextDecodeError, decode

from .model import Document, ReadError, find_doc_number, tidy_lines

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# The line of article facts most government sites print under the heading.
_INFO_LINE = re.compile(r"(发布(日期|时间)|来源|浏览次数|访问量|点击数|字号|【\s*打印|分享到)")
_SITE_SUFFIX = re.compile(r"\s*[_|｜\-—]\s*[^_|｜\-—]{2,40}$")


def _decode(data: bytes) -> tuple[str, str]:
    """The page as text: the charset the page declares (gb2312 read as its superset GB18030),
    else what the text decoder finds."""
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        codec = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(codec), codec.upper()
        except (UnicodeDecodeError, LookupError):
            pass  # the declaration lies (it happens): detect instead
    try:
        found = decode(data)
    except TextDecodeError as exc:
        raise ReadError(str(exc).removeprefix("input: "), exc.code) from None
    return found.text, found.encoding


def read_html(data: bytes) -> Document:
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    page, encoding = _decode(data)
    body = trafilatura.extract(
        page,
        include_tables=True,
        include_comments=False,
        include_links=False,
        include_images=False,
        favor_recall=True,
        deduplicate=False,
    )
    meta = trafilatura.extract_metadata(page)
    title = (meta.title if meta is not None else None) or None
    lines = [ln for ln in (body or "").split("\n") if not _INFO_LINE.search(ln) or len(ln) > 80]
    # Tables come out as "| a | b |": cells apart by tabs as from a Word table.
    lines = [
        "\t".join(c.strip() for c in ln.strip().strip("|").split("|")) if ln.strip().startswith("|") else ln
        for ln in lines
    ]
    text = tidy_lines(lines)
    if title:
        title = _SITE_SUFFIX.sub("", title).strip() or title
        if title not in text.split("\n", 3)[:3]:
            text = title + "\n" + text if text else ""
    if not text.strip():
        raise ReadError("no main text was found in this web page", "empty")
    return Document(
        text=text, format="html", encoding=encoding, title=title, doc_number=find_doc_number(text)
    )
