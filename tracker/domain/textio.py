"""Decode document bytes: UTF-8 (with or without BOM) or GB18030/GBK, or refuse clearly."""

from __future__ import annotations

from pathlib import Path


class TextDecodeError(ValueError):
    """The input is not a text document we can read; the message is one line for the user."""


# Control characters other than tab/newline/CR/form feed are a sign of a binary file.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def _looks_binary(text: str) -> bool:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    return bad > 0 and bad * 100 > len(text)


def decode_text(data: bytes, *, name: str = "input") -> str:
    """Return the text of ``data``; raise TextDecodeError with a one-line reason otherwise.

    UTF-8 is tried first (a BOM is dropped), then GB18030, the superset of GBK/GB2312 that
    Chinese government documents commonly use. Both decodings are strict: a byte sequence
    that is valid in neither is refused rather than guessed at.
    """
    if not data or not data.strip():
        raise TextDecodeError(f"{name}: the file is empty")
    if b"\x00" in data[:8192]:
        raise TextDecodeError(f"{name}: this looks like a binary file, not a text document")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise TextDecodeError(f"{name}: this looks like a binary file, not a text document")
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise TextDecodeError(
        f"{name}: the text is neither UTF-8 nor GB18030/GBK; save it as UTF-8 and try again"
    )


def read_text_file(path: str | Path) -> str:
    """Read and decode a text file, turning every I/O problem into a TextDecodeError."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise TextDecodeError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise TextDecodeError(f"{p}: is a directory, not a file") from None
    except OSError as exc:
        raise TextDecodeError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    return decode_text(data, name=str(p))
