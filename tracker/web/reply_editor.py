"""The lead agency's reply editor (/proposals/<id>/reply) and a co-handling agency's opinion
(/proposals/<id>/opinion). Only agency staff reach these pages; the services say whose proposal it is
(404 when they may not see it, 403 when their agency is not the lead, or not a co-handling one).

Whatever is typed comes back on the page when it cannot be stored (too long, locked, saved meanwhile
by someone else), so nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tracker.db import get_session
from tracker.domain.drafting import clean_text
from tracker.domain.messages import Problem
from tracker.domain.reply_drafting import OUTCOMES, ChosenLink, DraftContent, Mode, digest, pasted_problem
from tracker.models import Suggestion
from tracker.search import get_backend
from tracker.services import co_opinions, commitments, pasted_letters, precedents, replying
from tracker.services import search as search_service
from tracker.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInput,
    LockedError,
    NotFoundError,
    ServiceError,
)
from tracker.services.pasted_letters import PastedLetter
from tracker.services.visibility import Role
from tracker.services.workflow import utcnow
from tracker.web import reply_forms, uploads
from tracker.web.args import require_id
from tracker.web.auth import current_viewer, local_today, roles_required
from tracker.web.messages import describe
from tracker.web.precedents import cited_from

bp = Blueprint("reply_editor", __name__)
log = logging.getLogger(__name__)

agency_only = roles_required(Role.AGENCY)

SAVE, SUBMIT, READ = "save", "submit", "read"


@dataclass
class Page:
    """What the editor template shows besides the service's ``Editor``."""

    mode: Mode
    errors: dict[str, list[str]] = field(default_factory=dict)  # form field name -> messages
    general: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    proposed: dict[tuple[int, int], ChosenLink] = field(default_factory=dict)  # what the linker offered
    related: dict[int, list[Any]] = field(default_factory=dict)  # suggestion id -> related clauses


def _load(
    proposal_id: int, content: DraftContent | None = None, letter: PastedLetter | None = None
) -> replying.Editor:
    """The editor to show; ``letter``: the pasted letter this request already read, not read again."""
    try:
        return replying.editor(
            session=get_session(),
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            today=local_today(),
            content=content,
            letter=letter,
        )
    except NotFoundError:
        abort(404)
    except ForbiddenError:
        abort(403)


def _suggestions(proposal_id: int) -> list[Suggestion]:
    try:
        return replying.lead_suggestions(
            session=get_session(), proposal_id=require_id(proposal_id), actor=current_viewer()
        )
    except NotFoundError:
        abort(404)
    except ForbiddenError:
        abort(403)


def _related(proposal_id: int) -> dict[int, list[Any]]:
    """Policy clauses related to each suggestion; the editor works without them if search fails."""
    try:
        return search_service.related_clauses_by_suggestion(
            session=get_session(), backend=get_backend(), proposal_id=proposal_id
        )
    except Exception:  # the search index is a help here, never a reason to lose the editor
        log.exception("related clauses for proposal %s", proposal_id)
        return {}


def _split(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        message = describe(problem)
        if problem.field:
            errors.setdefault(problem.field, []).append(message)
        else:
            general.append(message)
    return errors, general


def _render(editor: replying.Editor, page: Page, status: int = 200) -> tuple[str, int]:
    if editor.letter is not None and not page.proposed:
        page.proposed = {(ln.point, ln.suggestion): ln for ln in editor.letter.proposed}
    if not page.related and not editor.locked and page.mode == Mode.SECTIONS:
        page.related = _related(editor.proposal.id or 0)
    editor.content.mode = page.mode
    body = render_template(
        "reply_editor/edit.html",
        editor=editor,
        content=editor.content,
        page=page,
        outcomes=OUTCOMES,
        digest=digest(editor.content.pasted) if editor.content.pasted else "",
    )
    return body, status


@bp.get("/proposals/<int:proposal_id>/reply")
@agency_only
def edit(proposal_id: int) -> tuple[str, int]:
    editor = _load(proposal_id)
    wanted = request.args.get("mode")
    mode = Mode(wanted) if wanted in (Mode.SECTIONS.value, Mode.PASTED.value) else editor.content.mode
    return _render(editor, Page(mode=mode))


def _keep(proposal_id: int, content: DraftContent, letter: PastedLetter) -> list[str]:
    """Save a letter just read as the draft, with its proposed links, so leaving the page loses
    nothing (issue 11, item 14). Returns why it could not be saved (it is still shown), or nothing."""
    session = get_session()
    try:
        replying.save(
            session=session,
            proposal_id=require_id(proposal_id),
            actor=current_viewer(),
            content=content,
            revision=reply_forms.revision_of(request.form),
            now=utcnow(),
            letter=letter,
        )
        session.commit()
    except IntegrityError:  # the same new draft created meanwhile by another request
        session.rollback()
        return [_("The letter was read but not saved: someone else saved this reply meanwhile.")]
    except ServiceError as error:  # locked, saved meanwhile by someone else, too long
        session.rollback()
        return [_("The letter was read but not saved:"), *(describe(p) for p in error.problems)]
    return []


def _read(
    proposal_id: int, content: DraftContent, suggestions: list[Suggestion], changed: bool
) -> tuple[str, int]:
    """Read the pasted letter, show the links proposed for its points and keep it as the saved draft.
    ``changed``: the letter was edited after its links were shown."""
    try:
        letter = pasted_letters.read_letter(content.pasted, suggestions)
    except InvalidInput as error:
        errors, general = _split(error.problems)
        return _render(
            _load(proposal_id, content), Page(mode=Mode.PASTED, errors=errors, general=general), 422
        )
    frame = letter.frame()
    if not frame.date:
        frame.date = content.frame.date  # a letter pasted without its date keeps the one typed
    content.frame = frame
    content.outcome = content.outcome or letter.outcome
    content.links = list(letter.proposed)
    content.mode = Mode.PASTED
    problems = _keep(proposal_id, content, letter)
    # saved: shown from the draft (with its new revision); not saved: as read, with the reason
    editor = _load(proposal_id, content if problems else None, letter)
    if problems:
        return _render(editor, Page(mode=Mode.PASTED, general=problems), 409)
    if changed:
        notice = _(
            "The letter changed since it was read: check the suggestions each point answers again, then save."
        )
    else:
        notice = _(
            "The letter was read: %(count)d numbered points. It is kept as your draft; check the suggestions each point answers, then save.",
            count=letter.point_count,
        )
    return _render(editor, Page(mode=Mode.PASTED, notices=[notice]))


@bp.post("/proposals/<int:proposal_id>/reply")
@agency_only
def post(proposal_id: int) -> Response | tuple[str, int]:
    session, viewer = get_session(), current_viewer()
    op = request.form.get("op", SAVE)
    suggestions = _suggestions(proposal_id)
    content = reply_forms.content_from(request.form, suggestions)
    letter = None  # the pasted letter, read once in this request and handed to every step
    if (upload := uploads.uploaded()) is not None:
        content.mode = Mode.PASTED
        if upload.problem:
            page = Page(
                mode=Mode.PASTED, errors={"pasted": [upload.problem]}, general=[_("Nothing was saved.")]
            )
            return _render(_load(proposal_id, content), page, 422)
        # The file's text is the pasted letter: read like one, whatever button was pressed.
        content.pasted = clean_text(upload.text or "")
        op = READ
    if content.mode == Mode.PASTED:
        refused = pasted_problem(clean_text(content.pasted)) or reply_forms.unreadable_paste(request.form)
        if refused is not None:
            editor = _load(proposal_id, content)
            page = Page(
                mode=Mode.PASTED,
                errors={"pasted": [describe(refused)]},
                general=[_("Nothing was saved; your text is still in the box below.")],
            )
            return _render(editor, page, 422)
        if op == READ:
            return _read(proposal_id, content, suggestions, changed=False)
        if content.pasted.strip() and request.form.get("digest", "") != digest(content.pasted):
            return _read(proposal_id, content, suggestions, changed=bool(request.form.get("digest")))
        if content.pasted.strip():
            letter = pasted_letters.read_letter(content.pasted, suggestions)
        chosen = reply_forms.chosen_links(request.form, letter.point_count if letter else 0)
        content = pasted_letters.with_confirmed_links(content, chosen, letter)
    # issue 16: a precedent copied into an answer (the button names it), the clauses ticked under answers
    copied, cited = None, {}
    if content.mode == Mode.SECTIONS:
        cited = cited_from(request.form, suggestions)
        if request.form.get("copy"):
            try:
                copied = precedents.copy_into(
                    session=session,
                    viewer=viewer,
                    content=content,
                    suggestion_ids=[s.id for s in suggestions if s.id is not None],
                    choice=request.form.get("copy", ""),
                )
            except InvalidInput as error:
                _errors, general = _split(error.problems)
                return _render(_load(proposal_id, content), Page(mode=content.mode, general=general), 422)
    kwargs = {
        "session": session,
        "proposal_id": require_id(proposal_id),
        "actor": viewer,
        "content": content,
        "revision": reply_forms.revision_of(request.form),
        "now": utcnow(),
        "letter": letter,
    }
    try:
        if op == SUBMIT and copied is None:
            result = replying.submit(**kwargs)
            draft = result.draft
        else:
            draft = replying.save(**kwargs)
            result = None
        precedents.keep_draft_choices(
            session=session,
            draft=draft,
            cited=cited,
            copied=copied,
            reply=result.reply if result else None,
            actor_id=viewer.user_id,
            now=utcnow(),
        )
        session.commit()
    except NotFoundError:
        session.rollback()
        abort(404)
    except ForbiddenError:
        session.rollback()
        abort(403)
    except IntegrityError:
        # the same draft created at the same moment by another request (a double click on a new draft)
        session.rollback()
        message = _(
            "Someone else saved this reply since you opened it; your text is shown below, not saved. Save again to replace theirs."
        )
        return _render(_load(proposal_id, content, letter), Page(mode=content.mode, general=[message]), 409)
    except (LockedError, ConflictError) as error:
        session.rollback()
        editor = _load(proposal_id, content, letter)
        message = describe(error.problems[0])
        if op == SUBMIT and isinstance(error, LockedError) and editor.locked:
            message = _("This reply has already been submitted; it was not submitted again.") + " " + message
        return _render(editor, Page(mode=content.mode, general=[message]), 409)
    except InvalidInput as error:
        session.rollback()
        errors, general = _split(error.problems)
        return _render(
            _load(proposal_id, content, letter), Page(mode=content.mode, errors=errors, general=general), 422
        )
    except ServiceError as error:
        session.rollback()
        return _render(
            _load(proposal_id, content, letter),
            Page(mode=content.mode, general=[describe(p) for p in error.problems]),
            422,
        )
    if result is not None and result.reply is None:
        errors, _general = _split(result.problems)
        # every problem at the top as well: on a long form the marked field may be far below
        page = Page(
            mode=content.mode,
            errors=errors,
            general=[
                _("The draft was saved, but it cannot be submitted yet:"),
                *map(describe, result.problems),
            ],
        )
        return _render(_load(proposal_id, content, letter), page, 422)
    if result is not None:
        flash(_("The reply was submitted; the proposal is now replied."), "success")
        if result.reply is not None and commitments.suggested(session=session, reply_id=result.reply.id or 0):
            # the promises the parser found are confirmed next (issue 16)
            return redirect(url_for("commitments.reply", reply_id=result.reply.id), code=303)
        return redirect(url_for("proposals.detail", proposal_id=proposal_id), code=303)
    if copied is not None:
        flash(_("The earlier answer was copied into your draft: adapt it to this proposal."), "success")
        return redirect(
            url_for("reply_editor.edit", proposal_id=proposal_id, _anchor=f"section-{copied.suggestion_id}"),
            code=303,
        )
    flash(_("The draft was saved."), "success")
    return redirect(url_for("reply_editor.edit", proposal_id=proposal_id, mode=content.mode.value), code=303)


# -- a co-handling agency's opinion -------------------------------------------------------------------


def _opinion_page(
    state: co_opinions.OpinionEditor, text: str, errors: list[str], status: int = 200
) -> tuple[str, int]:
    return render_template("reply_editor/opinion.html", state=state, text=text, errors=errors), status


def _opinion_state(proposal_id: int) -> co_opinions.OpinionEditor:
    try:
        return co_opinions.opinion_editor(
            session=get_session(), proposal_id=require_id(proposal_id), actor=current_viewer()
        )
    except NotFoundError:
        abort(404)
    except ForbiddenError:
        abort(403)


@bp.get("/proposals/<int:proposal_id>/opinion")
@agency_only
def opinion(proposal_id: int) -> tuple[str, int]:
    state = _opinion_state(proposal_id)
    return _opinion_page(state, state.opinion.text if state.opinion else "", [])


@bp.post("/proposals/<int:proposal_id>/opinion")
@agency_only
def save_opinion(proposal_id: int) -> Response | tuple[str, int]:
    session = get_session()
    text = request.form.get("text", "")
    submit = request.form.get("op") == SUBMIT
    state = _opinion_state(proposal_id)
    try:
        co_opinions.save_opinion(
            session=session,
            proposal_id=proposal_id,
            actor=current_viewer(),
            text=text,
            submit=submit,
            now=utcnow(),
        )
        session.commit()
    except LockedError as error:
        session.rollback()
        return _opinion_page(state, text, [describe(p) for p in error.problems], 409)
    except ServiceError as error:
        session.rollback()
        return _opinion_page(state, text, [describe(p) for p in error.problems], 422)
    flash(
        _("Your opinion was sent to the lead agency.") if submit else _("The opinion was saved."), "success"
    )
    return redirect(url_for("reply_editor.opinion", proposal_id=proposal_id), code=303)
