"""The open-data API: read-only JSON under /api/v1, its OpenAPI document at /api/openapi.json and
interactive docs at /api/docs (Swagger UI 5 served from the swagger-ui-bundle-v2 package: the CSP
admits no CDN and no inline script).

Built with spectree rather than flask-smorest or APIFlask: spectree decorates plain views of an
existing Flask app (one Blueprint here) and describes them with pydantic models, which SQLModel
already brings; flask-smorest installs JSON error handlers on the whole app (our HTML pages keep
theirs) and brings marshmallow beside pydantic; APIFlask wants to be the app itself.

What it answers is the anonymous visitor's view (tracker/services/open_data.py). Every request under
/api/v1 counts towards a per-address limit kept in the database (429 with Retry-After); every answer
allows any origin to read it (CORS ``*``, no credentials: the data are public and a cookie would add
nothing); errors are JSON, never the HTML error page.
"""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response as Resp
from spectree import SpecTree
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from tracker.db import get_session
from tracker.domain.lockout import parse_rate_limits
from tracker.domain.statistics import OUTCOMES, RATINGS, Summary
from tracker.models import ProposalStatus, ReplyOutcome
from tracker.services import api_limits, bulk, open_data, statistics
from tracker.services.workflow import utcnow
from tracker.web.args import MAX_ID
from tracker.web.auth import local_today
from tracker.web.labels import meeting_label

bp = Blueprint("api", __name__, url_prefix="/api")
PREFIX = "/api/v1"
CORS_PATHS = (PREFIX + "/", "/api/openapi.json")

# Text a query may carry: no control characters (PostgreSQL refuses NUL in a string literal).
_TEXT = r"^[^\x00-\x1f\x7f]*$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"


# -- schema ------------------------------------------------------------------------------------------


class ApiError(BaseModel):
    """Every error: the HTTP status, a sentence, and for a bad parameter what was wrong with it."""

    status: int
    error: str
    details: list[dict[str, Any]] = Field(default_factory=list)


class SessionOut(BaseModel):
    id: int
    label: str = Field(description="The session's name as the pages show it")
    name: str | None
    short_name: str | None
    body: str | None
    organisation: str | None
    term: str | None
    sitting: str | None
    year: int | None
    starts_on: date | None
    ends_on: date | None
    number_prefix: str | None
    proposal_count: int = Field(description="Public proposals of the session")
    download_url: str = Field(description="The session's bulk download (.zip of JSON Lines and CSV)")


class SessionList(BaseModel):
    items: list[SessionOut]


class AgencyOut(BaseModel):
    id: int
    name: str
    short_name: str | None
    kind: str
    proposal_count: int = Field(description="Public proposals it handles or answered")


class AgencyList(BaseModel):
    items: list[AgencyOut]


class ProposalSummary(BaseModel):
    id: int
    number: int | None = Field(description="案号 within its session")
    case_number: str | None = Field(description="案号 as written: 第12号, 第Z12号")
    title: str
    session_id: int | None
    category: str | None
    proposer: str | None
    status: str
    submitted_on: date | None
    accepted_on: date | None
    published_at: str | None = Field(description="ISO 8601 moment the proposal became public")
    merged_into_id: int | None = Field(description="并案: the public proposal it was merged into")
    suggestion_count: int
    url: str = Field(description="The proposal's page")


class ProposalPage(BaseModel):
    items: list[ProposalSummary]
    total: int
    page: int
    page_size: int
    pages: int


class SuggestionOut(BaseModel):
    id: int
    n: int | None
    marker: str | None
    title: str
    text: str
    sub_points: list[SuggestionOut]


class CosignerOut(BaseModel):
    name: str
    status: str


class AssignedAgency(BaseModel):
    id: int
    name: str
    role: str = Field(description="lead (主办) or co (协办)")
    deadline: date | None


class ProposalOut(ProposalSummary):
    background: str
    leadin: str | None
    closing: str
    joint_proposers: list[str]
    cosigners: list[CosignerOut]
    agencies: list[AssignedAgency]
    merged_from_ids: list[int]
    not_accepted_reason: str | None
    suggestions: list[SuggestionOut]
    reply_ids: list[int]
    replies_url: str


class LinkOut(BaseModel):
    suggestion_id: int
    method: str = Field(description="How the link was made: title, similarity, number, manual…")
    confidence: float


class PointOut(BaseModel):
    id: int
    n: int | None
    marker: str | None
    heading: str
    text: str
    outcome: str | None
    links: list[LinkOut]
    sub_points: list[PointOut]


class ReplyOut(BaseModel):
    id: int
    proposal_id: int
    agency_id: int | None
    agency: str | None
    role: str
    status: str = Field(description="issued (in force) or superseded (replaced by a re-handling)")
    title: str
    doc_number: str | None
    date_text: str | None
    date_on: date | None
    outcome: str | None = Field(description="办复类别 A/B/C when stated")
    salutation: str
    preamble: str
    closing: str
    signature: str
    points: list[PointOut]
    url: str


class ReplyList(BaseModel):
    items: list[ReplyOut]


class Figures(BaseModel):
    submitted: int
    accepted: int
    merged: int
    opinions: int
    assigned: int
    replied: int
    replied_on_time: int
    replied_undated: int
    overdue: int
    reply_rate: float | None
    on_time_rate: float | None
    average_days_to_reply: float | None
    satisfaction_rate: float | None
    outcomes: dict[str, int] = Field(description="Replies per class A/B/C")
    ratings: dict[str, int] = Field(description="Members' ratings per value")


class SessionFigures(BaseModel):
    session_id: int | None
    label: str
    figures: Figures


class AgencyFigures(BaseModel):
    agency: str | None
    figures: Figures


class StatisticsOut(BaseModel):
    session_id: int | None = Field(description="The scope: one session, or null for every session")
    overall: Figures
    sessions: list[SessionFigures]
    agencies: list[AgencyFigures]


class _Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ProposalQuery(_Query):
    page: int = Field(1, ge=1, le=MAX_ID // 1000)
    page_size: int = Field(20, ge=1, le=open_data.MAX_PAGE_SIZE)
    session: int | None = Field(None, ge=1, le=MAX_ID, description="A session's id")
    category: str | None = Field(None, max_length=40, pattern=_TEXT)
    agency: int | None = Field(None, ge=1, le=MAX_ID, description="An agency's id (lead, co or replying)")
    status: Literal[tuple(s.value for s in ProposalStatus)] | None = None  # type: ignore[valid-type]
    outcome: Literal[tuple(o.value for o in ReplyOutcome)] | None = Field(  # type: ignore[valid-type]
        None, description="The class of the reply in force"
    )
    submitted_from: str | None = Field(None, pattern=_DATE, json_schema_extra={"format": "date"})
    submitted_to: str | None = Field(None, pattern=_DATE, json_schema_extra={"format": "date"})
    q: str | None = Field(None, max_length=200, pattern=_TEXT, description="Words in the title or text")


class StatisticsQuery(_Query):
    session: int | None = Field(None, ge=1, le=MAX_ID, description="A session's id; none: every session")


def _errors(status: int) -> dict[str, Any]:
    return {f"HTTP_{status}": ApiError}


_ALWAYS = {**_errors(429)}

api = SpecTree(
    "flask",
    mode="strict",
    title="Proposal tracker open data",
    description=(
        "Everything the public pages show, as JSON: sessions, proposals with their suggestions, "
        "replies with their points and the suggestions each point answers, agencies and statistics. "
        "Read-only; rate limited per client address (429 with Retry-After)."
    ),
    version="1.0.0",
    validation_error_status=400,
    validation_error_model=ApiError,
    # plain model names in the document (every model here has a distinct name)
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    before=lambda *args: _bad_parameters(*args),
)


def _bad_parameters(req: Any, resp: Any, error: Any, _instance: Any, *_args: Any) -> None:
    """spectree's hook: its answer to a bad parameter, rewritten as our error body."""
    if error is None or resp is None:
        return
    details = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in error.errors()
    ]
    resp.set_data(jsonify({"status": 400, "error": "Bad parameter", "details": details}).get_data())
    resp.status_code = 400


# -- helpers -----------------------------------------------------------------------------------------


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"status": status, "error": message, "details": []})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/") or path == "/api/openapi.json"


def json_error(error: HTTPException) -> Response:
    """An HTTP error under /api/v1 as JSON (the app's error handler calls this there)."""
    code = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
    return error_response(code, error.name, headers)


def _parse_date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(
            Response(
                jsonify(
                    {
                        "status": 400,
                        "error": "Bad parameter",
                        "details": [{"loc": [name], "msg": "not a date (YYYY-MM-DD)", "type": "date"}],
                    }
                ).get_data(),
                status=400,
                mimetype="application/json",
            )
        )


def _figures(s: Summary) -> dict[str, Any]:
    return {
        "submitted": s.submitted,
        "accepted": s.accepted,
        "merged": s.merged,
        "opinions": s.opinions,
        "assigned": s.assigned,
        "replied": s.replied,
        "replied_on_time": s.replied_on_time,
        "replied_undated": s.replied_undated,
        "overdue": s.overdue,
        "reply_rate": s.reply_rate,
        "on_time_rate": s.on_time_rate,
        "average_days_to_reply": s.average_days_to_reply,
        "satisfaction_rate": s.satisfaction_rate,
        "outcomes": {o: s.outcomes[o] for o in OUTCOMES},
        "ratings": {r: s.ratings[r] for r in RATINGS},
    }


def _session_out(meeting: Any, count: int) -> dict[str, Any]:
    row = open_data.session_row(meeting, count)
    row["label"] = meeting_label(meeting)
    row["download_url"] = url_for("api.session_download", session_id=meeting.id, _external=True)
    return row


# -- the rate limit and CORS -------------------------------------------------------------------------


@bp.before_request
def _rate_limit() -> Response | None:
    if not request.path.startswith(PREFIX + "/") or request.method == "OPTIONS":
        return None  # the document, the docs page and a browser's preflight are not data
    limits = parse_rate_limits(current_app.config["API_RATE_LIMIT"])  # checked at start (config.finish)
    db = get_session()
    wait = api_limits.admit(session=db, address=request.remote_addr or "", now=utcnow(), limits=limits)
    db.commit()  # counted where every server sees it
    if wait is None:
        return None
    seconds = max(1, math.ceil(wait.total_seconds()))
    return error_response(429, "Too many requests", {"Retry-After": str(seconds)})


def _cors(response: Response) -> Response:
    if is_api_path(request.path):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, Content-Disposition"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


# -- the API -----------------------------------------------------------------------------------------


@bp.get("/v1/sessions")
@api.validate(resp=Resp(HTTP_200=SessionList, **_ALWAYS), tags=["sessions"])
def sessions() -> Any:
    """Every session, latest first, with its number of public proposals."""
    rows = open_data.sessions(session=get_session())
    return {"items": [_session_out(m, n) for m, n in rows]}


@bp.get("/v1/sessions/<int:session_id>")
@api.validate(resp=Resp(HTTP_200=SessionOut, **_errors(404), **_ALWAYS), tags=["sessions"])
def session_detail(session_id: int) -> Any:
    """One session."""
    found = open_data.get_session_row(session=get_session(), meeting_id=session_id)
    if found is None:
        return error_response(404, "Not Found")
    return _session_out(*found)


@bp.get("/v1/sessions/<int:session_id>/download.zip")
def session_download(session_id: int) -> Response:
    """A session's public data as a .zip: proposals, suggestions, replies, points and links, each as
    JSON Lines and CSV; rebuilt whenever the public data change."""
    db = get_session()
    found = open_data.get_session_row(session=db, meeting_id=session_id)
    if found is None:
        return error_response(404, "Not Found")
    meeting, _count = found
    note = (
        f"{meeting_label(meeting)}\n\n"
        "proposals, suggestions, replies, points, links: each as .jsonl (one JSON object a line) and "
        ".csv (UTF-8). A point's links name the suggestions it answers.\n"
        f"API and its description: {url_for('api.docs', _external=True)}\n"
    )
    path = bulk.session_zip(
        session=db, meeting_id=session_id, folder=Path(current_app.config["OPEN_DATA_DIR"]), note=note
    )
    # read whole (a session's file is a few MB): no file handle outlives the request
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"session-{session_id}.zip",
    )


@bp.get("/v1/proposals")
@api.validate(query=ProposalQuery, resp=Resp(HTTP_200=ProposalPage, **_ALWAYS), tags=["proposals"])
def proposals() -> Any:
    """Public proposals, a page at a time, filtered by session, category, agency, status, the
    reply's class, submission dates and words (every word in the title or the text)."""
    query: ProposalQuery = request.context.query  # type: ignore[attr-defined]
    filters = open_data.ProposalFilters(
        session_id=query.session,
        category=query.category,
        agency_id=query.agency,
        status=query.status,
        outcome=query.outcome,
        submitted_from=_parse_date(query.submitted_from, "submitted_from"),
        submitted_to=_parse_date(query.submitted_to, "submitted_to"),
        q=query.q,
    )
    page = open_data.list_proposals(
        session=get_session(), filters=filters, page=query.page, page_size=query.page_size
    )
    return {
        "items": [{**item, "url": _proposal_url(item["id"])} for item in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def _proposal_url(proposal_id: int) -> str:
    return url_for("proposals.detail", proposal_id=proposal_id, _external=True)


@bp.get("/v1/proposals/<int:proposal_id>")
@api.validate(resp=Resp(HTTP_200=ProposalOut, **_errors(404), **_ALWAYS), tags=["proposals"])
def proposal(proposal_id: int) -> Any:
    """One public proposal with its signers, agencies and suggestions (sub-points nested)."""
    if proposal_id > MAX_ID:
        return error_response(404, "Not Found")
    item = open_data.proposal(session=get_session(), proposal_id=proposal_id)
    if item is None:
        return error_response(404, "Not Found")
    item["url"] = _proposal_url(proposal_id)
    item["replies_url"] = url_for("api.proposal_replies", proposal_id=proposal_id, _external=True)
    return item


@bp.get("/v1/proposals/<int:proposal_id>/replies")
@api.validate(resp=Resp(HTTP_200=ReplyList, **_errors(404), **_ALWAYS), tags=["replies"])
def proposal_replies(proposal_id: int) -> Any:
    """A public proposal's replies (the one in force first), each with its points and, per point,
    the suggestions it answers."""
    if proposal_id > MAX_ID:
        return error_response(404, "Not Found")
    rows = open_data.replies(session=get_session(), proposal_id=proposal_id)
    if rows is None:
        return error_response(404, "Not Found")
    return {
        "items": [
            {**row, "url": url_for("replies.detail", reply_id=row["id"], _external=True)} for row in rows
        ]
    }


@bp.get("/v1/agencies")
@api.validate(resp=Resp(HTTP_200=AgencyList, **_ALWAYS), tags=["agencies"])
def agencies() -> Any:
    """The agencies named on public pages, with the number of public proposals each handles."""
    return {"items": open_data.agencies(session=get_session())}


@bp.get("/v1/statistics")
@api.validate(query=StatisticsQuery, resp=Resp(HTTP_200=StatisticsOut, **_ALWAYS), tags=["statistics"])
def statistics_figures() -> Any:
    """The statistics page's figures (every session, or one): counts, rates (0..1) and classes."""
    query: StatisticsQuery = request.context.query  # type: ignore[attr-defined]
    report = statistics.report(
        session=get_session(),
        today=local_today(),
        tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        meeting_id=query.session,
    )
    return {
        "session_id": report.scope.id if report.scope else None,
        "overall": _figures(report.overall),
        "sessions": [
            {"session_id": m.id if m else None, "label": meeting_label(m), "figures": _figures(s)}
            for m, s in report.sessions
        ],
        "agencies": [{"agency": name, "figures": _figures(s)} for name, s in report.agencies],
    }


# -- the document and the docs ----------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    document = dict(api.spec)
    document["servers"] = [{"url": request.host_url.rstrip("/")}]
    return jsonify(document)


@bp.get("/docs")
def docs() -> str:
    rows = open_data.sessions(session=get_session())
    return render_template("api/docs.html", sessions=[(m, n) for m, n in rows if n])


@bp.get("/docs/assets/<any('swagger-ui.css', 'swagger-ui-bundle.js'):name>")
def docs_asset(name: str) -> Response:
    return send_from_directory(str(swagger_ui_path), name, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_cors)
