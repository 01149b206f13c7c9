"""Holding answers (阶段性答复) and corrections (更正) of issued letters

A reply may now be a holding answer sent before the final one, or a version corrected since: the
corrected letter is a new reply row that names the version it corrects (corrects_id), its number
(version), the reason and who corrected it; the earlier version stays whole with status corrected.
Two notification kinds tell the members of either.

Revision ID: 0020
Revises: 0015
Create Date: 2026-12-02 12:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate does not compare CHECK constraints: the ones that change are spelt out here.
OLD_REPLY_STATUS = "status IN ('draft', 'issued', 'returned', 'superseded')"
NEW_REPLY_STATUS = "status IN ('draft', 'issued', 'returned', 'superseded', 'holding', 'corrected')"
_OLD_KINDS = (
    "'cosign_invited', 'cosign_answered', 'submitted', 'accepted', 'not_accepted', 'merged', "
    "'assigned', 'reassigned', 'returned', 'co_opinion', 'reply_issued', 'sent_back', 'reopened', "
    "'rated', 'published', 'withheld', 'extension_asked', 'extension_granted', 'extension_refused', "
    "'urged', 'deadline', 'followed', 'commitment'"
)
OLD_KINDS = f"kind IN ({_OLD_KINDS})"
NEW_KINDS = f"kind IN ({_OLD_KINDS}, 'holding_answer', 'reply_corrected')"


def upgrade() -> None:
    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("correction_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("corrected_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_reply_corrects_id"), ["corrects_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_reply_corrects_id_reply"), "reply", ["corrects_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_reply_corrected_by_user_account"),
            "user_account",
            ["corrected_by"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(op.f("ck_reply_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reply_status"), NEW_REPLY_STATUS)
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), NEW_KINDS)


def downgrade() -> None:
    # the new kinds and states have no place in the older schema: those rows go, the versions a
    # correction replaced come back as the letters in force they were
    op.execute("DELETE FROM notification WHERE kind IN ('holding_answer', 'reply_corrected')")
    op.execute("DELETE FROM notification_preference WHERE kind IN ('holding_answer', 'reply_corrected')")
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_kind"), OLD_KINDS)
    op.execute("UPDATE reply SET status = 'superseded' WHERE status IN ('holding', 'corrected')")
    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reply_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reply_status"), OLD_REPLY_STATUS)
        batch_op.drop_constraint(batch_op.f("fk_reply_corrected_by_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_reply_corrects_id_reply"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_reply_corrects_id"))
        batch_op.drop_column("corrected_by")
        batch_op.drop_column("correction_reason")
        batch_op.drop_column("version")
        batch_op.drop_column("corrects_id")
