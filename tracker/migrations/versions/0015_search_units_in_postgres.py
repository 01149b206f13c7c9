"""Search units in the database: the search_unit table of the PostgreSQL search backend

One row per search unit (a proposal's own text, a suggestion, a reply letter or point, a reference
document or clause) with the facts facets and the visibility rule need, and its text as a tsvector
segmented by the app (tracker/search/postgres). GIN indexes the vectors. Only on PostgreSQL: an
SQLite archive searches with Whoosh, and the table is not one of the models (SQLModel.metadata).
Fill it with ``tracker reindex`` (SEARCH_BACKEND=postgres); nothing existing changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE TABLE search_unit (
            key text PRIMARY KEY,
            grp text NOT NULL,
            type text NOT NULL,
            position integer NOT NULL,
            title text NOT NULL,
            body text NOT NULL,
            anchor text NOT NULL,
            reply_id integer,
            agency text NOT NULL,
            history boolean NOT NULL,
            fingerprint text NOT NULL,
            facts jsonb NOT NULL,
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
            date date,
            tsv tsvector NOT NULL,
            tsv_summary tsvector,
            written_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
        )
        """
    )
    op.execute("CREATE INDEX ix_search_unit_grp ON search_unit (grp)")
    op.execute("CREATE INDEX ix_search_unit_number ON search_unit (number) WHERE number IS NOT NULL")
    op.execute("CREATE INDEX ix_search_unit_tsv ON search_unit USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_unit_tsv_summary ON search_unit USING gin (tsv_summary)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_unit")
