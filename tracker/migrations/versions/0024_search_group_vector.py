"""What a one-word (or OR) search counts without visiting each matching unit (issue 14)

Every benchmark word is in most proposals, so counting and faceting over each matching unit grew
with the archive. Now:

- search_group.tsv: the union of the words of a group's in-force units (no positions): a query of
  words joined by OR matches a group exactly when it matches one of those units, so the groups'
  total and facets come from one GIN index over one row per group;
- search_hit.published (the group's flag, copied) and one partial GIN index per unit type over
  published in-force units (and one over published earlier letters): the unit counts are the
  number of entries in an index's bitmap, which PostgreSQL counts without reading the rows of
  all-visible pages;
- search_hit.size (the vector's stored size) with an index over in-force units: the
  units most likely to rank first are read in that order until enough match, not all sorted.

Only on PostgreSQL, like search_unit (0015) and the narrow tables (0022).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 21:50:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTS = ("category", "status", "agencies", "outcomes", "member_ids", "agency_ids")
TYPES = ("proposal", "suggestion", "reply_point", "reply", "document", "clause")  # documents.UnitType


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_hit ADD COLUMN published boolean NOT NULL DEFAULT false")
    op.execute("ALTER TABLE search_hit ADD COLUMN size integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE search_hit ALTER COLUMN published DROP DEFAULT, ALTER COLUMN size DROP DEFAULT")
    op.execute(
        "UPDATE search_hit h SET published = g.published, size = pg_column_size(h.tsv) "
        "FROM search_group g WHERE g.grp = h.grp"
    )
    # the vector is stored out of line, as search_hit's: a row a facet reads stays short; the
    # facts the facets read stay in the row (MAIN), not out of line with it (unnesting an array
    # kept out of line cost more than the whole count)
    op.execute("ALTER TABLE search_group SET (toast_tuple_target = 128)")
    for column in FACTS:
        op.execute(f"ALTER TABLE search_group ALTER COLUMN {column} SET STORAGE MAIN")
    op.execute("ALTER TABLE search_group ADD COLUMN tsv tsvector NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE search_group ALTER COLUMN tsv DROP DEFAULT")
    op.execute(
        "UPDATE search_group g SET tsv = w.tsv FROM (SELECT h.grp, array_to_tsvector(array_agg(DISTINCT u.lexeme)) "
        "AS tsv FROM search_hit h, unnest(h.tsv) u WHERE NOT h.history GROUP BY h.grp) w WHERE w.grp = g.grp"
    )
    op.execute("CREATE INDEX ix_search_group_tsv ON search_group USING gin (tsv)")
    # the unpublished groups a viewer may see (scheduled, a member's own): counted unit by unit
    op.execute("CREATE INDEX ix_search_group_unpublished ON search_group (publish_at) WHERE NOT published")
    for name in TYPES:
        op.execute(
            f"CREATE INDEX ix_search_hit_tsv_{name} ON search_hit USING gin (tsv) "
            f"WHERE published AND NOT history AND type = '{name}'"
        )
    op.execute(
        "CREATE INDEX ix_search_hit_tsv_history ON search_hit USING gin (tsv) WHERE published AND history"
    )
    op.execute('CREATE INDEX ix_search_hit_size ON search_hit (size, key COLLATE "C") WHERE NOT history')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_hit_size")
    op.execute("DROP INDEX ix_search_hit_tsv_history")
    for name in TYPES:
        op.execute(f"DROP INDEX ix_search_hit_tsv_{name}")
    op.execute("DROP INDEX ix_search_group_unpublished")
    op.execute("DROP INDEX ix_search_group_tsv")
    op.execute("ALTER TABLE search_group DROP COLUMN tsv")
    op.execute("ALTER TABLE search_group RESET (toast_tuple_target)")
    for column in FACTS:
        op.execute(f"ALTER TABLE search_group ALTER COLUMN {column} SET STORAGE EXTENDED")
    op.execute("ALTER TABLE search_hit DROP COLUMN size")
    op.execute("ALTER TABLE search_hit DROP COLUMN published")
