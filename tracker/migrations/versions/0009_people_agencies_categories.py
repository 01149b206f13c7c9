"""People, agencies and categories managed by the admin

member gains 界别, party, contact details and an active flag; agency gains a short name, a kind
(区级部门 / 镇街 / 其他), a parent and an active flag, and agency_name keeps every name an agency has
had (each existing agency starts with its present name, in force from the start, so every reply keeps
the name it shows today). category holds the proposal form's list, seeded with the list the
configuration offered, then any other category proposals were already filed under (inactive: kept for
the record, no longer offered). people_import keeps an uploaded file between preview and confirmation.
The admin log learns the new kinds and actions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default of PROPOSAL_CATEGORIES in the release before this one (tracker/config.py).
CATEGORIES = ("经济发展", "城乡建设", "社会民生", "科教文卫", "生态环境", "政治法律", "其他")
KINDS_BEFORE = "kind IN ('session')"
ACTIONS_BEFORE = "action IN ('create', 'update', 'open', 'close', 'make_current')"
KINDS_AFTER = "kind IN ('session', 'member', 'agency', 'category')"
ACTIONS_AFTER = (
    "action IN ('create', 'update', 'open', 'close', 'make_current', 'rename', 'deactivate', 'activate')"
)


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sector", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("party", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(), server_default="district", nullable=False))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_check_constraint("kind", "kind IN ('district', 'town', 'other')")
        batch_op.create_foreign_key(batch_op.f("fk_agency_parent_id_agency"), "agency", ["parent_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_agency_parent_id"), ["parent_id"], unique=False)

    agency = sa.table(
        "agency", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("kind", sa.String)
    )
    # Towns and sub-districts by their names (镇海区… is a district bureau: the 镇 must end the place name).
    op.execute(
        agency.update()
        .where(
            sa.or_(
                agency.c.name.like("%镇人民政府"),
                agency.c.name.like("%街道办事处"),
                agency.c.name.like("%街道"),
            )
        )
        .values(kind="town")
    )

    op.create_table(
        "agency_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_name_agency_id_agency"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_name")),
        sa.UniqueConstraint("agency_id", "valid_from", name=op.f("uq_agency_name_agency_id_valid_from")),
    )
    with op.batch_alter_table("agency_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_name_agency_id"), ["agency_id"], unique=False)
    names = sa.table(
        "agency_name",
        sa.column("agency_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("valid_from", sa.Date),
    )
    op.execute(names.insert().from_select(["agency_id", "name"], sa.select(agency.c.id, agency.c.name)))

    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("name", name=op.f("uq_category_name")),
    )
    category = sa.table(
        "category",
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    rows = [{"name": name, "position": n, "active": True} for n, name in enumerate(CATEGORIES, start=1)]
    proposal = sa.table("proposal", sa.column("category", sa.String))
    used = op.get_bind().execute(
        sa.select(proposal.c.category)
        .where(proposal.c.category.is_not(None))
        .distinct()
        .order_by(proposal.c.category)
    )
    for (name,) in used:
        name = " ".join(name.split())[:40]
        if name and name not in {r["name"] for r in rows}:
            rows.append({"name": name, "position": len(rows) + 1, "active": False})
    op.bulk_insert(category, rows)

    op.create_table(
        "people_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_people_import_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_import")),
        sa.UniqueConstraint("token", name=op.f("uq_people_import_token")),
    )

    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_admin_change_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_admin_change_action"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_AFTER)
        batch_op.create_check_constraint("action", ACTIONS_AFTER)


def downgrade() -> None:
    admin_change = sa.table("admin_change", sa.column("kind", sa.String), sa.column("action", sa.String))
    # The log of people, agencies and categories cannot be kept under the older constraints.
    op.execute(admin_change.delete().where(admin_change.c.kind.in_(("member", "agency", "category"))))
    with op.batch_alter_table("admin_change", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_admin_change_kind"), type_="check")
        batch_op.drop_constraint(op.f("ck_admin_change_action"), type_="check")
        batch_op.create_check_constraint("kind", KINDS_BEFORE)
        batch_op.create_check_constraint("action", ACTIONS_BEFORE)

    op.drop_table("people_import")
    op.drop_table("category")
    with op.batch_alter_table("agency_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_name_agency_id"))
    op.drop_table("agency_name")

    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_parent_id"))
        batch_op.drop_constraint(batch_op.f("fk_agency_parent_id_agency"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_agency_kind"), type_="check")
        batch_op.drop_column("active")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("kind")
        batch_op.drop_column("short_name")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("active")
        batch_op.drop_column("email")
        batch_op.drop_column("address")
        batch_op.drop_column("phone")
        batch_op.drop_column("party")
        batch_op.drop_column("sector")
