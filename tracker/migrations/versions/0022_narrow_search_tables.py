"""What a PostgreSQL search reads, narrow: search_hit (one row per unit) and search_group (one per group)

A search matched its units in search_unit, whose rows carry their text: a common word (服务 is in
three units of four) made it visit most of the table's pages to read each matching unit's group
and facts. search_hit keeps what matching needs per unit (its key, group, type, whether it is an
earlier letter, its title lower-cased for the ranking's candidates, and its tsvector, stored out of line by a
low toast_tuple_target so the row stays a hundred-odd bytes); search_group keeps the facts
visibility and the facets read, once per proposal or document. Both are written from search_unit's
rows in the same transaction (tracker/search/postgres), so they commit with the data. Only on
PostgreSQL, like search_unit (migration 0015); filled here from search_unit as it stands.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 16:30:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE TABLE search_hit (
            key text PRIMARY KEY,
            grp text NOT NULL,
            type text NOT NULL,
            history boolean NOT NULL,
            title text NOT NULL,
            tsv tsvector NOT NULL
        ) WITH (toast_tuple_target = 128)
        """
    )
    op.execute(
        """
        CREATE TABLE search_group (
            grp text PRIMARY KEY,
            published boolean NOT NULL,
            publish_at timestamptz,
            number integer,
            meeting_id integer,
            year integer,
            category text,
            status text,
            agencies text[] NOT NULL,
            outcomes text[] NOT NULL,
            member_ids integer[] NOT NULL,
            agency_ids integer[] NOT NULL,
            date date
        )
        """
    )
    op.execute(
        "INSERT INTO search_hit (key, grp, type, history, title, tsv) "
        "SELECT key, grp, type, history, lower(title), tsv FROM search_unit"
    )
    op.execute(
        "INSERT INTO search_group SELECT DISTINCT ON (grp) grp, published, publish_at, number, meeting_id, "
        "year, category, status, agencies, outcomes, member_ids, agency_ids, date FROM search_unit ORDER BY grp"
    )
    op.execute("CREATE INDEX ix_search_hit_grp ON search_hit (grp)")
    op.execute("CREATE INDEX ix_search_hit_tsv ON search_hit USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_group_number ON search_group (number) WHERE number IS NOT NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_group")
    op.execute("DROP TABLE search_hit")
