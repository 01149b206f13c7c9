"""CHECK constraints, which Alembic's comparison of the schema does not look at: after the migrations,
every table holds exactly the CHECK constraints the models declare (a new workflow action or reply
state missing from a migration would be refused by the database only in deployed copies)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from sqlmodel import SQLModel

from tracker import migrate
from tracker.db import get_engine

_CHECK = re.compile(r"CONSTRAINT (\w+) CHECK \((.*?)\)(?:,\s*\n|\s*\n\))", re.S)


def _normal(sql: str) -> str:
    return " ".join(sql.split())


def _declared() -> dict[str, str]:
    found = {}
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                name = str(constraint.name)
                if not name.startswith("ck_"):
                    name = f"ck_{table.name}_{name}"
                found[name] = _normal(str(constraint.sqltext))
    return found


def test_the_migrated_check_constraints_are_the_models(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "head")
    with get_engine(fresh_app).connect() as connection:
        schema = (
            connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table'").scalars().all()
        )
    migrated = {name: _normal(sql) for text in schema if text for name, sql in _CHECK.findall(text)}
    declared = _declared()
    assert migrated == declared
    assert "'send_back'" in declared["ck_transition_action"] and "'superseded'" in declared["ck_reply_status"]
