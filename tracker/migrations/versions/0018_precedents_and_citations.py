"""Precedents while drafting and clause citations (issue 16)

draft_precedent records which past reply point a drafter copied into the answer to a suggestion
(the draft keeps where its starting text came from); draft_citation the policy clauses a drafter
cites under an answer while drafting; point_citation the clauses an issued reply point cites,
copied from the draft when the reply is issued and shown under that answer on the public pages.
Nothing existing changes.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-02 12:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_precedent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("reply_point_id", sa.Integer(), nullable=True),
        sa.Column("copied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("copied_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["copied_by"],
            ["user_account.id"],
            name=op.f("fk_draft_precedent_copied_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["reply_draft.id"],
            name=op.f("fk_draft_precedent_draft_id_reply_draft"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_point_id"],
            ["reply_point.id"],
            name=op.f("fk_draft_precedent_reply_point_id_reply_point"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_draft_precedent_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_precedent")),
        sa.UniqueConstraint(
            "draft_id",
            "suggestion_id",
            "reply_point_id",
            name=op.f("uq_draft_precedent_draft_id_suggestion_id_reply_point_id"),
        ),
    )
    with op.batch_alter_table("draft_precedent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_precedent_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_draft_precedent_reply_point_id"), ["reply_point_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_draft_precedent_suggestion_id"), ["suggestion_id"], unique=False)

    op.create_table(
        "draft_citation",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["reference_clause.id"],
            name=op.f("fk_draft_citation_clause_id_reference_clause"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["reply_draft.id"],
            name=op.f("fk_draft_citation_draft_id_reply_draft"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_draft_citation_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("draft_id", "suggestion_id", "clause_id", name=op.f("pk_draft_citation")),
    )
    with op.batch_alter_table("draft_citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_citation_clause_id"), ["clause_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_citation_suggestion_id"), ["suggestion_id"], unique=False)

    op.create_table(
        "point_citation",
        sa.Column("reply_point_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["reference_clause.id"],
            name=op.f("fk_point_citation_clause_id_reference_clause"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_point_id"],
            ["reply_point.id"],
            name=op.f("fk_point_citation_reply_point_id_reply_point"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reply_point_id", "clause_id", name=op.f("pk_point_citation")),
    )
    with op.batch_alter_table("point_citation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_point_citation_clause_id"), ["clause_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("point_citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_point_citation_clause_id"))
    op.drop_table("point_citation")
    with op.batch_alter_table("draft_citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_citation_suggestion_id"))
        batch_op.drop_index(batch_op.f("ix_draft_citation_clause_id"))
    op.drop_table("draft_citation")
    with op.batch_alter_table("draft_precedent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_precedent_suggestion_id"))
        batch_op.drop_index(batch_op.f("ix_draft_precedent_reply_point_id"))
        batch_op.drop_index(batch_op.f("ix_draft_precedent_draft_id"))
    op.drop_table("draft_precedent")
