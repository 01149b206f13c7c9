"""Imported archive: where imported documents came from

import_run keeps each run of ``tracker import`` or the upload page with its summary; imported_file
keeps one row per file content (its SHA-256, unique, so a second import of the same file creates
nothing) with what it was found to be, how each part was found, its confidence, the text read, the
rows it became, and whether it waits for staff review. Nothing existing changes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:34:53.285559

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_import_run_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "imported_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("found", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('proposal', 'reply', 'both', 'policy')", name=op.f("ck_imported_file_kind")
        ),
        sa.CheckConstraint(
            "state IN ('imported', 'review', 'reviewed')", name=op.f("ck_imported_file_state")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["reference_document.id"],
            name=op.f("fk_imported_file_document_id_reference_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_imported_file_proposal_id_proposal"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_imported_file_reply_id_reply"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["user_account.id"],
            name=op.f("fk_imported_file_reviewed_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["import_run.id"],
            name=op.f("fk_imported_file_run_id_import_run"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_file")),
    )
    with op.batch_alter_table("imported_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_file_content_hash"), ["content_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_imported_file_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_file_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_file_reply_id"), ["reply_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_file_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_file_source_name"), ["source_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_imported_file_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("imported_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_file_state"))
        batch_op.drop_index(batch_op.f("ix_imported_file_source_name"))
        batch_op.drop_index(batch_op.f("ix_imported_file_run_id"))
        batch_op.drop_index(batch_op.f("ix_imported_file_reply_id"))
        batch_op.drop_index(batch_op.f("ix_imported_file_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_imported_file_document_id"))
        batch_op.drop_index(batch_op.f("ix_imported_file_content_hash"))

    op.drop_table("imported_file")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_run_started_at"))

    op.drop_table("import_run")
