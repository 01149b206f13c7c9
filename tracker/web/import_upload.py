"""The staff upload of archive files (issue 13): many files or one .zip (and a manifest) go through
the same import as `tracker import`; the run's summary lists each file, links what waits for review
to the review queue (/review/imports/<id>) and says why each refused file was refused.

Routes on the review blueprint: ``review.import_upload`` (GET form, POST run) and
``review.import_summary``. Limits (config): IMPORT_UPLOAD_MAX_FILES files per upload,
IMPORT_UPLOAD_MAX_BYTES for the whole request, UPLOAD_MAX_BYTES per file, and
IMPORT_UPLOAD_MAX_UNPACKED bytes unpacked from a .zip.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from werkzeug.wrappers import Response
from wtforms import SelectField

from tracker.db import get_engine, get_session
from tracker.domain.messages import N_, Problem
from tracker.i18n import lazy_gettext as _l
from tracker.importing import Refused, zip_sources
from tracker.importing import run_import as run_import_files
from tracker.models import ImportRun
from tracker.reading import FORMATS
from tracker.services import imports
from tracker.services.errors import InvalidInput
from tracker.services.people import all_meetings
from tracker.services.search_sync import get_keeper
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required
from tracker.web.forms import put_problems
from tracker.web.labels import meeting_label
from tracker.web.review import bp
from tracker.web.uploads import max_bytes

DEFAULT_MAX_FILES = 500
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_UNPACKED = 500 * 1024 * 1024
ACCEPT = ",".join((*FORMATS, ".zip"))

staff_only = roles_required(*STAFF_ROLES)

# Why a file waits for review, and why one was refused, as staff read it.
REVIEW_REASONS = {
    "number_conflict": _l("the manifest and the text give different 案号"),
    "number_taken": _l("its 案号 is already taken in this session; stored without a number"),
    "unpaired": _l("no proposal found for this reply"),
    "weak_pairing": _l("paired by title similarity only"),
    "title_mismatch": _l("the 案号 and the quoted title point to different proposals"),
    "session_unknown": _l("paired by 案号 without a session"),
    "ambiguous": _l("the 案号 exists in several sessions"),
    "low_confidence": _l("parsed with low confidence"),
    "no_suggestions": _l("no suggestions found"),
    "no_points": _l("no numbered points found"),
    "no_title": _l("no title found"),
    "manifest": _l("its manifest row has errors"),
}
REFUSAL_REASONS = {
    "empty": _l("the file is empty"),
    "binary": _l("not a document (an image, a program or another binary file)"),
    "undecodable": _l("its text is in an encoding other than UTF-8 or GBK/GB18030"),
    "encrypted": _l("protected by a password"),
    "scanned": _l("a scanned PDF without a text layer (no OCR)"),
    "damaged": _l("the file is damaged"),
    "unsupported": _l("this kind of file is not supported"),
    "office": _l("Word .doc files cannot be read on this server right now"),
    "too_large": _l("too large"),
    "unrecognised": _l("not recognised as a proposal, a reply or a policy document"),
    "unsafe": _l("an unsafe name inside the .zip"),
    "nested": _l("an archive inside the archive"),
    "too_many": _l("the archive holds too many files"),
}


class ImportUploadForm(FlaskForm):
    files = MultipleFileField(_l("Files (.txt, .docx, .doc, .pdf, .html) or one .zip"))
    manifest = FileField(_l("Manifest (.xlsx or .csv, optional)"))
    session = SelectField(_l("Session of files that name none"), choices=[], validate_choice=False)


def _config(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _form(**kwargs: Any) -> ImportUploadForm:
    form = ImportUploadForm(**kwargs)
    form.session.choices = [("", _("As the files or the manifest say"))] + [
        (str(m.id), meeting_label(m)) for m in all_meetings(session=get_session())
    ]
    return form


def _page(form: ImportUploadForm, problems: list[Problem]) -> tuple[str, int]:
    general = put_problems(form, problems)
    limits = {
        "files": _config("IMPORT_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES),
        "mb": _config("IMPORT_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES) // (1024 * 1024),
    }
    page = render_template(
        "review/import_upload.html", form=form, general=general, limits=limits, accept=ACCEPT
    )
    return page, (422 if problems else 200)


@bp.get("/imports/upload")
@staff_only
def import_upload_form() -> tuple[str, int]:
    return _page(_form(formdata=None), [])


def _name(filename: str) -> str:
    """The uploaded file's own name, without any folder a browser sent."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "upload"


@bp.post("/imports/upload")
@staff_only
def import_upload() -> Response | tuple[str, int]:
    form = _form()
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return _page(form, [Problem("files", N_("Choose the files (or the .zip) to import."))])
    limit = _config("IMPORT_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES)
    if len(uploads) > limit:
        return _page(
            form, [Problem("files", N_("Upload at most %(limit)d files at once."), {"limit": limit})]
        )
    rows = []
    manifest = request.files.get("manifest")
    if manifest is not None and manifest.filename:
        try:
            rows = imports.read_manifest(manifest.read(max_bytes() + 1))
        except InvalidInput as error:
            return _page(form, [Problem("manifest", p.message, p.params) for p in error.problems])
    session_id = int(form.session.data) if (form.session.data or "").isdigit() else None
    refused: list[Refused] = []
    sources: list[imports.Source] = []
    budget = [_config("IMPORT_UPLOAD_MAX_UNPACKED", DEFAULT_MAX_UNPACKED)]
    for upload in uploads:
        name = _name(upload.filename or "")
        data = upload.read(max_bytes() + 1)
        if len(data) > max_bytes() and not name.lower().endswith(".zip"):
            refused.append(Refused(name, f"{name}: too large", "too_large"))
            continue
        if name.lower().endswith(".zip"):
            data += upload.read()  # a .zip is bounded by the request's own limit
            sources.extend(zip_sources(data, name, refused, budget=budget))
        else:
            sources.append(imports.Source(name, data))
    user = current_viewer()
    _summary, run_id = run_import_files(
        get_engine(),
        sources,
        refused=refused,
        manifest=rows,
        session_id=session_id,
        actor=_actor_name(),
        actor_id=user.user_id,
        origin="upload",
        threshold=float(current_app.config.get("IMPORT_REVIEW_THRESHOLD", imports.DEFAULT_THRESHOLD)),
        procs=1,
        keeper=get_keeper(current_app),
    )
    assert run_id is not None
    return redirect(url_for("review.import_summary", run_id=run_id), code=303)


def _actor_name() -> str:
    from flask_login import current_user

    return getattr(current_user, "username", "") or "staff"


def review_reason(code: str) -> str:
    return str(REVIEW_REASONS.get(code, code))


def refusal_reason(code: str) -> str:
    return str(REFUSAL_REASONS.get(code, _("it cannot be read")))


@bp.get("/imports/upload/<int:run_id>")
@staff_only
def import_summary(run_id: int) -> str:
    run = get_session().get(ImportRun, run_id)
    if run is None:
        abort(404)
    return render_template(
        "review/import_summary.html",
        run=run,
        summary=run.summary,
        review_reason=review_reason,
        refusal_reason=refusal_reason,
    )
