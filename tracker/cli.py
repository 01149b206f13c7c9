"""The ``tracker`` command: Flask's group plus seed, db (Alembic) and a ``run`` that bootstraps.

Errors a user can act on are printed as one line on stderr with a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
from typing import Any

import click
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, run_command
from sqlalchemy.exc import SQLAlchemyError

from tracker import create_app, migrate
from tracker.cli_parsing import split_proposal_command, split_reply_command
from tracker.db import session_scope
from tracker.domain.textio import TextDecodeError
from tracker.services.errors import ServiceError
from tracker.services.seed import SeedResult, seed, table_counts

# Failures that are about the input or the environment, not bugs: report them in one line.
USER_ERRORS = (ServiceError, TextDecodeError, CommandError, SQLAlchemyError, OSError)


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


def run_seed(app: Flask) -> SeedResult:
    with session_scope(app) as session:
        return seed(session=session, seeds_dir=app.config["SEEDS_DIR"])


@main.command("seed")
def seed_command() -> None:
    """Load seeds/ into the database (running it again adds nothing)."""
    click.echo(run_seed(current_app).summary())


# -- db --------------------------------------------------------------------------------------------

db_group = AppGroup("db", help="Database migrations (Alembic).")
main.add_command(db_group)


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


def _is_empty(app: Flask) -> bool:
    with session_scope(app) as session:
        return not any(table_counts(session=session).values())


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
        return f"Created the database. {run_seed(app).summary()}"
    if migrate.current_revision(app) != migrate.head_revision(app):
        click.echo("The database is behind the code: run `tracker db upgrade`.", err=True)
        return None
    if _is_empty(app):
        return run_seed(app).summary()
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
