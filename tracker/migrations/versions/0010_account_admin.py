"""Accounts administered on the web: per-account lock-out, and account changes in the admin log

login_failure keeps one row per failed login of an existing account (counted in the database, so a
lock holds across app servers); user_account.locked_until is set when too many failed within the
window. admin_change may now record changes to accounts (kind "user") and their actions. Existing
accounts start unlocked with no failures.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 08:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# what 0009 (members, agencies, categories) allows
OLD_KINDS = ("session", "member", "agency", "category")
NEW_KINDS = (*OLD_KINDS, "user")
OLD_ACTIONS = ("create", "update", "open", "close", "make_current", "rename", "deactivate", "activate")
NEW_ACTIONS = (
    *OLD_ACTIONS,
    "reactivate",
    "unlock",
    "reset_password",
    "change_role",
    "end_login",
)


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _admin_change_checks(kinds: Sequence[str], actions: Sequence[str]) -> None:
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_admin_change_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_admin_change_action"), type_="check")
        batch_op.create_check_constraint("kind", _in("kind", kinds))
        batch_op.create_check_constraint("action", _in("action", actions))


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_login_failure_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_user_id_at", ["user_id", "at"], unique=False)
    _admin_change_checks(NEW_KINDS, NEW_ACTIONS)


def downgrade() -> None:
    # The log's rows about accounts cannot be kept under the older constraints.
    admin_change = sa.table("admin_change", sa.column("kind", sa.String), sa.column("action", sa.String))
    op.execute(
        admin_change.delete().where(
            admin_change.c.kind.not_in(OLD_KINDS) | admin_change.c.action.not_in(OLD_ACTIONS)
        )
    )
    _admin_change_checks(OLD_KINDS, OLD_ACTIONS)
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_user_id_at")
    op.drop_table("login_failure")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
