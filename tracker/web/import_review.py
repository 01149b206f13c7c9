"""Committee staff: the review queue of imported documents (/review/imports) and one file side by side
with its original text, where boundaries and links are fixed, an unpaired reply is paired, and the
file is marked reviewed or published.

A correction that fails comes back as typed with the problem (422, or 409 when the file no longer
allows it); the one-button steps (reviewed, publish) go back to the page with a message, as the
other review steps do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.messages import N_, Problem
from tracker.i18n import lazy_gettext as _l
from tracker.models import ImportKind
from tracker.services import import_review, visibility
from tracker.services.errors import ForbiddenError, InvalidInput, NotFoundError, ServiceError
from tracker.services.sessions import list_sessions
from tracker.web.args import bounded_int, choice_arg, page_arg, require_id
from tracker.web.auth import STAFF_ROLES, current_viewer, roles_required
from tracker.web.import_upload import REVIEW_REASONS
from tracker.web.messages import describe
from tracker.web.steps import run_step

bp = Blueprint("import_review", __name__, url_prefix="/review/imports")

staff_only = roles_required(*STAFF_ROLES)

# Why a file waits for a person, as the import names it (the upload's summary words, with shorter
# tags for the commonest); a code not listed here is shown as it is.
REASONS = {
    **REVIEW_REASONS,
    "low_confidence": _l("Parsed with low confidence"),
    "unpaired": _l("Reply without its proposal"),
    "number_conflict": _l("Conflicting numbers"),
}
KINDS = {
    ImportKind.PROPOSAL.value: _l("Proposal"),
    ImportKind.REPLY.value: _l("Reply"),
    ImportKind.BOTH.value: _l("Proposal with its reply"),
    ImportKind.POLICY.value: _l("Policy document"),
}
LINE_PREFIX, POINT_PREFIX = "line-", "point-"


def import_label(kind: str, code: str | None) -> str:
    """The label of an import reason or kind; unknown codes as they are."""
    table: Mapping[str, Any] = REASONS if kind == "reason" else KINDS
    return str(table.get(code or "", code or ""))


@bp.get("")
@staff_only
def queue() -> str:
    session = get_session()
    found = import_review.queue(
        session=session,
        reason=request.args.get("reason") or None,
        kind=choice_arg("kind", (k.value for k in ImportKind)),
        run_id=bounded_int(request.args.get("run")),
        page=page_arg(),
        page_size=current_app.config["PAGE_SIZE"],
    )
    reason = request.args.get("reason")
    return render_template(
        "review/imports.html",
        queue=found,
        reason=reason if reason in found.reasons else None,
        kind=request.args.get("kind"),
        run=bounded_int(request.args.get("run")),
    )


def _query() -> dict[str, object] | None:
    """The pairing search typed on the page (None: start from what the import found)."""
    if "find" not in request.args:
        return None
    query: dict[str, object] = {"title": request.args.get("title", "").strip()[:100]}
    meeting = bounded_int(request.args.get("meeting"))
    number = bounded_int(request.args.get("number"), high=100_000)
    if meeting is not None:
        query["meeting_id"] = meeting
    if number is not None:
        query["number"] = number
    return query


def _page(
    file_id: int,
    *,
    typed: Mapping[str, Mapping[int, str]] | None = None,
    typed_links: Mapping[int, set[int]] | None = None,
    failed: str | None = None,
    query: dict[str, object] | None = None,
) -> str:
    session = get_session()
    try:
        review = import_review.file_review(session=session, file_id=file_id, typed=typed, query=query)
    except NotFoundError:
        abort(404)
    return render_template(
        "review/imports_file.html",
        review=review,
        typed_links=typed_links,
        failed=failed,
        meetings=list_sessions(session=session),
    )


@bp.get("/<int:file_id>")
@staff_only
def detail(file_id: int) -> str:
    return _page(require_id(file_id), query=_query())


def _attempt(step: Callable[[Any], Any]) -> ServiceError | None:
    """Run the correction and commit; a refusal comes back (nothing kept)."""
    session = get_session()
    try:
        step(session)
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ForbiddenError:
        session.rollback()
        abort(403)
    except ServiceError as error:
        session.rollback()
        return error
    return None


def _answer(
    file_id: int, error: ServiceError | None, done: str, anchor: str, **typed: Any
) -> Response | tuple[str, int]:
    if error is None:
        flash(done, "success")
        return redirect(url_for("import_review.detail", file_id=file_id, _anchor=anchor), code=303)
    for problem in error.problems:
        flash(describe(problem), "error")
    status = 422 if isinstance(error, InvalidInput) and any(p.field for p in error.problems) else 409
    return _page(file_id, failed=anchor, **typed), status


def _typed_choices() -> dict[int, str]:
    """The choice posted per line, by the line's offset; a name that is no line offset is refused."""
    choices: dict[int, str] = {}
    for name, value in request.form.items():
        if not name.startswith(LINE_PREFIX):
            continue
        offset = bounded_int(name[len(LINE_PREFIX) :], low=0)
        if offset is None:
            raise InvalidInput([Problem("starts", N_("A marked line is not a line of this text."))])
        choices[offset] = value
    return choices


@bp.post("/<int:file_id>/boundaries/<any(proposal, reply):side>")
@staff_only
def boundaries(file_id: int, side: str) -> Response | tuple[str, int]:
    fid = require_id(file_id)
    choices: dict[int, str] = {}

    def step(session: Any) -> None:
        choices.update(_typed_choices())
        import_review.correct_boundaries(
            session=session,
            file_id=fid,
            side=side,
            choices=choices,
            actor=current_viewer(),
            now=visibility.now(),
        )

    error = _attempt(step)
    done = _("The suggestions were rebuilt from the lines you marked; check the links of the reply.")
    if side == import_review.REPLY_SIDE:
        done = _("The reply's points were rebuilt from the lines you marked; check their links.")
    return _answer(fid, error, done, f"{side}-boundaries", typed={side: choices})


def _typed_links() -> dict[int, set[int]]:
    chosen: dict[int, set[int]] = {}
    for name in request.form:
        if not name.startswith(POINT_PREFIX):
            continue
        point = bounded_int(name[len(POINT_PREFIX) :])
        values = [bounded_int(v) for v in request.form.getlist(name)]
        if point is None or None in values:
            raise InvalidInput(
                [Problem("links", N_("A ticked point or suggestion is not part of this reply."))]
            )
        chosen[point] = {v for v in values if v is not None}
    return chosen


@bp.post("/<int:file_id>/links")
@staff_only
def links(file_id: int) -> Response | tuple[str, int]:
    fid = require_id(file_id)
    chosen: dict[int, set[int]] = {}

    def step(session: Any) -> None:
        chosen.update(_typed_links())
        import_review.correct_links(
            session=session, file_id=fid, chosen=chosen, actor=current_viewer(), now=visibility.now()
        )

    error = _attempt(step)
    return _answer(fid, error, _("The links were saved."), "links", typed_links=chosen)


@bp.post("/<int:file_id>/pair")
@staff_only
def pair(file_id: int) -> Response | tuple[str, int]:
    fid = require_id(file_id)

    def step(session: Any) -> None:
        proposal_id = bounded_int(request.form.get("proposal"))
        if proposal_id is None:
            raise InvalidInput([Problem("proposal", N_("Choose the proposal this reply answers."))])
        import_review.pair(
            session=session,
            file_id=fid,
            proposal_id=proposal_id,
            actor=current_viewer(),
            now=visibility.now(),
        )

    error = _attempt(step)
    return _answer(
        fid,
        error,
        _("The reply was recorded for the proposal you chose; check its points and links."),
        "pair",
    )


@bp.post("/<int:file_id>/reviewed")
@staff_only
def reviewed(file_id: int) -> Response:
    fid = require_id(file_id)
    return run_step(
        lambda s: import_review.mark_reviewed(
            session=s, file_id=fid, actor=current_viewer(), now=visibility.now()
        ),
        done=_("The file was marked as reviewed; it has left the queue."),
        back=url_for("import_review.detail", file_id=fid, _anchor="finish"),
        forbidden_is_403=True,
    )


@bp.post("/<int:file_id>/publish")
@staff_only
def publish(file_id: int) -> Response:
    fid = require_id(file_id)
    return run_step(
        lambda s: import_review.publish(session=s, file_id=fid, actor=current_viewer(), now=visibility.now()),
        done=_("The proposal and its reply were published."),
        back=url_for("import_review.detail", file_id=fid, _anchor="finish"),
        forbidden_is_403=True,
    )


def waiting_imports() -> int:
    """Files in the import review queue, for the count on the review tabs."""
    return import_review.waiting_count(session=get_session())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(import_label)
    app.add_template_global(waiting_imports)
