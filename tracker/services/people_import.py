"""Importing members or agencies from a spreadsheet: read (CSV in UTF-8, UTF-8 with BOM or GB18030/GBK,
or XLSX), plan (each row: create, update, unchanged or an error with its reasons), then apply.

Between the preview and the confirmation the file's cells wait on the server (PeopleImport, under a
random token bound to the account that uploaded it), never in the cookie. Confirming plans again
against the database as it is then and applies the valid rows in the caller's one transaction,
through the same write paths as the pages (tracker.services.directory), so each change is in the admin
log; a row with an error changes nothing and is reported with its spreadsheet row number.

A blank cell leaves what is stored as it is: an office's list often lacks a phone number, and the
import must not erase the one the office already has.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, select

from tracker.domain.messages import N_, Problem, RuleError
from tracker.domain.people import (
    AgencyFields,
    MemberFields,
    PeopleKind,
    agency_from_row,
    detect_kind,
    map_headers,
    member_from_row,
    merged,
    one_line,
    row_values,
)
from tracker.domain.textio import TextDecodeError, decode_text
from tracker.models import Agency, PeopleImport
from tracker.services import directory
from tracker.services.admin_log import AdminActor
from tracker.services.errors import InvalidInput, NotFoundError, ServiceError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 60
STAGED_FOR = timedelta(hours=2)  # a preview older than this must be uploaded again


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class PlannedRow:
    row: int  # the row number the spreadsheet shows (the header is row 1)
    name: str
    action: str
    problems: list[Problem] = field(default_factory=list)
    fields: MemberFields | AgencyFields | None = None
    target_id: int | None = None
    changes: list[str] = field(default_factory=list)  # the fields an update changes


@dataclass
class Plan:
    kind: PeopleKind
    rows: list[PlannedRow]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == Action.ERROR]

    def summary(self) -> dict[str, Any]:
        """What was done, as JSON (kept with the import, shown after confirming)."""
        return {
            "kind": self.kind.value,
            **{a: self.count(a) for a in (Action.CREATE, Action.UPDATE, Action.UNCHANGED)},
            "errors": [
                {
                    "row": r.row,
                    "name": r.name,
                    "problems": [
                        {"field": p.field, "message": p.message, "params": dict(p.params)} for p in r.problems
                    ],
                }
                for r in self.errors
            ],
        }


def _refuse(message: str, **params: object) -> InvalidInput:
    return InvalidInput([Problem("file", message, params)])


# -- reading ---------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """A spreadsheet value as text: 13800000000 stays digits (Excel stores phone numbers as numbers)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # imported when needed: most requests never read a workbook

    try:
        with warnings.catch_warnings():
            # Files saved by WPS or LibreOffice lack parts openpyxl warns about; the cells are fine.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                rows: list[list[str]] = []
                for values in sheet.iter_rows(values_only=True):
                    if len(rows) > MAX_ROWS:
                        break
                    rows.append([_cell(v) for v in values[:MAX_COLUMNS]])
            finally:
                book.close()
    # openpyxl raises what its zip and XML readers raise on a damaged file; any of them means the
    # same thing to the person who sent it.
    except Exception:
        raise _refuse(
            N_("The workbook could not be read: open it in Excel or WPS and save it again as .xlsx.")
        ) from None
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = decode_text(data, name="file")
    except TextDecodeError:
        raise _refuse(
            N_(
                "The file is not text in UTF-8 or GB18030/GBK, nor an .xlsx workbook: save it from Excel or WPS "
                "as “CSV UTF-8” or as .xlsx and upload it again."
            )
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    rows = []
    for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
        if len(rows) > MAX_ROWS:
            break
        rows.append(cells[:MAX_COLUMNS])
    return rows


def read_table(data: bytes) -> list[list[str]]:
    """The rows of an uploaded file as they stand (blank rows kept, so rows keep the numbers the
    spreadsheet shows); InvalidInput when it cannot be read. The format is told by the content, not
    the file name."""
    if not data:
        raise _refuse(N_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(N_("The file is larger than %(limit)d MB; split it."), limit=MAX_BYTES // (1024 * 1024))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(N_("This is an old Excel file (.xls): save it as .xlsx or CSV and upload it again."))
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    if len(rows) > MAX_ROWS:
        raise _refuse(N_("The file has more than %(limit)d rows; split it."), limit=MAX_ROWS)
    if len(_numbered(rows)) < 1:
        raise _refuse(N_("The file has no rows below its header."))
    return rows


# -- planning --------------------------------------------------------------------------------------


def plan_import(*, session: Session, table: list[list[str]], kind: PeopleKind | None = None) -> Plan:
    """What importing ``table`` (header first) would do to each row. A header problem refuses the
    whole file (InvalidInput); a row's problems make only that row an error."""
    headers = [one_line(h) for h in _header(table)]
    try:
        kind = kind or detect_kind(headers)
        mapping = map_headers(headers, kind)
    except RuleError as error:
        raise InvalidInput(error.problems) from None
    plan_row = _plan_member if kind is PeopleKind.MEMBERS else _plan_agency
    seen: dict[str, int] = {}
    rows: list[PlannedRow] = []
    created: set[str] = set()
    for number, cells in _numbered(table):
        values = row_values(cells, mapping)
        name = values.get("name", "")
        if name and name in seen:
            rows.append(
                PlannedRow(
                    number,
                    name,
                    Action.ERROR,
                    [Problem("name", N_("The same name is on row %(row)d."), {"row": seen[name]})],
                )
            )
            continue
        if name:
            seen[name] = number
        rows.append(plan_row(session, number, values, created))
    return Plan(kind, rows)


def _blank(cells: list[str]) -> bool:
    return not any(one_line(c) for c in cells)


def _header(table: list[list[str]]) -> list[str]:
    """The first row that is not blank."""
    return next((cells for cells in table if not _blank(cells)), [])


def _numbered(table: list[list[str]]) -> list[tuple[int, list[str]]]:
    """The data rows below the header with the numbers the spreadsheet shows (row 1 is its first
    row), blank rows skipped."""
    start = next((i for i, cells in enumerate(table) if not _blank(cells)), len(table))
    return [(n, cells) for n, cells in enumerate(table[start + 1 :], start=start + 2) if not _blank(cells)]


def _plan_member(session: Session, number: int, values: dict[str, str], created: set[str]) -> PlannedRow:
    name = values.get("name", "")
    try:
        row, given = member_from_row(values)
    except RuleError as error:
        return PlannedRow(number, name, Action.ERROR, error.problems)
    existing = directory.members_named(session=session, name=row.name)
    if len(existing) > 1:
        problem = Problem(
            "name",
            N_("%(count)d members are called %(name)s: edit the right one on the members page."),
            {"count": len(existing), "name": row.name},
        )
        return PlannedRow(number, row.name, Action.ERROR, [problem])
    if not existing:
        return PlannedRow(number, row.name, Action.CREATE, fields=row)
    stored = directory.member_fields(existing[0])
    target = merged(stored, row, given)
    changes = [f for f in vars(target) if getattr(target, f) != getattr(stored, f)]
    action = Action.UPDATE if changes else Action.UNCHANGED
    return PlannedRow(number, row.name, action, fields=target, target_id=existing[0].id, changes=changes)


def _plan_agency(session: Session, number: int, values: dict[str, str], created: set[str]) -> PlannedRow:
    name = values.get("name", "")
    try:
        row, given = agency_from_row(values)
    except RuleError as error:
        return PlannedRow(number, name, Action.ERROR, error.problems)
    if (
        row.parent
        and row.parent not in created
        and directory.find_agency(session=session, name=row.parent) is None
    ):
        problem = Problem(
            "parent",
            N_('The parent agency "%(name)s" is not known: add it first, or put its row above this one.'),
            {"name": row.parent},
        )
        return PlannedRow(number, row.name, Action.ERROR, [problem])
    existing = session.exec(select(Agency).where(Agency.name == row.name)).first()
    if existing is None:
        created.add(row.name)
        if row.short_name:
            created.add(row.short_name)
        return PlannedRow(number, row.name, Action.CREATE, fields=row)
    parent = session.get(Agency, existing.parent_id) if existing.parent_id else None
    stored = directory.agency_fields(existing, parent.name if parent else "")
    target = merged(stored, row, given)
    changes = [f for f in vars(target) if getattr(target, f) != getattr(stored, f)]
    action = Action.UPDATE if changes else Action.UNCHANGED
    return PlannedRow(number, row.name, action, fields=target, target_id=existing.id, changes=changes)


# -- applying --------------------------------------------------------------------------------------


def apply_plan(*, session: Session, actor: AdminActor, plan: Plan) -> Plan:
    """Create and update the rows the plan says, in file order (a parent added above its agencies);
    a row the write path refuses after all becomes an error row. Flushes, never commits."""
    for row in plan.rows:
        if row.action not in (Action.CREATE, Action.UPDATE) or row.fields is None:
            continue
        try:
            if isinstance(row.fields, MemberFields):
                directory.save_member(
                    session=session, actor=actor, fields=row.fields, member_id=row.target_id
                )
            else:
                directory.save_agency(
                    session=session, actor=actor, fields=row.fields, agency_id=row.target_id
                )
        except ServiceError as error:
            row.action, row.problems = Action.ERROR, error.problems
    return plan


def import_file(
    *, session: Session, actor: AdminActor, data: bytes, kind: PeopleKind | None = None, dry_run: bool = False
) -> Plan:
    """Read, plan and (unless ``dry_run``) apply in one go: the command line's import."""
    plan = plan_import(session=session, table=read_table(data), kind=kind)
    return plan if dry_run else apply_plan(session=session, actor=actor, plan=plan)


# -- the two steps of the page ---------------------------------------------------------------------


def stage(
    *,
    session: Session,
    user_id: int,
    filename: str,
    data: bytes,
    kind: PeopleKind | None,
    now: datetime | None = None,
) -> tuple[PeopleImport, Plan]:
    """Read and plan an upload and keep its cells for the confirmation; InvalidInput when the file
    cannot be read. Previews left unconfirmed for a day are cleared on the way."""
    now = now or datetime.now(UTC)
    table = read_table(data)
    plan = plan_import(session=session, table=table, kind=kind)
    session.exec(delete(PeopleImport).where(col(PeopleImport.created_at) < now - timedelta(days=1)))  # type: ignore[call-overload]
    staged = PeopleImport(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        created_at=now,
        filename=one_line(filename)[:200],
        digest=hashlib.sha256(data).hexdigest(),
        content={"kind": plan.kind.value, "table": table},
    )
    session.add(staged)
    session.flush()
    return staged, plan


def staged(*, session: Session, token: str, user_id: int) -> PeopleImport:
    """The upload behind ``token``, for the account that made it only (404 for anyone else)."""
    row = session.exec(select(PeopleImport).where(PeopleImport.token == token[:64])).first()
    if row is None or row.user_id != user_id:
        raise NotFoundError(N_("There is no such import."), field="file")
    return row


def replan(*, session: Session, staged_import: PeopleImport) -> Plan:
    content = staged_import.content
    return plan_import(session=session, table=content["table"], kind=PeopleKind(content["kind"]))


def confirm(
    *, session: Session, actor: AdminActor, token: str, user_id: int, now: datetime | None = None
) -> dict[str, Any]:
    """Apply a staged upload once: plan again against the database as it is now, apply the valid
    rows, keep the summary with the upload. Refused when already applied or too old."""
    now = now or datetime.now(UTC)
    row = staged(session=session, token=token, user_id=user_id)
    if row.applied_at is not None:
        raise InvalidInput([Problem("file", N_("This file was already imported."))])
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    if now - created > STAGED_FOR:
        raise InvalidInput([Problem("file", N_("This preview is too old: upload the file again."))])
    plan = apply_plan(session=session, actor=actor, plan=replan(session=session, staged_import=row))
    row.applied_at = now
    row.content = {**row.content, "result": plan.summary()}
    session.add(row)
    session.flush()
    return row.content["result"]
