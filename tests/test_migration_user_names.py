"""Migration 0008: accounts gain the person's name (display_name); existing accounts keep working."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import inspect, text

from tracker import migrate
from tracker.db import get_engine


def test_0008_adds_display_names_to_an_existing_database(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, username, password_hash, role, active, created_at) "
                "VALUES (7, 'li', 'x', 'staff', 1, '2026-01-01')"
            )
        )
    migrate.upgrade(fresh_app, "0008")
    with get_engine(fresh_app).begin() as connection:
        # no name yet: the header falls back to the login name (tests/web/test_web_glossary.py)
        assert connection.execute(text("SELECT username, display_name FROM user_account")).one() == (
            "li",
            None,
        )
        connection.execute(text("UPDATE user_account SET display_name = '李明' WHERE id = 7"))
    migrate.downgrade(fresh_app, "0007")
    columns = {c["name"] for c in inspect(get_engine(fresh_app)).get_columns("user_account")}
    assert "display_name" not in columns
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT username FROM user_account")).scalar() == "li"
