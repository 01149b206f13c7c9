"""The indexed words, kept in a table for spelling hints (issue 14)

A search that finds nothing offers the query with misspelt words replaced by the closest indexed
word. The PostgreSQL backend read its vocabulary with ts_stat over every unit's vector: 15 s at
100,000 proposals (1.13 M vectors, 9,493 words), on the request that found nothing, once per
process every ten minutes. search_word holds each indexed word once with the number of units
holding it when last counted (a rebuild, or this migration): writes add their new words (with no
count, and never touch an existing row, so writers do not queue on common words); a word whose
units are all gone stays until the next rebuild, which is harmless (a hint is shown only when its
query finds something).

Only on PostgreSQL, like search_unit (0015).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 03:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE search_word (word text PRIMARY KEY, ndoc integer NOT NULL DEFAULT 0)")
    op.execute(
        "INSERT INTO search_word (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_unit')"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE search_word")
