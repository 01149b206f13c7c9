"""A document file in place of pasted text (issue 13): the proposal form's and the reply editor's paste
boxes take a .txt (any Chinese encoding), .docx, .doc, .pdf or .html file; its text fills the box and
goes the way pasted text goes. Only these endpoints and this one field may carry a file: every other
form still refuses file parts (``request_checks``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext as _

from tracker.reading import FORMATS, ReadError, read_document

FIELD = "paste_file"
# The endpoints whose form has the file field (checked by request_checks before any view runs).
ENDPOINTS = frozenset({"drafts.new", "drafts.edit", "reply_editor.post"})
ACCEPT = ",".join(FORMATS)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _reason(error: ReadError) -> str:
    reasons = {
        "empty": _("the file is empty."),
        "binary": _("it is not a document (an image, a program or another binary file)."),
        "undecodable": _(
            "its text is in an encoding other than UTF-8 or GBK/GB18030; save it as UTF-8 and try again."
        ),
        "encrypted": _("it is protected by a password; save a copy without the password and try again."),
        "scanned": _("the PDF has no text layer (a scan); OCR is not supported, so paste the text instead."),
        "damaged": _("the file is damaged."),
        "unsupported": _("this kind of file is not supported; use .txt, .docx, .doc, .pdf or .html."),
        "too_large": _("the file is too large."),
        "office": _("Word .doc files cannot be read on this server right now; save the file as .docx."),
    }
    return reasons.get(error.code, _("it cannot be read."))


@dataclass(frozen=True)
class Uploaded:
    name: str
    text: str | None = None  # the document's text, when it could be read
    problem: str | None = None  # else why not, one translated sentence


def uploaded() -> Uploaded | None:
    """The document sent in the paste box's file field, read; None when no file was chosen."""
    file = request.files.get(FIELD)
    if file is None or not file.filename:
        return None
    name = file.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        return Uploaded(
            name,
            problem=_(
                "The file %(name)s cannot be read: %(reason)s",
                name=name,
                reason=_reason(ReadError("", "too_large")),
            ),
        )
    try:
        document = read_document(data, name)
    except ReadError as error:
        return Uploaded(
            name, problem=_("The file %(name)s cannot be read: %(reason)s", name=name, reason=_reason(error))
        )
    return Uploaded(name, text=document.text)
