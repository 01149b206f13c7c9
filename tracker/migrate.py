"""Alembic, driven programmatically against the app's engine (no alembic.ini, works from any cwd)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import inspect

from tracker.db import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(app: Flask, *, stdout: TextIO | None = None) -> Config:
    # stdout is looked up at call time: Config's own default is bound at import, which would
    # bypass click's output capture in tests.
    cfg = Config(stdout=stdout or sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    # ConfigParser interpolates "%", which URL-encoded passwords contain.
    cfg.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    return cfg


def _with_connection(app: Flask, action: Callable[[Config], Any], *, stdout: TextIO | None = None) -> Any:
    cfg = alembic_config(app, stdout=stdout)
    with get_engine(app).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration copies a table and drops the old one; with foreign keys enforced, the
            # drop would delete every row that cascades from it (a proposal's suggestions, replies…).
            # The pragma only takes effect outside a transaction, so it goes first.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                cfg.attributes["connection"] = connection
                result = action(cfg)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise CommandError(f"the migration left {len(broken)} rows with dangling references")
            return result
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def upgrade(app: Flask, revision: str = "head") -> None:
    _with_connection(app, lambda cfg: command.upgrade(cfg, revision))


def downgrade(app: Flask, revision: str) -> None:
    _with_connection(app, lambda cfg: command.downgrade(cfg, revision))


def current_revision(app: Flask) -> str | None:
    """The revision the database is at, or None for an unversioned database."""
    with get_engine(app).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(app: Flask) -> str | None:
    return ScriptDirectory.from_config(alembic_config(app)).get_current_head()


def next_revision_id(app: Flask) -> str:
    """Revisions are numbered 0001, 0002, … so the versions folder reads in order."""
    script = ScriptDirectory.from_config(alembic_config(app))
    numbers = [int(rev.revision) for rev in script.walk_revisions() if re.fullmatch(r"\d+", rev.revision)]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(app: Flask, message: str, *, autogenerate: bool) -> Path:
    rev_id = next_revision_id(app)
    script = _with_connection(
        app,
        lambda cfg: command.revision(cfg, message=message, autogenerate=autogenerate, rev_id=rev_id),
    )
    return Path(script.path)


def database_state(app: Flask) -> str:
    """'fresh' (no tables at all), 'unversioned' (tables but no alembic_version) or 'versioned'."""
    tables = set(inspect(get_engine(app)).get_table_names())
    if VERSION_TABLE in tables:
        return "versioned"
    return "unversioned" if tables else "fresh"
