"""Indexes for the home page and the public lists

The newest proposals (created_at), the count of top-level suggestions of visible proposals
(suggestion: proposal_id, parent_id) and the proposals per session the public may see
(proposal: meeting_id, published_at) are read from an index instead of from every row: at 10,000
proposals this took the home page from about 100 ms to about 20 ms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:19:26.123062

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_proposal_meeting_id_published_at", ["meeting_id", "published_at"], unique=False
        )

    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.create_index(
            "ix_suggestion_proposal_id_parent_id", ["proposal_id", "parent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_proposal_id_parent_id")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index("ix_proposal_meeting_id_published_at")
        batch_op.drop_index(batch_op.f("ix_proposal_created_at"))
