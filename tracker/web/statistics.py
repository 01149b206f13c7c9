"""The public statistics page (/statistics, ?session=<id> for one session) and a CSV file of each of
its tables (/statistics/<table>.csv, and the same as /statistics/<table>.xlsx). The page and the files are drawn from the same ``Table`` rows,
with the same formatted cells, so what the CSV holds is exactly what the page shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext as _

from tracker.db import get_session
from tracker.domain.spreadsheet import csv_text, xlsx_bytes
from tracker.domain.statistics import OUTCOMES, RATINGS, Summary
from tracker.i18n import lazy_gettext as _l
from tracker.services import statistics
from tracker.web.args import id_arg
from tracker.web.auth import local_today
from tracker.web.charts import Bar, bar_chart
from tracker.web.glossary import term
from tracker.web.labels import label, meeting_label

bp = Blueprint("statistics", __name__, url_prefix="/statistics")

NONE = "—"  # a rate whose denominator is zero


def rate(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f}%"


def days(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


@dataclass
class Table:
    key: str  # the CSV file name
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    numeric_from: int = 1  # columns from this one on are figures (right-aligned)


# One label per figure, the same in every table and CSV (the summary, per session, per agency).
FIGURES = {
    "submitted": _l("Proposals submitted"),
    "accepted": _l("Accepted (立案)"),
    "merged": _l("Merged into other proposals"),
    "opinions": _l("Turned into opinions"),
    "assigned": _l("Assigned to agencies"),
    "replied": _l("Replies received"),
    "replied_on_time": _l("Replied on time"),
    "replied_undated": _l("Replies without a date (left out of the timing)"),
    "overdue": _l("Overdue without reply"),
    "reply_rate": _l("Reply rate (办复率)"),
    "on_time_rate": _l("On-time rate"),
    "average_days_to_reply": _l("Average days to reply"),
    "satisfaction_rate": _l("Satisfaction rate"),
}
RATES = {"reply_rate", "on_time_rate", "satisfaction_rate"}


def figure(s: Summary, key: str) -> str:
    """One figure of a summary as every table shows it."""
    value = getattr(s, key)
    if key in RATES:
        return rate(value)
    if key == "average_days_to_reply":
        return days(value)
    return str(value)


SUMMARY = tuple(FIGURES)
PER_SESSION = SUMMARY  # every figure, so that the sessions add up to the summary
PER_AGENCY = (
    "assigned",
    "replied",
    "replied_on_time",
    "replied_undated",
    "overdue",
    "reply_rate",
    "on_time_rate",
    "average_days_to_reply",
    "satisfaction_rate",
)


def _summary_table(s: Summary) -> Table:
    return Table(
        "summary",
        _("Summary"),
        [_("Figure"), _("Value")],
        [[str(FIGURES[key]), figure(s, key)] for key in SUMMARY],
    )


def _outcome_table(s: Summary) -> Table:
    shares = s.outcome_shares
    return Table(
        "outcomes",
        _("Outcome classes of the replies"),
        [_("Class"), _("Number of replies"), _("Share")],
        [[label("reply_outcome", o), str(s.outcomes[o]), rate(shares[o])] for o in OUTCOMES],
    )


def _rating_table(s: Summary) -> Table:
    shares = s.rating_shares
    return Table(
        "satisfaction",
        _("Members' ratings of the replies"),
        [_("Rating"), _("Number of ratings"), _("Share")],
        [[label("rating", r), str(s.ratings[r]), rate(shares[r])] for r in RATINGS],
    )


def _session_table(report: statistics.Report) -> Table:
    return Table(
        "sessions",
        _("Per session"),
        [term("session"), *(str(FIGURES[key]) for key in PER_SESSION)],
        [
            [meeting_label(meeting), *(figure(s, key) for key in PER_SESSION)]
            for meeting, s in report.sessions
        ],
    )


def _agency_table(report: statistics.Report) -> Table:
    return Table(
        "agencies",
        _("Per lead agency"),
        [term("lead"), *(str(FIGURES[key]) for key in PER_AGENCY)],
        [
            [name or _("Lead agency not stated"), *(figure(s, key) for key in PER_AGENCY)]
            for name, s in report.agencies
        ],
    )


def _report() -> statistics.Report:
    meeting_id = id_arg("session")
    return statistics.report(
        session=get_session(),
        today=local_today(),
        tz=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
        meeting_id=meeting_id,
    )


def tables(report: statistics.Report) -> dict[str, Table]:
    found = [
        _summary_table(report.overall),
        _outcome_table(report.overall),
        _rating_table(report.overall),
        _agency_table(report),
        _session_table(report),
    ]
    return {t.key: t for t in found}


@bp.get("")
def index() -> str:
    report = _report()
    found = tables(report)
    s = report.overall
    charts = {
        "outcomes": bar_chart(
            _("Outcome classes of the replies"),
            [
                Bar(
                    _("Class %(outcome)s", outcome=o),
                    s.outcome_shares[o],
                    f"{s.outcomes[o]} ({rate(s.outcome_shares[o])})",
                )
                for o in OUTCOMES
            ],
            chart_id="chart-outcomes",
        ),
        "satisfaction": bar_chart(
            _("Members' ratings of the replies"),
            [
                Bar(label("rating", r), s.rating_shares[r], f"{s.ratings[r]} ({rate(s.rating_shares[r])})")
                for r in RATINGS
            ],
            chart_id="chart-satisfaction",
        ),
        "agencies": bar_chart(
            _("Reply rate per lead agency"),
            [
                Bar(name or _("Lead agency not stated"), a.reply_rate, rate(a.reply_rate))
                for name, a in report.agencies
            ],
            chart_id="chart-agencies",
        ),
    }
    return render_template(
        "statistics/index.html",
        report=report,
        tables=found,
        charts=charts,
        headline={
            "submitted": str(s.submitted),
            "reply_rate": rate(s.reply_rate),
            "on_time_rate": rate(s.on_time_rate),
            "replied_undated": s.replied_undated,
            "satisfaction_rate": rate(s.satisfaction_rate),
        },
        scope_args={"session": report.scope.id} if report.scope else {},
    )


@bp.get("/<name>.csv")
def csv_file(name: str) -> Response:
    found = tables(_report()).get(name)
    if found is None:
        abort(404)
    # UTF-8 with a byte-order mark: Excel (the usual reader here) then reads the Chinese correctly.
    body = "\ufeff" + csv_text([found.columns, *found.rows])
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=statistics-{found.key}.csv"
    return response


@bp.get("/<name>.xlsx")
def xlsx_file(name: str) -> Response:
    """The CSV's rows as an Excel workbook (the same cells, made safe the same way)."""
    found = tables(_report()).get(name)
    if found is None:
        abort(404)
    body = xlsx_bytes([found.columns, *found.rows], title=found.title)
    response = Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f"attachment; filename=statistics-{found.key}.xlsx"
    return response
