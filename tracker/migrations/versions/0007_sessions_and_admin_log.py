"""Sessions (届次/会议) managed by the admin, and the admin log

meeting becomes a real session: short name, organisation, term (届次) and sitting (次会议), dates,
whether it takes proposals now and which kind (大会提案 / 平时提案), whether it is the current one (at
most one: a partial unique index) and the prefix of its 案号. Existing meetings keep their names
(``name`` is the full name) and years; they stay open, so nothing that could be accepted before is
refused after the upgrade, and the latest of them (the order of the session lists: year, then id)
becomes the current one. admin_change records every change made in the administration.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("organisation", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("term", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("sitting", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("is_open", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("intake", sa.String(), server_default="meeting", nullable=False))
        batch_op.add_column(sa.Column("is_current", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("number_prefix", sa.String(), nullable=True))
        batch_op.create_check_constraint("intake", "intake IN ('meeting', 'interim')")

    # The latest session, as every session list orders them, is the one the office works in now.
    meeting = sa.table("meeting", sa.column("id", sa.Integer), sa.column("year", sa.Integer))
    latest = (
        sa.select(meeting.c.id)
        .order_by(meeting.c.year.is_(None), meeting.c.year.desc(), meeting.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        sa.table("meeting", sa.column("id", sa.Integer), sa.column("is_current", sa.Boolean))
        .update()
        .where(sa.column("id") == latest)
        .values(is_current=True)
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            "uq_meeting_current",
            ["is_current"],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "admin_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'open', 'close', 'make_current')",
            name=op.f("ck_admin_change_action"),
        ),
        sa.CheckConstraint("kind IN ('session')", name=op.f("ck_admin_change_kind")),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_admin_change_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_change")),
    )
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_change_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_change_at"), ["at"], unique=False)
        batch_op.create_index("ix_admin_change_kind_at", ["kind", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_change_kind_at")
        batch_op.drop_index(batch_op.f("ix_admin_change_at"))
        batch_op.drop_index(batch_op.f("ix_admin_change_actor_id"))
    op.drop_table("admin_change")

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("uq_meeting_current")
        batch_op.drop_constraint(op.f("ck_meeting_intake"), type_="check")
        batch_op.drop_column("number_prefix")
        batch_op.drop_column("is_current")
        batch_op.drop_column("intake")
        batch_op.drop_column("is_open")
        batch_op.drop_column("ends_on")
        batch_op.drop_column("starts_on")
        batch_op.drop_column("sitting")
        batch_op.drop_column("term")
        batch_op.drop_column("organisation")
        batch_op.drop_column("short_name")
