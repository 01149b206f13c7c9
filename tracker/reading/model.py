"""What a reader returns, and how it refuses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.domain.textio import TextDecodeError


class ReadError(TextDecodeError):
    """The file cannot be read as a document; the message is one line for the user."""


@dataclass
class Document:
    """A document's plain text and what was found on the way."""

    text: str
    format: str  # txt | docx | doc | pdf | html (and rtf, odt, wps through LibreOffice)
    encoding: str | None = None  # for text and HTML: the encoding the bytes were in
    title: str | None = None  # where the format marks it (a Title style, <h1>)
    doc_number: str | None = None  # the 文号, where it stands in a line of its own
    pages: int | None = None  # PDF pages
    headers: list[str] = field(default_factory=list)  # running page headers (not in the text)
    warnings: list[str] = field(default_factory=list)


# The 文号: issuer, year in brackets, serial ("镇人社函〔2026〕31号", "浙政办发[2020]3号").
DOC_NUMBER = re.compile(
    r"^[A-Za-z\u4e00-\u9fff]{1,12}[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*第?\s*\d{1,5}\s*号$"
)
_SPACES = " \t\u3000\u00a0"


def tidy_lines(lines: list[str]) -> str:
    """Lines stripped of indentation (ASCII and full-width spaces), blank ones dropped."""
    kept = [line.strip(_SPACES) for line in lines]
    return "\n".join(line for line in kept if line)


def find_doc_number(text: str, head: int = 12) -> str | None:
    for line in text.split("\n")[:head]:
        if DOC_NUMBER.match(line.strip(_SPACES)):
            return line.strip(_SPACES)
    return None
