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

import json
import multiprocessing
import re
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult

import sqlalchemy as sa
from psycopg._copy_base import format_row_text  # what Copy.write_row runs (psycopg is pinned)
from psycopg.adapt import Transformer

from tracker.search.documents import GroupFacts, SearchDocument
from tracker.search.postgres import table

BUILD = f"{table.TABLE}_rebuild"
CHUNK = 500  # units handed to a worker at a time
COLUMNS = [c.name for c in table.search_unit.columns if c.name != "written_xid"]


def copy_rows(docs: Iterable[SearchDocument]) -> tuple[int, bytes]:
    """The units' rows (in COLUMNS order) as COPY text, and how many: the analysis, and the
    formatting too, done in a worker process, so the process feeding COPY only passes bytes on
    (formatting a row there, its arrays by psycopg's Python dumpers, cost about as much as reading
    the archive). The bytes are those psycopg's own ``write_row`` makes: the same function, with
    the adapters every connection starts from (the rebuild's connection registers none)."""
    transformer = Transformer()
    out = bytearray()
    count = 0
    facts: GroupFacts | None = None
    facts_text = ""
    for doc in docs:
        r = table.row(doc)
        if doc.facts is not facts:  # a group's units share one facts object: its JSON made once
            facts, facts_text = doc.facts, json.dumps(r["facts"])
        r["facts"] = facts_text  # jsonb from its text, as COPY reads every column
        format_row_text([r[c] for c in COLUMNS], transformer, out)
        count += 1
    return count, bytes(out)


def _chunks(docs: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


def _rows(docs: Iterable[SearchDocument], procs: int) -> Iterator[tuple[int, bytes]]:
    """Rows chunk by chunk, in order; with procs > 1 analysed by that many worker processes
    (forked, as the Whoosh rebuild does: a spawned worker would import the caller's main module
    again, and a script without a main guard would start a second rebuild)."""
    if procs <= 1:
        yield from map(copy_rows, _chunks(docs, CHUNK))
        return
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        # a few chunks ahead of the writer, no more: the archive is never all in memory
        pending: deque[AsyncResult] = deque()
        for chunk in _chunks(docs, CHUNK):
            pending.append(pool.apply_async(copy_rows, (chunk,)))
            if len(pending) > 2 * procs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _build_name(name: str) -> str:
    return f"{name}_rebuild"


def _create_build_table(connection: sa.Connection, name: str) -> list[tuple[str, str, str | None]]:
    """The empty new table of ``name``'s shape; returns (live index name, its definition) to build
    once it is full."""
    build = _build_name(name)
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {build}")
    connection.exec_driver_sql(
        f"CREATE TABLE {build} (LIKE {name} INCLUDING DEFAULTS INCLUDING STORAGE "
        "INCLUDING CONSTRAINTS INCLUDING GENERATED)"
    )
    options = connection.execute(
        sa.text("SELECT reloptions FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": name}
    ).scalar_one()
    if options:
        connection.exec_driver_sql(f"ALTER TABLE {build} SET ({', '.join(options)})")
    # (index, its definition, the constraint it backs, e.g. the primary key, or None)
    return [
        (index, definition, constraint)
        for index, definition, constraint in connection.execute(
            sa.text(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid), "
                "(SELECT k.contype FROM pg_constraint k WHERE k.conindid = i.indexrelid "
                "AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u')) "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = CAST(:t AS regclass) ORDER BY c.relname"
            ),
            {"t": name},
        ).all()
    ]


def _build_indexes(connection: sa.Connection, name: str, indexes: list[tuple[str, str, str | None]]) -> None:
    # one sort per index, in memory where it fits (GIN's build is far quicker than row-by-row upkeep)
    build = _build_name(name)
    connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for index, definition, constraint in indexes:
        new = re.sub(
            rf"^CREATE (UNIQUE )?INDEX {re.escape(index)} ON (\S+\.)?{name} ",
            lambda m, index=index: (
                f"CREATE {m.group(1) or ''}INDEX {build}__{index} ON {m.group(2) or ''}{build} "
            ),
            definition,
        )
        if new == definition:
            raise RuntimeError(f"cannot rebuild index {index}: {definition}")
        connection.exec_driver_sql(new)
        if constraint:  # a primary key (or unique constraint) again, on the index just built
            kind = "PRIMARY KEY" if constraint == "p" else "UNIQUE"
            connection.exec_driver_sql(
                f"ALTER TABLE {build} ADD CONSTRAINT {build}__{index} {kind} USING INDEX {build}__{index}"
            )


GONE = (
    "(grp LIKE 'p%' AND NOT EXISTS (SELECT 1 FROM proposal p WHERE p.id = substr(grp, 2)::int))"
    " OR (grp LIKE 'd%' AND NOT EXISTS (SELECT 1 FROM reference_document d WHERE d.id = substr(grp, 2)::int))"
)


def _swap(
    connection: sa.Connection, indexes: dict[str, list[tuple[str, str, str | None]]], snapshot: str
) -> list[str]:
    """Newer groups from the live tables, groups gone from the database dropped, then the swap."""
    # writers wait from here to the commit; searches go on reading the live tables
    for name in indexes:
        connection.exec_driver_sql(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE")
    newer = list(
        connection.execute(
            sa.text(
                f"SELECT DISTINCT grp FROM {table.TABLE} "
                "WHERE NOT pg_visible_in_snapshot(written_xid, CAST(:snapshot AS pg_snapshot))"
            ),
            {"snapshot": snapshot},
        ).scalars()
    )
    gone = list(
        connection.execute(
            sa.text(f"SELECT DISTINCT grp FROM {_build_name(table.GROUP)} WHERE {GONE}")
        ).scalars()
    )
    params = {"groups": newer + gone}
    chosen = "grp = ANY(CAST(:groups AS text[]))"
    if newer or gone:
        for name in indexes:
            connection.execute(sa.text(f"DELETE FROM {_build_name(name)} WHERE {chosen}"), params)
        connection.execute(
            sa.text(f"INSERT INTO {_build_name(table.TABLE)} SELECT * FROM {table.TABLE} WHERE {chosen}"),
            params,
        )
        for name, insert in table.derived_inserts(table.TABLE, chosen).items():
            connection.execute(sa.text(insert.format(table=_build_name(name))), params)
    for name, its in indexes.items():
        connection.exec_driver_sql(f"DROP TABLE {name}")
        connection.exec_driver_sql(f"ALTER TABLE {_build_name(name)} RENAME TO {name}")
        for index, _definition, constraint in its:
            if constraint:  # renames its index too
                connection.exec_driver_sql(
                    f"ALTER TABLE {name} RENAME CONSTRAINT {_build_name(name)}__{index} TO {index}"
                )
            else:
                connection.exec_driver_sql(f"ALTER INDEX {_build_name(name)}__{index} RENAME TO {index}")
        connection.exec_driver_sql(f"ANALYZE {name}")
    return newer


def rebuild(engine: sa.Engine, docs: Iterable[SearchDocument], *, procs: int = 1) -> int:
    """Replace the whole table by the rows of ``docs`` (see the module's docstring); the count."""
    count = 0
    with engine.begin() as connection:
        snapshot = connection.execute(sa.text("SELECT pg_current_snapshot()::text")).scalar_one()
        indexes = {table.TABLE: _create_build_table(connection, table.TABLE)}
        build = _build_name(table.TABLE)
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {build} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for rows, data in _rows(docs, procs):
                copy.write(data)
                count += rows
        _build_indexes(connection, table.TABLE, indexes[table.TABLE])
        # the narrow copies a search reads, from the new rows, before writers are held up
        for name, insert in table.derived_inserts(build).items():
            indexes[name] = _create_build_table(connection, name)
            connection.exec_driver_sql(insert.format(table=_build_name(name)))
            _build_indexes(connection, name, indexes[name])
        # the vocabulary counted from the new rows (every vector read once), before writers wait
        words = _build_name(table.WORDS)
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {words} ON COMMIT DROP AS {table.words_counted(build)}"
        )
        newer = _swap(connection, indexes, snapshot)
        # writers are held (the swap's locks) until the commit: the words replaced at once, with
        # those of the groups written meanwhile
        connection.exec_driver_sql(f"DELETE FROM {table.WORDS}")
        connection.exec_driver_sql(f"INSERT INTO {table.WORDS} (word, ndoc) SELECT word, ndoc FROM {words}")
        if newer:
            connection.execute(
                sa.text(table.words_insert(table.TABLE, "grp = ANY(CAST(:groups AS text[]))")),
                {"groups": newer},
            )
    return count
