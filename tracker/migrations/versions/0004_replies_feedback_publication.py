"""Reply drafts, co-handling opinions, ratings, exemptions, point classes, publication withheld

reply_draft is the lead agency's working copy of a reply (the letter is stored as a reply when
submitted); co_opinion the co-handling agencies' opinions (会办意见); reply_rating the members'
ratings; reply_exemption the suggestions a reply answers with no point of its own. A reply may now
be returned (sent back by staff) or superseded (after re-handling), reply points carry a class, and
the timeline records sending back, reopening, reclassifying, publishing and withholding.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:15:36.165832

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate does not compare CHECK constraints: the ones that change are spelt out here.
OLD_ACTIONS = "action IN ('create', 'submit', 'withdraw', 'accept', 'not_accept', 'merge', 'assign', 'return', 'reply', 'close')"
NEW_ACTIONS = "action IN ('create', 'submit', 'withdraw', 'accept', 'not_accept', 'merge', 'assign', 'return', 'reply', 'send_back', 'reopen', 'close', 'reclassify', 'publish', 'withhold')"
OLD_REPLY_STATUS = "status IN ('draft', 'issued')"
NEW_REPLY_STATUS = "status IN ('draft', 'issued', 'returned', 'superseded')"


def upgrade() -> None:
    op.create_table(
        "co_opinion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_co_opinion_status")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_co_opinion_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_co_opinion_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_co_opinion_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_opinion")),
        sa.UniqueConstraint("proposal_id", "agency_id", name=op.f("uq_co_opinion_proposal_id_agency_id")),
    )
    with op.batch_alter_table("co_opinion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_co_opinion_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_co_opinion_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "reply_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("doc_number", sa.String(), nullable=False),
        sa.Column("salutation", sa.String(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("closing", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("date_text", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("pasted_text", sa.Text(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("point_outcomes", sa.JSON(), nullable=False),
        sa.Column("exemptions", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("mode IN ('sections', 'pasted')", name=op.f("ck_reply_draft_mode")),
        sa.CheckConstraint("outcome IN ('A', 'B', 'C')", name=op.f("ck_reply_draft_outcome")),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f("ck_reply_draft_status")),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_reply_draft_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_reply_draft_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_reply_draft_reply_id_reply"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["user_account.id"],
            name=op.f("fk_reply_draft_updated_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_draft")),
        sa.UniqueConstraint("proposal_id", "agency_id", name=op.f("uq_reply_draft_proposal_id_agency_id")),
    )
    with op.batch_alter_table("reply_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_draft_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_draft_proposal_id"), ["proposal_id"], unique=False)

    op.create_table(
        "reply_exemption",
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("with_suggestion_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('together', 'not_answerable')", name=op.f("ck_reply_exemption_kind")),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_reply_exemption_reply_id_reply"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_reply_exemption_suggestion_id_suggestion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["with_suggestion_id"],
            ["suggestion.id"],
            name=op.f("fk_reply_exemption_with_suggestion_id_suggestion"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("reply_id", "suggestion_id", name=op.f("pk_reply_exemption")),
    )
    with op.batch_alter_table("reply_exemption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_exemption_suggestion_id"), ["suggestion_id"], unique=False)

    op.create_table(
        "reply_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')",
            name=op.f("ck_reply_rating_rating"),
        ),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_reply_rating_member_id_member")),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply.id"], name=op.f("fk_reply_rating_reply_id_reply"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_rating")),
        sa.UniqueConstraint("reply_id", "member_id", name=op.f("uq_reply_rating_reply_id_member_id")),
    )
    with op.batch_alter_table("reply_rating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_rating_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reply_rating_reply_id"), ["reply_id"], unique=False)

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withheld_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withheld_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_reply_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reply_status"), NEW_REPLY_STATUS)

    with op.batch_alter_table("reply_point", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_reply_point_outcome"), "outcome IN ('A', 'B', 'C')")

    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transition_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transition_action"), NEW_ACTIONS)


def downgrade() -> None:
    # The older schema knows none of the new steps and reply states: the steps are dropped, and
    # replies no longer in force become drafts (the one state it had for a letter not in force).
    actions = ", ".join(f"'{a}'" for a in ("send_back", "reopen", "reclassify", "publish", "withhold"))
    op.execute(f"DELETE FROM transition WHERE action IN ({actions})")
    op.execute("UPDATE reply SET status = 'draft' WHERE status IN ('returned', 'superseded')")
    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transition_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transition_action"), OLD_ACTIONS)

    with op.batch_alter_table("reply_point", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reply_point_outcome"), type_="check")
        batch_op.drop_column("outcome")

    with op.batch_alter_table("reply", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reply_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_reply_status"), OLD_REPLY_STATUS)
        batch_op.drop_column("issued_at")

    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("withheld_at")
        batch_op.drop_column("withheld_reason")

    with op.batch_alter_table("reply_rating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_rating_reply_id"))
        batch_op.drop_index(batch_op.f("ix_reply_rating_member_id"))

    op.drop_table("reply_rating")
    with op.batch_alter_table("reply_exemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_exemption_suggestion_id"))

    op.drop_table("reply_exemption")
    with op.batch_alter_table("reply_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_draft_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_reply_draft_agency_id"))

    op.drop_table("reply_draft")
    with op.batch_alter_table("co_opinion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_co_opinion_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_co_opinion_agency_id"))

    op.drop_table("co_opinion")
