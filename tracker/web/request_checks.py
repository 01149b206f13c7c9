"""Forms no page can take, refused before any view reads them: file parts (except the import of
people, and the one document file a paste box takes, ``uploads.ENDPOINTS``/``uploads.FIELD``, within
its size limit) and bytes that are not UTF-8 (a form posted as GBK would otherwise be stored as mojibake).
One check for every form, so no view needs a guard of its own and nothing reaches the database or
the index. (Control characters, NUL included, are text that can be read: the services remove them
with ``clean_text``, as they always have.)

The refusal is a 400 page that says what was wrong and shows what was sent, as far as it can be
read (a GBK/GB18030 form decoded as such), so the writer can copy it back into the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from urllib.parse import parse_qsl, unquote_to_bytes

from flask import Flask, current_app, render_template, request, url_for
from werkzeug.datastructures import Headers
from werkzeug.formparser import MultiPartParser

from tracker.i18n import lazy_gettext as _l
from tracker.web import uploads

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# The forms that take files: the import of members and agencies, and the archive upload (their other
# fields are a token and choices, so nothing typed can be lost there).
FILE_ENDPOINTS = {"admin.import_upload", "review.import_upload"}
# Forms whose files may exceed MAX_CONTENT_LENGTH: the archive upload (issue 13), up to its own limit.
LARGE_UPLOADS = {"review.import_upload": ("IMPORT_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)}
# Fields that carry no writing of the user's: not worth showing back.
HIDDEN_FIELDS = {"csrf_token", "op", "digest", "revision", "form_token", "mode"}

REASONS = {
    "files": _l("This form takes no files. Only text can be sent; nothing was saved."),
    "too_large": _l("The file sent is too large to be read. Nothing was saved."),
    "encoding": _l(
        "The form arrived in an encoding other than UTF-8 (for example GBK), so its Chinese text "
        "cannot be read reliably. Nothing was saved. What could be read is shown below: copy it back "
        "into the form and send it from this site's page."
    ),
}


@dataclass(frozen=True)
class SentField:
    name: str
    value: str


def _percent_encoded(raw: bytes) -> str:
    # Escape every non-ASCII byte so parse_qsl decodes raw and %-escaped bytes alike.
    return "".join(chr(b) if b < 0x80 else f"%{b:02X}" for b in raw)


def _urlencoded_is_utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _GB18030Parts(MultiPartParser):
    def get_part_charset(self, headers: Headers) -> str:
        return "gb18030"


def _readable_fields(reason: str, raw: bytes) -> list[SentField]:
    """What was sent, by field. A form that is not UTF-8 is read as GB18030 (which includes GBK):
    the one other encoding a Chinese office's software sends."""
    pairs: list[tuple[str, str]]
    boundary = request.mimetype_params.get("boundary", "")
    if reason == "encoding" and request.mimetype == FORM_TYPES[0]:
        pairs = parse_qsl(_percent_encoded(raw), keep_blank_values=True, encoding="gb18030", errors="replace")
    elif reason == "encoding" and boundary:
        parts, files = _GB18030Parts().parse(BytesIO(raw), boundary.encode(), len(raw))
        for file in files.values():  # an allowed upload beside the fields: not shown back
            file.close()
        pairs = list(parts.items(multi=True))
    else:  # as Werkzeug read it
        pairs = list(request.form.items(multi=True))
    return [SentField(name, value) for name, value in pairs if name not in HIDDEN_FIELDS and value.strip()]


def _allowed_upload() -> str | None:
    """The one file a paste box may carry (tracker/web/uploads.py): its endpoint, its field, one file,
    within the size limit. None when it is allowed, else the reason to refuse."""
    if request.endpoint not in uploads.ENDPOINTS or set(request.files) != {uploads.FIELD}:
        return "files"
    files = request.files.getlist(uploads.FIELD)
    if len(files) != 1:
        return "files"
    files[0].stream.seek(0, 2)
    size = files[0].stream.tell()
    files[0].stream.seek(0)
    if size > uploads.max_bytes():
        return "too_large"
    # The text fields around the file: Werkzeug decoded them as UTF-8, replacing what was not.
    if any("\ufffd" in value for value in request.form.values()):
        return "encoding"
    return None


def _problem(raw: bytes) -> str | None:
    if request.mimetype == FORM_TYPES[1]:
        if request.endpoint in FILE_ENDPOINTS:
            return None  # the file is read (and its encoding checked) by the import itself
        if request.files:
            return _allowed_upload()
        try:
            raw.decode("utf-8")  # with no file parts, the whole body is text
        except UnicodeDecodeError:
            return "encoding"
    elif not _urlencoded_is_utf8(raw):
        return "encoding"
    return None


def _back() -> str:
    """The page the form was on, when the browser said so and it is ours; else the home page."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else url_for("home.index")


def check_form() -> tuple[str, int] | None:
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype not in FORM_TYPES:
        return None
    if request.endpoint in LARGE_UPLOADS:
        key, default = LARGE_UPLOADS[request.endpoint]
        request.max_content_length = int(current_app.config.get(key, default))
    # Kept: Werkzeug parses the form from these cached bytes afterwards.
    raw = request.get_data(cache=True)
    reason = _problem(raw)
    if reason is None:
        return None
    page = render_template(
        "errors/unreadable_form.html",
        code=400,
        reason=REASONS[reason],
        fields=_readable_fields(reason, raw),
        back=_back(),
    )
    return page, 400


def init_app(app: Flask) -> None:
    # Before CSRFProtect's check too (registered first): a refused form is refused for what it is.
    app.before_request_funcs.setdefault(None, []).insert(0, check_form)
