"""Commitments tracked (issue 16)

commitment holds the promises of reply points (承诺事项) with their due days, state (open, done,
dropped; late is computed) and who confirmed them; commitment_report every progress report with its
day and author; commitment_reminder the reminder points reached (unique, so `tracker remind` tells
of a due or late commitment once per point). Notifications gain the kind "commitment": the CHECKs
on notification.kind and notification_preference.kind are re-created.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-02 12:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelt out, not read from the code's enum (a migration must mean the same whatever the code says
# later): 0016's list with "commitment" added.
OLD_KINDS = "kind IN ('cosign_invited', 'cosign_answered', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'reassigned', 'returned', 'co_opinion', 'reply_issued', 'sent_back', 'reopened', 'rated', 'published', 'withheld', 'extension_asked', 'extension_granted', 'extension_refused', 'urged', 'deadline', 'followed')"
NEW_KINDS = OLD_KINDS[:-1] + ", 'commitment')"


def _kinds(check: str) -> None:
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), check)


def upgrade() -> None:
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("when_text", sa.String(length=60), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("sureness", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'done', 'dropped')", name=op.f("ck_commitment_state")),
        sa.CheckConstraint("sureness IN ('high', 'medium', 'low')", name=op.f("ck_commitment_sureness")),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_commitment_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["reply_point.id"],
            name=op.f("fk_commitment_point_id_reply_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_commitment_reply_id_reply"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment")),
    )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_commitment_point_id"), ["point_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index("ix_commitment_state_due_on", ["state", "due_on"], unique=False)

    op.create_table(
        "commitment_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.CheckConstraint("kind IN ('progress', 'done', 'dropped')", name=op.f("ck_commitment_report_kind")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_commitment_report_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_report_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_report")),
    )
    with op.batch_alter_table("commitment_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commitment_report_commitment_id"), ["commitment_id"], unique=False
        )

    op.create_table(
        "commitment_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("point", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment.id"],
            name=op.f("fk_commitment_reminder_commitment_id_commitment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_reminder")),
        sa.UniqueConstraint(
            "commitment_id", "point", name=op.f("uq_commitment_reminder_commitment_id_point")
        ),
    )
    _kinds(NEW_KINDS)


def downgrade() -> None:
    # The older schema knows no commitment notifications: they go with the tables they told of.
    op.execute("DELETE FROM notification WHERE kind = 'commitment'")
    op.execute("DELETE FROM notification_preference WHERE kind = 'commitment'")
    _kinds(OLD_KINDS)
    op.drop_table("commitment_reminder")
    with op.batch_alter_table("commitment_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_report_commitment_id"))
    op.drop_table("commitment_report")
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_index("ix_commitment_state_due_on")
        batch_op.drop_index(batch_op.f("ix_commitment_reply_id"))
        batch_op.drop_index(batch_op.f("ix_commitment_point_id"))
    op.drop_table("commitment")
