"""The tracker command: seed, run's bootstrap, and one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from sqlmodel import Session

from tracker import migrate
from tracker.cli import bootstrap, main
from tracker.db import get_engine
from tracker.services.seed import table_counts


def _counts(app: Flask) -> dict[str, int]:
    with Session(get_engine(app)) as session:
        return table_counts(session=session)


def test_seed_twice_leaves_every_table_unchanged(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0

    first = runner.invoke(main, ["seed"])
    assert first.exit_code == 0, first.output
    after_first = _counts(fresh_app)
    assert after_first["proposal"] == 1 and after_first["reference_clause"] > 0

    second = runner.invoke(main, ["seed"])
    assert second.exit_code == 0, second.output
    assert _counts(fresh_app) == after_first
    assert len(second.output.strip().splitlines()) == 1
    assert second.output.startswith("Seeded 0 new rows")


def test_seed_errors_are_one_line_without_traceback(
    runner: FlaskCliRunner, app: Flask, tmp_path: Path
) -> None:
    app.config["SEEDS_DIR"] = str(tmp_path)
    result = runner.invoke(main, ["seed"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'manifest.toml'}: no such file"
    assert "Traceback" not in result.output


def test_seed_on_an_unmigrated_database_says_so(fresh_app: Flask) -> None:
    result = fresh_app.test_cli_runner().invoke(main, ["seed"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "no such table" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bootstrap_migrates_and_seeds_a_fresh_database(fresh_app: Flask) -> None:
    done = bootstrap(fresh_app)
    assert done is not None and "Seeded" in done
    assert migrate.current_revision(fresh_app) == migrate.head_revision(fresh_app)
    assert _counts(fresh_app)["suggestion"] == 5
    # a second start leaves the database alone
    assert bootstrap(fresh_app) is None


def test_bootstrap_seeds_a_migrated_but_empty_database(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "head")
    done = bootstrap(fresh_app)
    assert done is not None and done.startswith("Seeded")
    assert _counts(fresh_app)["proposal"] == 1


def test_bootstrap_leaves_a_database_behind_the_code_alone(fresh_app: Flask, capsys) -> None:
    migrate.upgrade(fresh_app, "head")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    assert bootstrap(fresh_app) is None
    assert "tracker db upgrade" in capsys.readouterr().err
    assert _counts(fresh_app)["proposal"] == 0


def test_bootstrap_refuses_a_database_it_did_not_create(fresh_app: Flask) -> None:
    with get_engine(fresh_app).begin() as connection:
        connection.execute(text("CREATE TABLE other (id INTEGER)"))
    with pytest.raises(click.ClickException, match="no alembic_version"):
        bootstrap(fresh_app)


def test_run_bootstraps_then_serves_with_the_given_address(
    fresh_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run_simple(host: str, port: int, app: Any, **options: Any) -> None:
        served.update(host=host, port=port, app=app)

    monkeypatch.setattr("flask.cli.run_simple", fake_run_simple)
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    result = fresh_app.test_cli_runner().invoke(
        main, ["run", "--host", "0.0.0.0", "--port", "5123", "--no-reload"]
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "Created the database." in result.output
    assert "Tracker: http://0.0.0.0:5123/" in result.output
    assert served == {"host": "0.0.0.0", "port": 5123, "app": fresh_app}
    assert _counts(fresh_app)["proposal"] == 1


def test_parsing_commands_are_registered(runner: FlaskCliRunner) -> None:
    seed = Path(__file__).resolve().parents[2] / "seeds" / "proposals" / "cppcc-002" / "proposal.txt"
    result = runner.invoke(main, ["split-proposal", str(seed)])
    assert result.exit_code == 0, result.output
    assert '"title": "建立商业信息中心"' in result.output


def _has_statistics(app: Flask) -> bool:
    with get_engine(app).connect() as conn:
        if get_engine(app).dialect.name == "sqlite":
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
            return "sqlite_stat1" in tables and bool(
                conn.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar()
            )
        return bool(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            ).scalar()
        )


def test_seed_and_db_analyze_leave_the_planner_its_statistics(fresh_app: Flask) -> None:
    """Without statistics SQLite picks the index on a reply's status over the one on its proposal
    (a member's home page counted every issued letter): seeding and `tracker db analyze` gather them."""
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert not _has_statistics(fresh_app)
    assert runner.invoke(main, ["seed"]).exit_code == 0
    assert _has_statistics(fresh_app)
    result = runner.invoke(main, ["db", "analyze"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Statistics refreshed."
    assert _has_statistics(fresh_app)
