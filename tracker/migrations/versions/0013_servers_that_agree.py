"""Servers that agree: the archive's generation and failed logins per address, in the database

archive_generation holds one row, bumped in every transaction that changes what the public sees,
so each app server's page cache can tell its pages are out of date; login_attempt counts failed
logins per client address where every server and worker counts them (it replaces per-process
Flask-Limiter counting). Nothing existing changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:39:44.164866

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_generation")),
    )
    op.bulk_insert(
        sa.table("archive_generation", sa.column("id"), sa.column("value")), [{"id": 1, "value": 0}]
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempt_address_at", ["address", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))
        batch_op.drop_index("ix_login_attempt_address_at")

    op.drop_table("login_attempt")
    op.drop_table("archive_generation")
