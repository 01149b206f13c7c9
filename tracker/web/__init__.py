"""Blueprints, error pages and template helpers."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from tracker.web import (
    accounts,
    admin,
    admin_people,
    admin_users,  # noqa: F401 - registers the accounts pages on the admin blueprint (issue 12)
    agencies,
    api,
    auth,
    commitments,
    corrections,
    documents,
    drafts,
    duplicates,
    extensions,
    feedback,
    glossary,
    headers,
    home,
    import_review,
    import_upload,  # noqa: F401 - registers the archive upload on the review blueprint (issue 13)
    inbox,
    language,
    library,
    notifications,
    oversight,
    page_cache,
    precedents,
    proposals,
    publication,
    replies,
    reply_editor,
    reply_panels,
    request_checks,
    review,
    search,
    statistics,
)
from tracker.web.forms import error_links
from tracker.web.labels import label, meeting_label
from tracker.web.text import body_after_title, paragraphs, percent, split_heading


def _error_page(error: HTTPException) -> tuple[str, int] | Response:
    if api.is_api_path(request.path):
        return api.json_error(error)  # the open-data API answers JSON, errors too (issue 15)
    code = error.code or 500
    return render_template("errors/error.html", code=code), code


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return render_template("errors/error.html", code=400, csrf=True), 400


def _server_error(_error: Exception) -> tuple[str, int] | Response:
    if api.is_api_path(request.path):
        return api.error_response(500, "Internal Server Error")
    return render_template("errors/error.html", code=500), 500


def _favicon() -> Response:
    # browsers ask for /favicon.ico whatever the page links to; answer rather than log a 404
    folder = current_app.static_folder or ""
    return send_from_directory(folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)


def init_app(app: Flask) -> None:
    headers.init_app(app)
    request_checks.init_app(app)
    auth.init_app(app)
    for module in (home, proposals, replies, library, accounts, drafts, review, inbox):
        app.register_blueprint(module.bp)
    # Replies, feedback, publication, documents and statistics (issue 4).
    for module in (reply_editor, oversight, feedback, documents, statistics):
        app.register_blueprint(module.bp)
    app.register_blueprint(admin.bp)  # sessions and the admin log (issue 12)
    admin_people.init_app(app)  # its routes are on admin.bp (imported above); the signed-name helper
    app.register_blueprint(extensions.bp)  # extension requests (issue 12)
    app.register_blueprint(corrections.bp)  # holding answers and corrections of letters (issue 16)
    publication.init_app(app)  # scheduled publication (issue 12)
    import_review.init_app(app)  # the review queue of imported documents (issue 13)
    reply_panels.init_app(app)
    precedents.init_app(app)  # precedents and clause citations (issue 16)
    app.register_blueprint(agencies.bp)  # public agency pages (issue 16)
    search.init_app(app)  # its blueprint, the fragment filter and the similar-proposals helper
    app.register_blueprint(commitments.bp)  # commitments tracked (issue 16)
    page_cache.init_app(app)
    notifications.init_app(app)  # notifications, settings and 催办 (issue 15)
    from tracker.web import feeds, follows  # following and alerts (issue 15); here for an easy merge

    app.register_blueprint(feeds.bp)
    follows.init_app(app)
    api.init_app(app)  # the open-data API (issue 15)
    duplicates.init_app(app)  # similar proposals on the form and the review page, 并案 from there (issue 16)
    language.init_app(app)  # the language switch (issue 15)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(500, _server_error)
    glossary.init_app(app)  # dates and 案号 as the glossary writes them (issue 11, item 18)
    app.add_template_filter(paragraphs)
    app.add_template_filter(split_heading)
    app.add_template_filter(body_after_title)
    app.add_template_filter(percent)
    app.add_template_global(label)
    app.add_template_global(meeting_label)
    app.add_template_global(error_links)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
