"""The name an account shows (display_name)

Staff and admin accounts are bound to no member or agency, so the header showed their login name;
they now carry the person's name (王芳), shown in the header and the timeline. Null for existing
accounts, which keep showing their member's or agency's name, or else the login name.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("display_name")
