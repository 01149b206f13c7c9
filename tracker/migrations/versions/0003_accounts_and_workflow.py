"""Accounts, workflow transitions, assignments, co-signer answers, form tokens and merging

user_account holds the logins; transition records every step of a proposal's life; assignment the
agencies handling it. Co-signers named in imported documents count as confirmed (server default);
those invited from the form answer later.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:32:54.625380

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('member', 'agency', 'staff', 'admin')", name=op.f("ck_user_account_role")
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_user_account_agency_id_agency")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_user_account_member_id_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_account_member_id"), ["member_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('lead', 'co')", name=op.f("ck_assignment_role")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_assignment_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_assignment_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_ended_at"), ["ended_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignment_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("from_status", sa.String(), nullable=True),
        sa.Column("to_status", sa.String(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'submit', 'withdraw', 'accept', 'not_accept', 'merge', 'assign', 'return', 'reply', 'close')",
            name=op.f("ck_transition_action"),
        ),
        sa.CheckConstraint(
            "from_status IN ('draft', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'replied', 'closed')",
            name=op.f("ck_transition_from_status"),
        ),
        sa.CheckConstraint(
            "to_status IN ('draft', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'replied', 'closed')",
            name=op.f("ck_transition_to_status"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_transition_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_transition_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition")),
    )
    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transition_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transition_proposal_id"), ["proposal_id"], unique=False)

    # SQLite copies the table to add the foreign key; tracker.migrate turns foreign keys off while
    # migrating, so dropping the old copy cascades to nothing.
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_proposal_form_token"), ["form_token"], unique=True)
        batch_op.create_index(batch_op.f("ix_proposal_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_proposal_merged_into_id_proposal"), "proposal", ["merged_into_id"], ["id"]
        )

    with op.batch_alter_table("proposal_signer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(), server_default="confirmed", nullable=False))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_proposal_signer_status"), "status IN ('pending', 'confirmed', 'declined')"
        )


def downgrade() -> None:
    with op.batch_alter_table("proposal_signer", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_proposal_signer_status"), type_="check")
        batch_op.drop_column("responded_at")
        batch_op.drop_column("status")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_proposal_merged_into_id_proposal"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_proposal_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_proposal_form_token"))
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("form_token")

    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transition_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_transition_actor_id"))

    op.drop_table("transition")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_ended_at"))
        batch_op.drop_index(batch_op.f("ix_assignment_agency_id"))

    op.drop_table("assignment")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_member_id"))
        batch_op.drop_index(batch_op.f("ix_user_account_agency_id"))

    op.drop_table("user_account")
