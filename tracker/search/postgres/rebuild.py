"""A full rebuild of the search_unit table (``tracker reindex`` on PostgreSQL), in bulk.

Row by row through the live table a rebuild ran at about 500 units a second: every row paid an
upsert and its share of GIN maintenance, and the Chinese analysis ran in the one process that also
read the database. Now the rows go into a new table of the same shape by COPY, the analysis
(tracker.search.postgres.table.row) runs in ``procs`` worker processes while the main process
reads the archive, the indexes are built once at the end, and the new table replaces the old one
in a short final step of the same transaction:

- the live table stays searchable and writable until then (writers keep writing their rows there);
- the final step locks the live table against writers (readers go on), copies over every group a
  transaction the rebuild's starting snapshot does not see has written since (newer than what the
  rebuild read: the same rule as before), drops the groups gone from the database, and swaps the
  tables. Writers wait for that step only (a scan of the live table's transaction ids, seconds at
  a million units); a crash anywhere leaves the old table as it was.

The new table copies the live one's columns, defaults, storage and table options, and every index
by its own definition, so a later migration's index is rebuilt without a change here.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Jsonb

from tracker.search.documents import SearchDocument
from tracker.search.postgres import table

BUILD = f"{table.TABLE}_rebuild"
CHUNK = 500  # units handed to a worker at a time
COLUMNS = [c.name for c in table.search_unit.columns if c.name != "written_xid"]


def copy_rows(docs: Iterable[SearchDocument]) -> list[tuple[Any, ...]]:
    """COPY rows (in COLUMNS order) of the units: the analysis, done in a worker process."""
    out = []
    for doc in docs:
        r = table.row(doc)
        r["facts"] = Jsonb(r["facts"])
        out.append(tuple(r[c] for c in COLUMNS))
    return out


def _chunks(docs: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


def _rows(docs: Iterable[SearchDocument], procs: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows chunk by chunk, in order; with procs > 1 analysed by that many worker processes
    (spawned: a forked copy of a running app's threads and connections is not safe)."""
    if procs <= 1:
        yield from map(copy_rows, _chunks(docs, CHUNK))
        return
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        # imap reads the documents as the workers take them: the archive is never all in memory
        yield from pool.imap(copy_rows, _chunks(docs, CHUNK), chunksize=1)


def _create_build_table(connection: sa.Connection) -> list[tuple[str, str]]:
    """The empty new table; returns (live index name, its definition) to build once it is full."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {BUILD}")
    connection.exec_driver_sql(
        f"CREATE TABLE {BUILD} (LIKE {table.TABLE} INCLUDING DEFAULTS INCLUDING STORAGE "
        "INCLUDING CONSTRAINTS INCLUDING GENERATED)"
    )
    options = connection.execute(
        sa.text("SELECT reloptions FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table.TABLE}
    ).scalar_one()
    if options:
        connection.exec_driver_sql(f"ALTER TABLE {BUILD} SET ({', '.join(options)})")
    return [
        (name, definition)
        for name, definition in connection.execute(
            sa.text(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = CAST(:t AS regclass) "
                "ORDER BY c.relname"
            ),
            {"t": table.TABLE},
        ).all()
    ]


def _build_indexes(connection: sa.Connection, indexes: list[tuple[str, str]]) -> None:
    # one sort per index, in memory where it fits (GIN's build is far quicker than row-by-row upkeep)
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for name, definition in indexes:
        new = re.sub(
            rf"^CREATE (UNIQUE )?INDEX {re.escape(name)} ON (\S+\.)?{table.TABLE} ",
            lambda m, name=name: (
                f"CREATE {m.group(1) or ''}INDEX {BUILD}__{name} ON {m.group(2) or ''}{BUILD} "
            ),
            definition,
        )
        if new == definition:
            raise RuntimeError(f"cannot rebuild index {name}: {definition}")
        connection.exec_driver_sql(new)


def _swap(connection: sa.Connection, indexes: list[tuple[str, str]], snapshot: str) -> None:
    """Newer groups from the live table, groups gone from the database dropped, then the swap."""
    newer = (
        f"SELECT DISTINCT grp FROM {table.TABLE} "
        "WHERE NOT pg_visible_in_snapshot(written_xid, CAST(:snapshot AS pg_snapshot))"
    )
    # writers wait from here to the commit; searches go on reading the live table
    connection.exec_driver_sql(f"LOCK TABLE {table.TABLE} IN SHARE ROW EXCLUSIVE MODE")
    groups = list(connection.execute(sa.text(newer), {"snapshot": snapshot}).scalars())
    if groups:
        connection.execute(
            sa.text(f"DELETE FROM {BUILD} WHERE grp = ANY(CAST(:groups AS text[]))"), {"groups": groups}
        )
        connection.execute(
            sa.text(
                f"INSERT INTO {BUILD} SELECT * FROM {table.TABLE} WHERE grp = ANY(CAST(:groups AS text[]))"
            ),
            {"groups": groups},
        )
    connection.execute(
        sa.text(
            f"DELETE FROM {BUILD} u WHERE "
            "(grp LIKE 'p%' AND NOT EXISTS (SELECT 1 FROM proposal p WHERE p.id = substr(u.grp, 2)::int))"
            " OR (grp LIKE 'd%' AND NOT EXISTS "
            "(SELECT 1 FROM reference_document d WHERE d.id = substr(u.grp, 2)::int))"
        )
    )
    connection.exec_driver_sql(f"DROP TABLE {table.TABLE}")
    connection.exec_driver_sql(f"ALTER TABLE {BUILD} RENAME TO {table.TABLE}")
    for name, _definition in indexes:
        connection.exec_driver_sql(f"ALTER INDEX {BUILD}__{name} RENAME TO {name}")
    connection.exec_driver_sql(f"ANALYZE {table.TABLE}")


def rebuild(engine: sa.Engine, docs: Iterable[SearchDocument], *, procs: int = 1) -> int:
    """Replace the whole table by the rows of ``docs`` (see the module's docstring); the count."""
    count = 0
    with engine.begin() as connection:
        snapshot = connection.execute(sa.text("SELECT pg_current_snapshot()::text")).scalar_one()
        indexes = _create_build_table(connection)
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {BUILD} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for rows in _rows(docs, procs):
                for r in rows:
                    copy.write_row(r)
                count += len(rows)
        _build_indexes(connection, indexes)
        _swap(connection, indexes, snapshot)
    return count
