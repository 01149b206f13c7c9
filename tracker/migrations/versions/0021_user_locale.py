"""The UI language an account chose (issue 15, "English")

user_account.locale holds the locale code (zh_CN, en) the person picked with the language switch,
so every device they sign in on speaks it; null until they choose (the browser's cookie or
Accept-Language decides then).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 12:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("locale")
