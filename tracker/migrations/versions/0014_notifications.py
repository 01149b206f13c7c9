"""Notifications, the mail outbox, deadline reminders and 催办 (issue 15)

notification holds what each account is told (read or not, and how it is mailed);
notification_preference each account's choice per kind (in the app, e-mail at once, daily digest);
mail_outbox the e-mails written with them and sent after commit, retried while the mail server is
down; reminder_sent the deadline reminder points reached per assignment (unique, so a reminder goes
once however often `tracker remind` runs). user_account gains an e-mail address, and the timeline a
new step, "urge" (催办), recorded without moving the proposal: the CHECK on transition.action is
re-created with it.


Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:01:49.738596

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Autogenerate does not compare CHECK constraints: the one that changes is spelt out here.
OLD_ACTIONS = "action IN ('create', 'submit', 'withdraw', 'accept', 'not_accept', 'merge', 'assign', 'return', 'reply', 'send_back', 'reopen', 'close', 'reclassify', 'publish', 'withhold')"
NEW_ACTIONS = "action IN ('create', 'submit', 'withdraw', 'accept', 'not_accept', 'merge', 'assign', 'return', 'reply', 'send_back', 'reopen', 'close', 'reclassify', 'publish', 'withhold', 'urge')"


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("notification_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_mail_outbox_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mail_outbox_sent_at_next_attempt_at", ["sent_at", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mail_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("channel IN ('app', 'email', 'digest')", name=op.f("ck_notification_channel")),
        sa.CheckConstraint(
            "kind IN ('cosign_invited', 'cosign_answered', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'reassigned', 'returned', 'co_opinion', 'reply_issued', 'sent_back', 'reopened', 'rated', 'published', 'withheld', 'extension_asked', 'extension_granted', 'extension_refused', 'urged', 'deadline')",
            name=op.f("ck_notification_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_notification_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposal.id"],
            name=op.f("fk_notification_proposal_id_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_channel_mailed_at", ["channel", "mailed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index("ix_notification_user_id_read_at", ["user_id", "read_at"], unique=False)

    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('app', 'email', 'digest')", name=op.f("ck_notification_preference_channel")
        ),
        sa.CheckConstraint(
            "kind IN ('cosign_invited', 'cosign_answered', 'submitted', 'accepted', 'not_accepted', 'merged', 'assigned', 'reassigned', 'returned', 'co_opinion', 'reply_issued', 'sent_back', 'reopened', 'rated', 'published', 'withheld', 'extension_asked', 'extension_granted', 'extension_refused', 'urged', 'deadline')",
            name=op.f("ck_notification_preference_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("point", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_reminder_sent_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("assignment_id", "point", name=op.f("uq_reminder_sent_assignment_id_point")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=120), nullable=True))
    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transition_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transition_action"), NEW_ACTIONS)


def downgrade() -> None:
    # The older schema knows no 催办: those steps are dropped with the tables that told of them.
    op.execute("DELETE FROM transition WHERE action = 'urge'")
    with op.batch_alter_table("transition", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transition_action"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transition_action"), OLD_ACTIONS)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("email")

    op.drop_table("reminder_sent")
    op.drop_table("notification_preference")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_user_id_read_at")
        batch_op.drop_index(batch_op.f("ix_notification_proposal_id"))
        batch_op.drop_index("ix_notification_channel_mailed_at")

    op.drop_table("notification")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_user_id"))
        batch_op.drop_index("ix_mail_outbox_sent_at_next_attempt_at")

    op.drop_table("mail_outbox")
