"""Decode document bytes: UTF-8 (with or without BOM), UTF-16/32 with a BOM, GB18030/GBK or Big5 as
charset-normalizer judges them, each checked for plausibility, or refuse clearly (never mojibake)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes


class TextDecodeError(ValueError):
    """The input is not a text document we can read; the message is one line for the user and
    ``code`` says why in a word a user interface can translate (empty, binary, undecodable…)."""

    def __init__(self, message: str, code: str = "unreadable") -> None:
        super().__init__(message)
        self.code = code


# Control characters other than tab/newline/CR/form feed are a sign of a binary file.
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What charset-normalizer may name for Chinese text, and the codec we then decode with: GB18030
# includes GB2312 and GBK, so a file labelled either is read with the superset.
_CHINESE = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "cp950": "big5hkscs",
}
# Below this share of ordinary characters a decoding is taken for mojibake, not text.
PLAUSIBLE_SHARE = 0.97


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec's name as a person knows it: "UTF-8", "GB18030", "UTF-16"…


def _looks_binary(text: str) -> bool:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    return bad > 0 and bad * 100 > len(text)


def _ordinary(ch: str) -> bool:
    """A character real Chinese or English office text is made of."""
    o = ord(ch)
    if ch.isspace() or 0x20 <= o < 0x7F:
        return True
    if 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFFEF:
        return True  # CJK ideographs, CJK punctuation, full-width forms
    if 0x2000 <= o <= 0x2BFF:
        return True  # punctuation, letterlike, number forms, arrows, circled numbers, box drawing
    category = unicodedata.category(ch)
    # Latin with accents, Greek, units: letters and symbols outside private use / unassigned.
    return o < 0x3000 and category[0] in "LNPS" and category != "Co"


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def plausibility(text: str) -> float:
    """The share of characters that ordinary text is made of (1.0 for an empty text)."""
    if not text:
        return 1.0
    if "\ufffd" in text:
        return 0.0
    return sum(1 for ch in text if _ordinary(ch)) / len(text)


def _common_hanzi(text: str) -> bool:
    """Are the ideographs mostly the 6,763 of GB2312? Real text, even with a rare name, is; Shift-JIS
    or Big5 bytes read as GBK land in GBK's extension areas instead."""
    hanzi = [ch for ch in text if 0x4E00 <= ord(ch) <= 0x9FFF]
    rare = sum(1 for ch in hanzi if not _in_gb2312(ch))
    return rare <= 1 + len(hanzi) // 10


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _display(codec: str) -> str:
    return {"utf-8-sig": "UTF-8", "big5hkscs": "Big5"}.get(codec, codec.upper())


def decode(data: bytes, *, name: str = "input") -> Decoded:
    """Decode ``data`` and say how; raise TextDecodeError with a one-line reason otherwise.

    A BOM decides. Otherwise strict UTF-8 is tried first (it cannot be decoded by chance), then the
    encoding charset-normalizer finds among the Chinese ones (GB18030 ⊇ GBK ⊇ GB2312, Big5), then
    GB18030, the encoding of most Chinese government documents. Each candidate must also look like
    text (see ``plausibility``): GB18030 decodes almost any byte string, so strictness alone would
    let mojibake through.
    """
    if not data or not data.strip():
        raise TextDecodeError(f"{name}: the file is empty", "empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data, codec)
            if text is None or plausibility(text) < PLAUSIBLE_SHARE:
                break
            if not text.strip():
                raise TextDecodeError(f"{name}: the file is empty", "empty")
            return Decoded(_normalise(text), _display(codec.replace("-sig", "")))
    else:
        if b"\x00" in data[:8192]:
            raise TextDecodeError(f"{name}: this looks like a binary file, not a text document", "binary")
    detected: str | None = None  # asked only when needed: slow, and weak on a short text
    for codec in ("utf-8-sig", "gb18030", "detected"):
        if codec != "utf-8-sig" and detected is None:
            best = from_bytes(data[:65536]).best()
            detected = _CHINESE.get(best.encoding, "") if best is not None else ""
        if codec == "detected":
            if detected in ("", "gb18030"):
                break
            codec = detected
        text = _try(data, codec)
        if text is None:
            continue
        if _looks_binary(text):
            raise TextDecodeError(f"{name}: this looks like a binary file, not a text document", "binary")
        # GB18030 text must also be made of common ideographs, unless the detector agrees it is GB
        # (traditional characters saved as GBK).
        common = codec != "gb18030" or detected == "gb18030" or _common_hanzi(text)
        if plausibility(text) >= PLAUSIBLE_SHARE and common:
            return Decoded(_normalise(text), _display(codec))
    raise TextDecodeError(
        f"{name}: the text is neither UTF-8 nor GB18030/GBK; save it as UTF-8 and try again", "undecodable"
    )


def decode_text(data: bytes, *, name: str = "input") -> str:
    """The text of ``data`` (see ``decode``)."""
    return decode(data, name=name).text


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, every I/O problem turned into a one-line TextDecodeError."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise TextDecodeError(f"{p}: no such file", "missing") from None
    except IsADirectoryError:
        raise TextDecodeError(f"{p}: is a directory, not a file", "missing") from None
    except OSError as exc:
        raise TextDecodeError(f"{p}: cannot be read ({exc.strerror or exc})", "missing") from None


def read_text_file(path: str | Path) -> str:
    """Read and decode a text file, turning every I/O problem into a TextDecodeError."""
    return decode_text(read_bytes(path), name=str(path))
