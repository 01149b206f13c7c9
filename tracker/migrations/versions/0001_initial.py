"""Initial schema: proposals and suggestions, replies and their points, links, the reference library.

Indexes go with their tables, so the downgrade drops tables only, children first.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 11:14:36.768266

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("name", name=op.f("uq_agency_name")),
    )
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('member', 'deputy', 'organisation')", name=op.f("ck_member_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
    )
    op.create_index(op.f("ix_member_name"), "member", ["name"])

    op.create_table(
        "reference_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("issuer", sa.String(), nullable=True),
        sa.Column("doc_number", sa.String(), nullable=True),
        sa.Column("date_text", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=True),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_document")),
        sa.UniqueConstraint("slug", name=op.f("uq_reference_document_slug")),
    )
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("background", sa.Text(), nullable=False),
        sa.Column("leadin", sa.String(), nullable=True),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'replied', 'closed')",
            name=op.f("ck_proposal_status"),
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_proposal_meeting_id_meeting")),
        sa.ForeignKeyConstraint(["proposer_id"], ["member.id"], name=op.f("fk_proposal_proposer_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_proposal_meeting_id_number")),
    )
    op.create_index(op.f("ix_proposal_meeting_id"), "proposal", ["meeting_id"])
    op.create_index(op.f("ix_proposal_proposer_id"), "proposal", ["proposer_id"])
    op.create_index(op.f("ix_proposal_status"), "proposal", ["status"])

    op.create_table(
        "reference_clause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["reference_document.id"],
            name=op.f("fk_reference_clause_document_id_reference_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_clause")),
        sa.UniqueConstraint("document_id", "position", name=op.f("uq_reference_clause_document_id_position")),
    )
    op.create_index(op.f("ix_reference_clause_document_id"), "reference_clause", ["document_id"])

    op.create_table(
        "proposal_signer",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.CheckConstraint("role IN ('proposer', 'cosigner')", name=op.f("ck_proposal_signer_role")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_proposal_signer_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_proposal_signer_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "member_id", name=op.f("pk_proposal_signer")),
    )
    op.create_index(op.f("ix_proposal_signer_member_id"), "proposal_signer", ["member_id"])

    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("doc_number", sa.String(), nullable=True),
        sa.Column("salutation", sa.String(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("date_text", sa.String(), nullable=True),
        sa.Column("date_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("header_fields", sa.JSON(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('A', 'B', 'C')", name=op.f("ck_reply_outcome")),
        sa.CheckConstraint("role IN ('lead', 'co')", name=op.f("ck_reply_role")),
        sa.CheckConstraint("status IN ('draft', 'issued')", name=op.f("ck_reply_status")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_reply_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_reply_proposal_id_proposal"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply")),
    )
    op.create_index(op.f("ix_reply_agency_id"), "reply", ["agency_id"])
    op.create_index(op.f("ix_reply_proposal_id"), "reply", ["proposal_id"])
    op.create_index(op.f("ix_reply_status"), "reply", ["status"])

    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("marker", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("numbered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["suggestion.id"],
            name=op.f("fk_suggestion_parent_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_suggestion_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("proposal_id", "position", name=op.f("uq_suggestion_proposal_id_position")),
    )
    op.create_index(op.f("ix_suggestion_parent_id"), "suggestion", ["parent_id"])
    op.create_index(op.f("ix_suggestion_proposal_id"), "suggestion", ["proposal_id"])

    op.create_table(
        "reply_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("marker", sa.String(), nullable=True),
        sa.Column("heading", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["reply_point.id"],
            name=op.f("fk_reply_point_parent_id_reply_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_reply_point_reply_id_reply"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_point")),
        sa.UniqueConstraint("reply_id", "position", name=op.f("uq_reply_point_reply_id_position")),
    )
    op.create_index(op.f("ix_reply_point_parent_id"), "reply_point", ["parent_id"])
    op.create_index(op.f("ix_reply_point_reply_id"), "reply_point", ["reply_id"])

    op.create_table(
        "point_link",
        sa.Column("reply_point_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "method IN ('title', 'similarity', 'number', 'manual')", name=op.f("ck_point_link_method")
        ),
        sa.ForeignKeyConstraint(
            ["reply_point_id"],
            ["reply_point.id"],
            name=op.f("fk_point_link_reply_point_id_reply_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_point_link_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reply_point_id", "suggestion_id", name=op.f("pk_point_link")),
    )
    op.create_index(op.f("ix_point_link_suggestion_id"), "point_link", ["suggestion_id"])


def downgrade() -> None:
    op.drop_table("point_link")
    op.drop_table("reply_point")
    op.drop_table("suggestion")
    op.drop_table("reply")
    op.drop_table("proposal_signer")
    op.drop_table("reference_clause")
    op.drop_table("proposal")
    op.drop_table("reference_document")
    op.drop_table("member")
    op.drop_table("meeting")
    op.drop_table("agency")
