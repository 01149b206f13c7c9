"""Alembic: the migrations build exactly the schema the models declare, and undo it, on SQLite and
(TRACKER_TEST_DB=postgres) on PostgreSQL. Rows are written through the tables as each revision has
them (``insert``), so the same test runs on both."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import Connection, MetaData, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

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
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": migrate.include_name}
        )
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []
    # and as `tracker db revision --autogenerate` compares them (tracker/migrations/env.py): on
    # PostgreSQL it must not propose dropping the search backend's own tables
    migrate.check(fresh_app)
    assert migrate.current_revision(fresh_app) == migrate.head_revision(fresh_app) == HEAD


def test_every_revision_goes_up_and_down_one_at_a_time(fresh_app: Flask) -> None:
    """From an empty database up to head one revision at a time, down to base the same way, and up
    again: every migration runs on its own, both ways, on SQLite and on PostgreSQL."""
    for revision in REVISIONS:
        migrate.upgrade(fresh_app, "+1")
        assert migrate.current_revision(fresh_app) == revision
    for previous in [*reversed(REVISIONS[:-1]), None]:
        migrate.downgrade(fresh_app, "-1")
        assert migrate.current_revision(fresh_app) == previous
    assert set(inspect(get_engine(fresh_app)).get_table_names()) <= {migrate.VERSION_TABLE}
    migrate.upgrade(fresh_app, "head")
    assert migrate.current_revision(fresh_app) == HEAD
    migrate.check(fresh_app)  # the schema that came back is the models' again


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


def insert(connection: Connection, table: str, **values: Any) -> int:
    """Insert one row into ``table`` as the database has it at this revision (reflected, so Python
    values such as True and dates bind the same on SQLite and PostgreSQL); returns its new id. Ids
    come from the database: on PostgreSQL an explicit id would leave the sequence behind."""
    reflected = Table(table, MetaData(), autoload_with=connection)
    return connection.execute(reflected.insert().values(**values)).inserted_primary_key[0]


JAN_1 = datetime(2026, 1, 1)


def test_migrations_that_copy_tables_keep_the_rows_that_cascade(fresh_app: Flask) -> None:
    """SQLite batch migrations copy and drop tables; with foreign keys on, dropping the proposal table
    would delete its suggestions. tracker.migrate turns them off while migrating."""
    migrate.upgrade(fresh_app, "0002")
    with get_engine(fresh_app).begin() as connection:
        proposal = insert(
            connection,
            "proposal",
            title="t",
            background="",
            closing="",
            original_text="x",
            status="submitted",
            created_at=JAN_1,
        )
        insert(
            connection,
            "suggestion",
            proposal_id=proposal,
            position=0,
            title="a",
            text="a",
            start=0,
            end=1,
            numbered=True,
        )
    migrate.upgrade(fresh_app, "head")
    migrate.downgrade(fresh_app, "0002")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM suggestion")).scalar() == 1
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again afterwards


def test_0006_adds_login_sessions_to_an_existing_database(fresh_app: Flask) -> None:
    """A database in use before server-side logins: its accounts survive, and old cookies (which name
    no login) are simply logged out by the app."""
    migrate.upgrade(fresh_app, "0005")
    with get_engine(fresh_app).begin() as connection:
        user = insert(
            connection,
            "user_account",
            username="li",
            password_hash="x",
            role="staff",
            active=True,
            created_at=JAN_1,
        )
    migrate.upgrade(fresh_app, "0006")
    with get_engine(fresh_app).begin() as connection:
        insert(
            connection,
            "login_session",
            token_hash="abc",
            user_id=user,
            created_at=JAN_1,
            last_seen_at=JAN_1,
            user_agent="",
            address="",
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
    from tracker.models import AdminChange, Meeting, Proposal
    from tracker.services.seed import seed

    migrate.upgrade(fresh_app, "0005")
    with get_engine(fresh_app).begin() as connection:
        # what the previous release's seed stored for the model case, and one session staff named
        old_id = insert(connection, "meeting", name=None, body="政协", year=None)
        named_id = insert(connection, "meeting", name="第十届第四次会议", body="政协", year=2025)
        proposal_id = insert(
            connection,
            "proposal",
            meeting_id=old_id,
            number=2,
            title="关于加强小型微型企业分级服务与管理的建议",
            background="",
            closing="",
            original_text="x",
            status="replied",
            created_at=JAN_1,
            published_at=datetime(2026, 1, 2),
        )
    # to head, not 0007: seeding below uses today's models, which later revisions extend
    migrate.upgrade(fresh_app, "head")
    with Session(get_engine(fresh_app)) as session:
        old, named = session.get(Meeting, old_id), session.get(Meeting, named_id)
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
        proposal = session.get(Proposal, proposal_id)
        assert (proposal.meeting_id, proposal.number) == (old_id, 2)
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
    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        insert(connection, "member", name="戴培红", kind="member")
        district = insert(connection, "agency", name="镇海区经信局")
        town = insert(connection, "agency", name="蛟川街道办事处")
        for title, category in (("t", "工业经济"), ("u", "城乡建设")):
            insert(
                connection,
                "proposal",
                title=title,
                category=category,
                background="",
                closing="",
                original_text="x",
                status="submitted",
                created_at=JAN_1,
            )
    migrate.upgrade(fresh_app, "0009")
    with get_engine(fresh_app).connect() as connection:
        member = connection.execute(text("SELECT name, active, sector FROM member")).one()
        assert tuple(member) == ("戴培红", True, None)
        agencies = connection.execute(text("SELECT name, kind, active FROM agency ORDER BY id")).all()
        assert [tuple(a) for a in agencies] == [
            ("镇海区经信局", "district", True),
            ("蛟川街道办事处", "town", True),
        ]
        names = connection.execute(
            text("SELECT agency_id, name, valid_from FROM agency_name ORDER BY agency_id")
        )
        assert [tuple(n) for n in names] == [(district, "镇海区经信局", None), (town, "蛟川街道办事处", None)]
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
        for kind, action in (("agency", "rename"), ("session", "open")):
            insert(
                connection, "admin_change", at=JAN_1, actor="x", kind=kind, object_id=district, action=action
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
    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        user = insert(
            connection,
            "user_account",
            username="li",
            password_hash="x",
            role="staff",
            active=True,
            created_at=JAN_1,
        )
        logged = insert(
            connection,
            "admin_change",
            at=datetime(2026, 1, 2),
            actor="seed",
            kind="session",
            object_id=1,
            action="create",
        )
    migrate.upgrade(fresh_app, "head")
    with get_engine(fresh_app).begin() as connection:
        assert connection.execute(text("SELECT locked_until FROM user_account")).all() == [(None,)]
        assert connection.execute(text("SELECT count(*) FROM login_failure")).scalar() == 0
        at = datetime(2026, 1, 3)
        insert(connection, "admin_change", at=at, actor="admin", kind="user", object_id=user, action="unlock")
        insert(connection, "login_failure", user_id=user, at=at, address="10.0.0.1")
    migrate.downgrade(fresh_app, "0007")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT id, kind FROM admin_change")).all() == [(logged, "session")]
        assert connection.execute(text("SELECT username FROM user_account")).all() == [("li",)]


def test_0011_upgrades_a_seeded_database_of_the_previous_release(fresh_app: Flask) -> None:
    """A database at 0007 with the seeded model case, assigned and published: after 0011 it keeps
    every row and its publication, has no extension request, and takes one (one pending at a time)."""
    migrate.upgrade(fresh_app, "0007")
    with get_engine(fresh_app).begin() as connection:
        agency_id = insert(connection, "agency", name="镇海区经信局")
        meeting_id = insert(connection, "meeting", name="十届三次", body="政协", year=2025)
        proposal_id = insert(
            connection,
            "proposal",
            meeting_id=meeting_id,
            number=2,
            title="关于加强小型微型企业分级服务与管理的建议",
            background="",
            closing="",
            original_text="x",
            status="assigned",
            created_at=JAN_1,
            published_at=datetime(2026, 1, 2),
        )
        assignment_id = insert(
            connection,
            "assignment",
            proposal_id=proposal_id,
            agency_id=agency_id,
            role="lead",
            deadline=date(2026, 4, 1),
            assigned_at=JAN_1,
        )
    migrate.upgrade(fresh_app, "0011")
    from tracker.models import Assignment, ExtensionRequest, Proposal

    with Session(get_engine(fresh_app)) as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.published_at is not None
        assert session.get(Assignment, assignment_id).deadline == date(2026, 4, 1)
        assert session.exec(text("SELECT count(*) FROM extension_request")).scalar() == 0

        def ask() -> ExtensionRequest:
            return ExtensionRequest(
                proposal_id=proposal_id,
                assignment_id=assignment_id,
                agency_id=agency_id,
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
    migrate.upgrade(fresh_app, "0011")
    with get_engine(fresh_app).begin() as connection:
        proposal_id = insert(
            connection,
            "proposal",
            title="关于加强小型微型企业分级服务与管理的建议",
            background="",
            closing="",
            original_text="x",
            status="submitted",
            created_at=JAN_1,
        )
    migrate.upgrade(fresh_app, "0012")
    record = text(
        "INSERT INTO imported_file (source_name, content_hash, byte_size, file_format, kind, state, "
        "reasons, confidence, found, text, proposal_id, imported_at) VALUES ('a.docx', :h, 1, 'docx', "
        "'proposal', 'review', '[]', 0.5, '{}', 'x', :p, '2026-12-02')"
    )
    with get_engine(fresh_app).begin() as connection:
        assert connection.execute(text("SELECT title FROM proposal")).scalar_one().startswith("关于")
        connection.execute(record, {"h": "a" * 64, "p": proposal_id})
    with pytest.raises(IntegrityError), get_engine(fresh_app).begin() as connection:
        connection.execute(record, {"h": "a" * 64, "p": proposal_id})


def test_0013_starts_the_archive_generation_at_zero(fresh_app: Flask) -> None:
    migrate.upgrade(fresh_app, "0013")
    with get_engine(fresh_app).connect() as connection:
        assert connection.execute(text("SELECT id, value FROM archive_generation")).all() == [(1, 0)]
        assert connection.execute(text("SELECT count(*) FROM login_attempt")).scalar() == 0
