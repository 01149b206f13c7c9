"""Alembic: the migrations build exactly the schema the models declare, and undo it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect
from sqlmodel import SQLModel

from tracker import migrate
from tracker.cli import main
from tracker.db import get_engine

# Revisions are numbered 0001, 0002, … by file name; the newest file is head.
REVISIONS = sorted(
    p.name[:4] for p in (migrate.MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
)
HEAD = REVISIONS[-1]


def test_upgrade_head_matches_the_models(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "head")
    with get_engine(fresh_app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []
    assert migrate.current_revision(fresh_app) == migrate.head_revision(fresh_app) == HEAD


def test_each_revision_downgrades_to_the_one_before(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "head")
    for previous in reversed(REVISIONS[:-1]):
        migrate.downgrade(fresh_app, "-1")
        assert migrate.current_revision(fresh_app) == previous
    migrate.upgrade(fresh_app, "head")
    assert migrate.current_revision(fresh_app) == HEAD


def test_downgrade_base_removes_every_table(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "head")
    migrate.downgrade(fresh_app, "base")
    tables = set(inspect(get_engine(fresh_app)).get_table_names())
    assert tables <= {migrate.VERSION_TABLE}
    assert migrate.current_revision(fresh_app) is None
    # and it can come back up
    migrate.upgrade(fresh_app, "head")
    assert set(SQLModel.metadata.tables) <= set(inspect(get_engine(fresh_app)).get_table_names())


def test_database_state(fresh_app: Flask) -> None:
    assert migrate.database_state(fresh_app) == "fresh"
    migrate.upgrade(fresh_app, "head")
    assert migrate.database_state(fresh_app) == "versioned"


def test_next_revision_id_continues_the_numbering(fresh_app: Flask) -> None:
    assert migrate.next_revision_id(fresh_app) == f"{int(HEAD) + 1:04d}"


def test_db_commands(fresh_app: Flask) -> None:
    runner: FlaskCliRunner = fresh_app.test_cli_runner()
    result = runner.invoke(main, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("base")

    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert HEAD in result.output

    result = runner.invoke(main, ["db", "current"])
    assert result.output.strip() == f"{HEAD} (head)"

    result = runner.invoke(main, ["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert migrate.current_revision(fresh_app) is None


def test_db_downgrade_to_an_unknown_revision_is_one_line(fresh_app: Flask) -> None:
    result = fresh_app.test_cli_runner().invoke(main, ["db", "downgrade", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "nope" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_migrations_that_copy_tables_keep_the_rows_that_cascade(fresh_app: Flask) -> None:
    """SQLite batch migrations copy and drop tables; with foreign keys on, dropping the proposal table
    would delete its suggestions. tracker.migrate turns them off while migrating."""
    from sqlalchemy import text

    migrate.upgrade(fresh_app, "0002")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO proposal (id, title, background, closing, original_text, status, created_at) "
                "VALUES (1, 't', '', '', 'x', 'submitted', '2024-01-01')"
            )
        )
        connection.execute(
            text(
                'INSERT INTO suggestion (id, proposal_id, position, title, text, start, "end", numbered) '
                "VALUES (1, 1, 0, 'a', 'a', 0, 1, 1)"
            )
        )
    migrate.upgrade(fresh_app, "head")
    migrate.downgrade(fresh_app, "0002")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM suggestion")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again afterwards


def test_0006_adds_login_sessions_to_an_existing_database(fresh_app: Flask) -> None:
    """A database in use before server-side logins: its accounts survive, and old cookies (which name
    no login) are simply logged out by the app."""
    from sqlalchemy import text

    migrate.upgrade(fresh_app, "0005")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, username, password_hash, role, active, created_at) "
                "VALUES (7, 'li', 'x', 'staff', 1, '2026-01-01')"
            )
        )
    migrate.upgrade(fresh_app, "0006")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO login_session (token_hash, user_id, created_at, last_seen_at, user_agent, address) "
                "VALUES ('abc', 7, '2026-01-01', '2026-01-01', '', '')"
            )
        )
        assert connection.execute(text("SELECT username FROM user_account")).scalar() == "li"
    migrate.downgrade(fresh_app, "0005")
    assert "login_session" not in inspect(get_engine(fresh_app)).get_table_names()
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 1


def test_0007_upgrades_a_database_of_the_previous_release(fresh_app: Flask) -> None:
    """A database made by the previous release (schema 0005) with its seeded model case (政协, no
    session stated) and a named session: the meetings become sessions with their names and years, stay
    open, the latest becomes current; the model case keeps its number; seeding again adds no proposal."""
    from sqlalchemy import text
    from sqlmodel import Session, select

    from tracker.models import AdminChange, Meeting, Proposal
    from tracker.services.seed import seed

    migrate.upgrade(fresh_app, "0005")
    with get_engine(fresh_app).begin() as connection:
        # what the previous release's seed stored for the model case, and one session staff named
        connection.execute(text("INSERT INTO meeting (id, name, body, year) VALUES (1, NULL, '政协', NULL)"))
        connection.execute(
            text("INSERT INTO meeting (id, name, body, year) VALUES (2, '第十届第四次会议', '政协', 2025)")
        )
        connection.execute(
            text(
                "INSERT INTO proposal (id, meeting_id, number, title, background, closing, original_text, "
                "status, created_at, published_at) VALUES (1, 1, 2, '关于加强小型微型企业分级服务与管理的建议', "
                "'', '', 'x', 'replied', '2026-01-01', '2026-01-02')"
            )
        )
    # to head, not 0007: seeding below uses today's models, which later revisions extend
    migrate.upgrade(fresh_app, "head")
    with Session(get_engine(fresh_app)) as session:
        old, named = session.get(Meeting, 1), session.get(Meeting, 2)
        assert (old.name, old.body, old.year, old.is_open, old.is_current) == (
            None,
            "政协",
            None,
            True,
            False,
        )
        assert (named.name, named.year, named.is_open, named.is_current) == (
            "第十届第四次会议",
            2025,
            True,
            True,
        )
        assert (named.intake, named.number_prefix, named.short_name) == ("meeting", None, None)
        proposal = session.get(Proposal, 1)
        assert (proposal.meeting_id, proposal.number) == (1, 2)
        assert session.exec(select(AdminChange)).all() == []

        seed(session=session, seeds_dir=fresh_app.config["SEEDS_DIR"])
        session.commit()
        assert len(session.exec(select(Proposal)).all()) == 1  # the model case was not added again
        current = session.exec(select(Meeting).where(Meeting.is_current)).all()
        assert [m.name for m in current] == ["政协宁波市镇海区第十届委员会第三次会议"]


def test_0009_upgrades_people_agencies_and_categories(fresh_app: Flask) -> None:
    """A database of the previous release (0007): members and agencies keep their rows and become
    active, each agency's present name becomes its first name in force from the start, a 镇 is told from
    镇海区…, and the categories are the configured list plus those proposals were already filed under
    (inactive). Downgrading removes the new tables and the log of the new kinds."""
    from sqlalchemy import text

    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(text("INSERT INTO member (id, name, kind) VALUES (1, '戴培红', 'member')"))
        connection.execute(
            text("INSERT INTO agency (id, name) VALUES (1, '镇海区经信局'), (2, '蛟川街道办事处')")
        )
        connection.execute(
            text(
                "INSERT INTO proposal (id, title, category, background, closing, original_text, status, created_at) "
                "VALUES (1, 't', '工业经济', '', '', 'x', 'submitted', '2026-01-01'), "
                "(2, 'u', '城乡建设', '', '', 'x', 'submitted', '2026-01-01')"
            )
        )
    migrate.upgrade(fresh_app, "0009")
    with get_engine(fresh_app).connect() as connection:
        member = connection.execute(text("SELECT name, active, sector FROM member")).one()
        assert tuple(member) == ("戴培红", 1, None)
        agencies = connection.execute(text("SELECT name, kind, active FROM agency ORDER BY id")).all()
        assert [tuple(a) for a in agencies] == [
            ("镇海区经信局", "district", 1),
            ("蛟川街道办事处", "town", 1),
        ]
        names = connection.execute(
            text("SELECT agency_id, name, valid_from FROM agency_name ORDER BY agency_id")
        )
        assert [tuple(n) for n in names] == [(1, "镇海区经信局", None), (2, "蛟川街道办事处", None)]
        categories = connection.execute(text("SELECT name, active FROM category ORDER BY position")).all()
        assert [c.name for c in categories if c.active] == [
            "经济发展",
            "城乡建设",
            "社会民生",
            "科教文卫",
            "生态环境",
            "政治法律",
            "其他",
        ]
        assert [c.name for c in categories if not c.active] == ["工业经济"]
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO admin_change (at, actor, kind, object_id, action) "
                "VALUES ('2026-01-01', 'x', 'agency', 1, 'rename'), ('2026-01-01', 'x', 'session', 1, 'open')"
            )
        )
    migrate.downgrade(fresh_app, "0007")
    tables = inspect(get_engine(fresh_app)).get_table_names()
    assert not {"agency_name", "category", "people_import"} & set(tables)
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT kind FROM admin_change")).scalars().all() == ["session"]
        assert connection.execute(text("SELECT name FROM agency ORDER BY id")).scalars().all() == [
            "镇海区经信局",
            "蛟川街道办事处",
        ]


def test_0010_upgrades_accounts_and_the_log_of_the_previous_release(fresh_app: Flask) -> None:
    """A database at 0007 with an account, a login and a logged session change: the account starts
    unlocked with no failures, the log keeps its row and now takes account changes; going back
    drops only the account rows of the log."""
    from sqlalchemy import text

    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, username, password_hash, role, active, created_at) "
                "VALUES (1, 'li', 'x', 'staff', 1, '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO admin_change (id, at, actor, kind, object_id, action) "
                "VALUES (1, '2026-01-02', 'seed', 'session', 1, 'create')"
            )
        )
    migrate.upgrade(fresh_app, "head")
    with get_engine(fresh_app).begin() as connection:
        assert connection.execute(text("SELECT locked_until FROM user_account")).all() == [(None,)]
        assert connection.execute(text("SELECT count(*) FROM login_failure")).scalar() == 0
        connection.execute(
            text(
                "INSERT INTO admin_change (id, at, actor, kind, object_id, action) "
                "VALUES (2, '2026-01-03', 'admin', 'user', 1, 'unlock')"
            )
        )
        connection.execute(
            text("INSERT INTO login_failure (user_id, at, address) VALUES (1, '2026-01-03', '10.0.0.1')")
        )
    migrate.downgrade(fresh_app, "0007")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT id, kind FROM admin_change")).all() == [(1, "session")]
        assert connection.execute(text("SELECT username FROM user_account")).all() == [("li",)]


def test_0011_upgrades_a_seeded_database_of_the_previous_release(fresh_app: Flask) -> None:
    """A database at 0007 with the seeded model case, assigned and published: after 0011 it keeps
    every row and its publication, has no extension request, and takes one (one pending at a time)."""
    from datetime import date

    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(text("INSERT INTO agency (id, name) VALUES (1, '镇海区经信局')"))
        connection.execute(
            text("INSERT INTO meeting (id, name, body, year) VALUES (1, '十届三次', '政协', 2025)")
        )
        connection.execute(
            text(
                "INSERT INTO proposal (id, meeting_id, number, title, background, closing, original_text, "
                "status, created_at, published_at) VALUES (1, 1, 2, '关于加强小型微型企业分级服务与管理的建议', "
                "'', '', 'x', 'assigned', '2026-01-01', '2026-01-02 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO assignment (id, proposal_id, agency_id, role, deadline, assigned_at) "
                "VALUES (1, 1, 1, 'lead', '2026-04-01', '2026-01-01')"
            )
        )
    migrate.upgrade(fresh_app, "0011")
    from tracker.models import Assignment, ExtensionRequest, Proposal

    with Session(get_engine(fresh_app)) as session:
        proposal = session.get(Proposal, 1)
        assert proposal is not None and proposal.published_at is not None
        assert session.get(Assignment, 1).deadline == date(2026, 4, 1)
        assert session.exec(text("SELECT count(*) FROM extension_request")).scalar() == 0

        def ask() -> ExtensionRequest:
            return ExtensionRequest(
                proposal_id=1,
                assignment_id=1,
                agency_id=1,
                reason="需协调",
                previous_deadline=date(2026, 4, 1),
                requested_deadline=date(2026, 5, 1),
            )

        session.add(ask())
        session.commit()
        session.add(ask())
        with pytest.raises(IntegrityError):  # the partial unique index: one pending per assignment
            session.commit()


def test_0012_adds_import_provenance_to_a_seeded_database(fresh_app: Flask) -> None:
    """A database at 0011 with a proposal keeps it after 0012, and a file's content is recorded once."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    migrate.upgrade(fresh_app, "0011")
    with get_engine(fresh_app).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO proposal (id, title, background, closing, original_text, status, created_at) "
                "VALUES (1, '关于加强小型微型企业分级服务与管理的建议', '', '', 'x', 'submitted', '2026-01-01')"
            )
        )
    migrate.upgrade(fresh_app, "0012")
    insert = text(
        "INSERT INTO imported_file (source_name, content_hash, byte_size, file_format, kind, state, "
        "reasons, confidence, found, text, proposal_id, imported_at) VALUES ('a.docx', :h, 1, 'docx', "
        "'proposal', 'review', '[]', 0.5, '{}', 'x', 1, '2026-12-02')"
    )
    with get_engine(fresh_app).begin() as connection:
        assert connection.execute(text("SELECT title FROM proposal")).scalar_one().startswith("关于")
        connection.execute(insert, {"h": "a" * 64})
    with pytest.raises(IntegrityError), get_engine(fresh_app).begin() as connection:
        connection.execute(insert, {"h": "a" * 64})


def test_0013_starts_the_archive_generation_at_zero(fresh_app: Flask) -> None:
    from sqlalchemy import text

    migrate.upgrade(fresh_app, "0013")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT id, value FROM archive_generation")).all() == [(1, 0)]
        assert connection.execute(text("SELECT count(*) FROM login_attempt")).scalar() == 0
