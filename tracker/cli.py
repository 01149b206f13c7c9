"""The ``tracker`` command: Flask's group plus seed, db (Alembic) and a ``run`` that bootstraps.

Errors a user can act on are printed as one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import click
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, run_command
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tracker import create_app, migrate
from tracker.bench.command import bench_command
from tracker.bench.duplicates import bench_duplicates_command
from tracker.bench.import_bench import bench_import_command
from tracker.cli_import import import_command
from tracker.cli_notify import mail_group, remind_command
from tracker.cli_parsing import split_proposal_command, split_reply_command
from tracker.config import ConfigError, is_production
from tracker.db import analyze, get_engine, session_scope
from tracker.domain.people import AgencyFields, AgencyKind, MemberFields, MemberKind, PeopleKind
from tracker.domain.sessions import SessionFields, display_name
from tracker.domain.textio import TextDecodeError
from tracker.models import Agency, Meeting, Member
from tracker.search import IndexBusy
from tracker.services import directory, people_import, sessions
from tracker.services.accounts import create_user, deactivate_user, seed_demo_accounts, set_password
from tracker.services.admin_log import COMMAND_LINE
from tracker.services.errors import InvalidInput, ServiceError
from tracker.services.search_sync import default_procs, get_keeper
from tracker.services.seed import SeedResult, seed, table_counts

# Failures that are about the input or the environment, not bugs: report them in one line.
USER_ERRORS = (ServiceError, TextDecodeError, CommandError, SQLAlchemyError, OSError, ConfigError, IndexBusy)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, SQLAlchemyError):
        # SQLAlchemy appends the statement and a docs link; the first clause says what failed.
        text = text.split(" [SQL:")[0].split(" (Background on this error")[0]
    return text


class TrackerGroup(FlaskGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(_one_line(exc)) from None


main = TrackerGroup(create_app=create_app, help="Proposal-and-reply tracker.")


# -- seed ------------------------------------------------------------------------------------------


def run_seed(app: Flask) -> str:
    """Load seeds/ and the demo accounts (development only); one line saying what was done."""
    if is_production(app.config):
        raise click.ClickException(
            "tracker seed loads demo data and demo accounts; it does not run with TRACKER_ENV=production"
        )
    with session_scope(app) as session:
        result: SeedResult = seed(session=session, seeds_dir=app.config["SEEDS_DIR"])
        accounts = [user.username for user in seed_demo_accounts(session=session)]
    analyze(get_engine(app))
    created = f" Demo accounts created: {', '.join(accounts)} (see README)." if accounts else ""
    return result.summary() + created


@main.command("seed")
def seed_command() -> None:
    """Load seeds/ and the demo accounts into the database (running it again adds nothing)."""
    click.echo(run_seed(current_app))


# -- users -----------------------------------------------------------------------------------------

users_group = AppGroup("users", help="Accounts: create them and set their passwords.")
main.add_command(users_group)

_PASSWORD_HELP = "The password, for scripts; asked for (hidden, twice) when left out."


def _password(value: str | None) -> str:
    if value is not None:
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_group.command("create")
@click.argument("username")
@click.option("--role", default="", help="member, agency, staff or admin.")
@click.option("--member", "member_name", help="Member accounts: the member's name (added if new).")
@click.option("--agency", "agency_name", help="Agency accounts: the agency's name (added if new).")
@click.option("--name", "display_name", help="Staff and admin accounts: the person's name the header shows.")
@click.option("--password", help=_PASSWORD_HELP)
def users_create(
    username: str,
    role: str,
    member_name: str | None,
    agency_name: str | None,
    display_name: str | None,
    password: str | None,
) -> None:
    """Create the account USERNAME with a role (and the member or agency it acts for)."""
    if not role:
        raise click.ClickException("choose a role with --role: member, agency, staff or admin")
    with session_scope(current_app) as session:
        made = create_user(
            session=session,
            username=username,
            password=_password(password),
            role=role,
            member_name=member_name,
            agency_name=agency_name,
            display_name=display_name,
        )
        bound = f", {made.user.display_name}" if made.user.display_name else ""
        if made.user.member is not None:
            bound = f" for member {made.user.member.name}" + (" (new member)" if made.created_member else "")
        if made.user.agency is not None:
            bound = f" for {made.user.agency.name}" + (" (new agency)" if made.created_agency else "")
        line = f"Created user {made.user.username} ({made.user.role}{bound})."
    click.echo(line)


@users_group.command("passwd")
@click.argument("username")
@click.option("--password", help=_PASSWORD_HELP)
def users_passwd(username: str, password: str | None) -> None:
    """Set a new password for USERNAME (this logs the account out everywhere)."""
    with session_scope(current_app) as session:
        user = set_password(session=session, username=username, password=_password(password))
        line = f"Password of {user.username} changed."
    click.echo(line)


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Take USERNAME out of use: no more logins, and its open sessions end at once."""
    with session_scope(current_app) as session:
        user = deactivate_user(session=session, username=username)
        line = f"User {user.username} deactivated and logged out everywhere."
    click.echo(line)


# -- sessions --------------------------------------------------------------------------------------

sessions_group = AppGroup("sessions", help="Sessions (届次/会议): list, add, open, close, make current.")
main.add_command(sessions_group)


def _session_line(meeting: Meeting) -> str:
    state = ("current, " if meeting.is_current else "") + ("open" if meeting.is_open else "closed")
    short = f" [{meeting.short_name}]" if meeting.short_name else ""
    year = f" {meeting.year}" if meeting.year else ""
    return f"{meeting.id}\t{display_name(meeting.body, meeting.name) or '(no name)'}{short}{year} ({state}, {meeting.intake})"


@sessions_group.command("list")
def sessions_list() -> None:
    """One line per session, latest first: id, full name [short name] year (state, intake)."""
    with session_scope(current_app) as session:
        lines = [_session_line(m) for m in sessions.list_sessions(session=session)]
    click.echo("\n".join(lines) if lines else "No sessions.")


def _day(option: str, value: str | None) -> date | None:
    """A date option; a bad one exits with status 1 like every other bad input."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD") from None


@sessions_group.command("add")
@click.option("--body", default="政协", show_default=True, help="政协 or 人大.")
@click.option(
    "--organisation", default="", help="The full name of the organisation, e.g. 政协宁波市镇海区委员会."
)
@click.option("--term", default="", help="届次, e.g. 第十届.")
@click.option("--sitting", default="", help="次会议, e.g. 第三次会议.")
@click.option("--full-name", default="", help="Made from organisation, term and sitting when left out.")
@click.option("--short-name", default="", help="Made from term and sitting when left out (十届三次).")
@click.option("--year", type=int, default=None)
@click.option("--starts", default=None, help="The first day, YYYY-MM-DD.")
@click.option("--ends", default=None, help="The last day, YYYY-MM-DD.")
@click.option(
    "--intake",
    type=click.Choice(["meeting", "interim"]),
    default="meeting",
    show_default=True,
    help="meeting: 大会提案; interim: 平时提案.",
)
@click.option("--prefix", default="", help="Shown before the 案号 (第Z12号).")
@click.option("--open/--closed", "is_open", default=False, help="Take proposals now (default: closed).")
@click.option("--current", is_flag=True, help="Make it the current session.")
def sessions_add(
    body: str,
    organisation: str,
    term: str,
    sitting: str,
    full_name: str,
    short_name: str,
    year: int | None,
    starts: str | None,
    ends: str | None,
    intake: str,
    prefix: str,
    is_open: bool,
    current: bool,
) -> None:
    """Add a session (recorded in the admin log as made from the command line)."""
    fields = SessionFields(
        body=body,
        organisation=organisation,
        term=term,
        sitting=sitting,
        full_name=full_name,
        short_name=short_name,
        year=year,
        starts_on=_day("--starts", starts),
        ends_on=_day("--ends", ends),
        intake=intake,
        number_prefix=prefix,
    )
    with session_scope(current_app) as session:
        try:
            meeting = sessions.create_session(
                session=session, actor=COMMAND_LINE, fields=fields, is_open=is_open, make_current=current
            )
        except InvalidInput as error:
            raise click.ClickException("; ".join(str(p) for p in error.problems)) from None
        line = f"Added session {meeting.id}: {_session_line(meeting).split(chr(9), 1)[1]}."
    click.echo(line)


def _session_step(key: str, step: Callable[..., sessions.Outcome], done: str, already: str) -> None:
    with session_scope(current_app) as session:
        meeting = sessions.find(session=session, key=key)
        outcome = step(session=session, actor=COMMAND_LINE, meeting_id=meeting.id or 0)
        name = display_name(meeting.body, meeting.name) or str(meeting.id)
        line = (done if outcome.changed else already) % name
    click.echo(line)


@sessions_group.command("open")
@click.argument("session_key", metavar="SESSION")
def sessions_open(session_key: str) -> None:
    """Let staff accept proposals into SESSION (its id, full name or short name)."""
    _session_step(
        session_key,
        partial(sessions.set_open, is_open=True),
        "Opened session %s.",
        "Session %s was already open.",
    )


@sessions_group.command("close")
@click.argument("session_key", metavar="SESSION")
def sessions_close(session_key: str) -> None:
    """Stop SESSION (its id, full name or short name) taking proposals."""
    _session_step(
        session_key,
        partial(sessions.set_open, is_open=False),
        "Closed session %s.",
        "Session %s was already closed.",
    )


@sessions_group.command("current")
@click.argument("session_key", metavar="SESSION")
def sessions_current(session_key: str) -> None:
    """Make SESSION (its id, full name or short name) the current one."""
    _session_step(
        session_key,
        sessions.set_current,
        "Session %s is now the current session.",
        "Session %s was already current.",
    )


# -- members, agencies and their import ------------------------------------------------------------

members_group = AppGroup("members", help="Members (委员/代表): list and add.")
agencies_group = AppGroup("agencies", help="Agencies (承办单位): list and add.")
main.add_command(members_group)
main.add_command(agencies_group)


def _problems(error: InvalidInput) -> click.ClickException:
    return click.ClickException("; ".join(str(p) for p in error.problems))


def _member_line(member: Member) -> str:
    extra = " · ".join(v for v in (member.sector, member.party, member.phone) if v)
    state = "" if member.active else ", inactive"
    return f"{member.id}\t{member.name} ({member.kind}{state})" + (f" {extra}" if extra else "")


@members_group.command("list")
@click.option(
    "--search", "q", default="", help="Only members whose name, 界别, party, phone or e-mail contains this."
)
def members_list(q: str) -> None:
    """One line per member, active first: id, name (kind), 界别 · party · phone."""
    with session_scope(current_app) as session:
        page = directory.list_members(session=session, q=q, page_size=1_000_000)
        lines = [_member_line(m) for m in page.items]
    click.echo("\n".join(lines) if lines else "No members.")


@members_group.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in MemberKind]), default="member", show_default=True)
@click.option("--sector", default="", help="界别.")
@click.option("--party", default="", help="党派 or group.")
@click.option("--phone", default="")
@click.option("--address", default="")
@click.option("--email", default="")
def members_add(name: str, kind: str, sector: str, party: str, phone: str, address: str, email: str) -> None:
    """Add the member NAME (recorded in the admin log as made from the command line)."""
    fields = MemberFields(
        name=name, kind=kind, sector=sector, party=party, phone=phone, address=address, email=email
    )
    with session_scope(current_app) as session:
        try:
            saved = directory.save_member(session=session, actor=COMMAND_LINE, fields=fields)
        except InvalidInput as error:
            raise _problems(error) from None
        line = f"Added member {_member_line(saved.row)}."
    click.echo(line)


def _agency_line(session: Session, agency: Agency) -> str:
    short = f" [{agency.short_name}]" if agency.short_name else ""
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    under = f", under {parent.name}" if parent else ""
    state = "" if agency.active else ", inactive"
    return f"{agency.id}\t{agency.name}{short} ({agency.kind}{under}{state})"


@agencies_group.command("list")
@click.option(
    "--search", "q", default="", help="Only agencies whose name, short name or a former name contains this."
)
def agencies_list(q: str) -> None:
    """One line per agency, active first: id, full name [short name] (kind, parent)."""
    with session_scope(current_app) as session:
        page = directory.list_agencies(session=session, q=q, page_size=1_000_000)
        lines = [_agency_line(session, a) for a in page.items]
    click.echo("\n".join(lines) if lines else "No agencies.")


@agencies_group.command("add")
@click.argument("name")
@click.option("--short-name", default="", help="e.g. 区经信局.")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in AgencyKind]),
    default="district",
    show_default=True,
    help="district: 区级部门; town: 镇街; other: 其他.",
)
@click.option("--parent", default="", help="The full or short name of the agency it belongs to.")
def agencies_add(name: str, short_name: str, kind: str, parent: str) -> None:
    """Add the agency NAME (its full name; recorded in the admin log as made from the command line)."""
    fields = AgencyFields(name=name, short_name=short_name, kind=kind, parent=parent)
    with session_scope(current_app) as session:
        try:
            saved = directory.save_agency(session=session, actor=COMMAND_LINE, fields=fields)
        except InvalidInput as error:
            raise _problems(error) from None
        line = f"Added agency {_agency_line(session, saved.row)}."
    click.echo(line)


@main.command("import-people")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice([k.value for k in PeopleKind]),
    default=None,
    help="What the file lists; told from its headers when left out.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
def import_people(path: Path, kind: str | None, dry_run: bool) -> None:
    """Import members or agencies from FILE (.csv in UTF-8 or GBK, or .xlsx); headers in Chinese
    (姓名, 界别, 党派, 联系电话 / 单位名称, 简称, 上级单位…) or English. One line per row; the valid rows
    are imported even when others have errors, and the exit status is then 1."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with session_scope(current_app) as session:
        try:
            plan = people_import.import_file(
                session=session,
                actor=COMMAND_LINE,
                data=data,
                kind=PeopleKind(kind) if kind else None,
                dry_run=dry_run,
            )
        except InvalidInput as error:
            raise click.ClickException(f"{path}: " + "; ".join(str(p) for p in error.problems)) from None
        if dry_run:
            session.rollback()
    verbs = {
        "create": "would add" if dry_run else "added",
        "update": "would update" if dry_run else "updated",
        "unchanged": "unchanged",
        "error": "error",
    }
    for row in plan.rows:
        detail = ""
        if row.action == "error":
            detail = ": " + "; ".join(str(p) for p in row.problems)
        elif row.action == "update":
            detail = f" ({', '.join(row.changes)})"
        click.echo(f"row {row.row}: {verbs[row.action]} {row.name or '(no name)'}{detail}")
    counts = ", ".join(f"{plan.count(a)} {verbs[a]}" for a in ("create", "update", "unchanged"))
    what = plan.kind.value
    if plan.errors:
        raise click.ClickException(
            f"{path.name}: {what}: {counts}; {len(plan.errors)} rows with errors were not imported"
            + (" (dry run: nothing changed)" if dry_run else "")
        )
    click.echo(f"{path.name}: {what}: {counts}" + (" (dry run: nothing changed)." if dry_run else "."))


# -- reindex ---------------------------------------------------------------------------------------


@main.command("reindex")
@click.option(
    "--procs",
    type=click.IntRange(1, 16),
    default=default_procs,
    show_default="the cores, at most 4",
    help="Processes that analyse and write the index.",
)
def reindex_command(procs: int) -> None:
    """Rebuild the search index from the database (the repair path; commits keep it current)."""
    click.echo(get_keeper(current_app).rebuild(procs=procs).summary())
    analyze(get_engine(current_app))


# -- db --------------------------------------------------------------------------------------------

db_group = AppGroup("db", help="Database migrations (Alembic).")
main.add_command(db_group)


@db_group.command("analyze")
def db_analyze() -> None:
    """Refresh the query planner's statistics (`tracker remind`, seed, import and reindex do it too)."""
    analyze(get_engine(current_app))
    click.echo("Statistics refreshed.")


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    migrate.upgrade(current_app, revision)
    click.echo(f"Database at revision {migrate.current_revision(current_app) or 'base'}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION ("base" removes every table)."""
    migrate.downgrade(current_app, revision)
    click.echo(f"Database at revision {migrate.current_revision(current_app) or 'base'}.")


@db_group.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    current = migrate.current_revision(current_app)
    head = migrate.head_revision(current_app)
    state = "head" if current == head else f"head is {head}"
    click.echo(f"{current or 'base'} ({state})")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate", is_flag=True, help="Compare the models with the database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a migration in tracker/migrations/versions (read it before committing)."""
    path = migrate.revision(current_app, message, autogenerate=autogenerate)
    click.echo(f"Created {path}")


# -- run -------------------------------------------------------------------------------------------


# Tables the migrations fill themselves (0009 seeds the categories, 0013 starts the archive's
# generation): rows there do not make a database "in use".
MIGRATION_FILLED = {"category", "archive_generation"}


def _is_empty(app: Flask) -> bool:
    with session_scope(app) as session:
        counts = table_counts(session=session)
        return not any(n for table, n in counts.items() if table not in MIGRATION_FILLED)


def bootstrap(app: Flask) -> str | None:
    """Make a new database usable: migrate to head and seed. Returns what was done, if anything.

    A database at head with no rows at all (say, a seed that failed last time) is seeded too; one
    behind the code is left alone with a warning, since seeding needs the current schema.
    """
    state = migrate.database_state(app)
    if state == "unversioned":
        raise click.ClickException(
            "the database has tables but no alembic_version table; "
            "point DATABASE_URL at an empty database or stamp it with Alembic"
        )
    if state == "fresh":
        migrate.upgrade(app, "head")
        if is_production(app.config):
            return (
                "Created the database (production: no demo data; add accounts with `tracker users create`)."
            )
        return f"Created the database. {run_seed(app)}"
    if migrate.current_revision(app) != migrate.head_revision(app):
        click.echo("The database is behind the code: run `tracker db upgrade`.", err=True)
        return None
    if _is_empty(app) and not is_production(app.config):
        return run_seed(app)
    return None


@click.command("run", params=list(run_command.params), short_help="Bootstrap the database, then serve.")
@click.pass_context
def run(ctx: click.Context, **options: Any) -> None:
    """Run the development server; on an empty database, migrate and seed it first.

    Options are those of ``flask run``.
    """
    # The reloader starts this command again in a child process; bootstrap and greet only once.
    if not os.environ.get("WERKZEUG_RUN_MAIN"):
        done = bootstrap(ctx.ensure_object(ScriptInfo).load_app())
        if done:
            click.echo(done)
        host = options.get("host") or "127.0.0.1"
        scheme = "https" if options.get("cert") else "http"
        click.echo(f"Tracker: {scheme}://{host}:{options.get('port')}/")
    ctx.invoke(run_command, **options)


main.add_command(run)


# -- parsing commands (split-proposal, split-reply) ------------------------------------------------
# Defined in tracker/cli_parsing.py by the author of tracker/domain; they need no app or database.

main.add_command(split_proposal_command)
main.add_command(split_reply_command)
main.add_command(bench_command)
main.add_command(mail_group)  # issue 15: the mail queue and the daily reminders
main.add_command(remind_command)
main.add_command(import_command)
main.add_command(bench_import_command)
main.add_command(bench_duplicates_command)  # issue 16: near copies rank their original first
