"""Older word-processor files (.doc, .wps, .rtf, .odt) through LibreOffice headless: converted to
.docx in a private temporary profile and read by the .docx reader, so numbering, tables and text
boxes come out the same way as from a .docx."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .docx import read_docx
from .model import Document, ReadError

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120


def soffice() -> str | None:
    for name in SOFFICE_NAMES:
        if found := shutil.which(name):
            return found
    return None


def read_with_libreoffice(data: bytes, suffix: str, fmt: str) -> Document:
    program = soffice()
    if program is None:
        raise ReadError(
            f"reading .{suffix} files needs LibreOffice (soffice), which is not installed", "office"
        )
    with tempfile.TemporaryDirectory(prefix="tracker-lo-") as tmp:
        src = Path(tmp) / f"input.{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        # A private profile: a second LibreOffice (or one the user has open) would otherwise take the
        # conversion over or lock the profile.
        command = [
            program,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(src),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise ReadError(
                f"LibreOffice took longer than {TIMEOUT_SECONDS} s to read the file", "office"
            ) from None
        result = out / "input.docx"
        if not result.is_file():
            raise ReadError(
                f"LibreOffice could not read this .{suffix} file (damaged or password-protected?)", "damaged"
            )
        document = read_docx(result.read_bytes())
    document.format = fmt
    return document
