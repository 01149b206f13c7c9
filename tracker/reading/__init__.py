"""One reader for every entry point: bytes and a file name in, plain text out (with the format, the
encoding, the title and 文号 where the format marks them, the page count and warnings), or a
``ReadError`` whose message is one line for the user. No Flask, no database.

The format is taken from the content (magic bytes) first and the file name second, so a letter
saved as ``.txt`` that is really a Word file is read as Word, and a renamed binary is refused.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

from tracker.domain.textio import TextDecodeError, decode, read_bytes

from .model import Document, ReadError, find_doc_number

__all__ = ["FORMATS", "Document", "ReadError", "read_document", "read_path"]

# Suffixes a file chooser offers; what is read is decided by the content.
FORMATS = (".txt", ".docx", ".doc", ".wps", ".rtf", ".odt", ".pdf", ".html", ".htm")
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .doc, .wps, encrypted .docx
_UTF16_NAME = "EncryptedPackage".encode("utf-16-le")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".mht")
_OFFICE_SUFFIXES = {".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".odt": "odt", ".dot": "doc"}


def _looks_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower()) or (
        head.startswith(b"<") and (b"<body" in data[:65536].lower() or b"<head" in data[:4096].lower())
    )


def _sniff(data: bytes, suffix: str) -> str:
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise ReadError("the file is a damaged .zip/.docx archive", "damaged") from None
        if "word/document.xml" in names:
            return "docx"
        if "mimetype" in names and "content.xml" in names:
            return "odt"
        raise ReadError(
            "this archive is not a Word document; only .txt, .docx, .doc, .pdf and .html files can be read",
            "unsupported",
        )
    if data.startswith(_CFB):
        if _UTF16_NAME in data:
            raise ReadError(
                "the Word document is encrypted (password-protected); save an unprotected copy and try again",
                "encrypted",
            )
        return _OFFICE_SUFFIXES.get(suffix, "doc")
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in _HTML_SUFFIXES or _looks_html(data):
        return "html"
    return "txt"


def read_document(data: bytes, name: str = "input") -> Document:
    """Read ``data`` (the content of file ``name``); raise ReadError with a one-line reason."""
    if not data or not data.strip():
        raise ReadError(f"{name}: the file is empty", "empty")
    suffix = Path(name).suffix.lower()
    try:
        kind = _sniff(data, suffix)
        if kind == "pdf":
            from .pdf import read_pdf

            return read_pdf(data)
        if kind == "docx":
            from .docx import read_docx

            return read_docx(data)
        if kind in ("doc", "wps", "rtf", "odt"):
            from .office import read_with_libreoffice

            return read_with_libreoffice(data, kind, kind)
        if kind == "html":
            from .html import read_html

            return read_html(data)
        found = decode(data, name=name)
    except ReadError as exc:
        message = str(exc)
        raise ReadError(
            message if message.startswith(f"{name}: ") else f"{name}: {message}", exc.code
        ) from None
    except TextDecodeError as exc:
        raise ReadError(str(exc), exc.code) from None
    return Document(
        text=found.text, format="txt", encoding=found.encoding, doc_number=find_doc_number(found.text)
    )


def read_path(path: str | Path) -> Document:
    """Read a file from disk (I/O problems become a ReadError too)."""
    try:
        data = read_bytes(path)
    except TextDecodeError as exc:
        raise ReadError(str(exc), exc.code) from None
    return read_document(data, str(path))
