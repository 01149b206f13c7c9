"""Multiply a kept archive in SQL: every proposal, and every row hanging off one, copied N-1 times.

Loading 100,000 proposals through the services takes hours on a small machine; a benchmark of the
search index at that size needs the rows, not the path that wrote them. ``clone_archive`` copies
the proposals and every row that cannot exist without one (suggestions, replies, their points and
links, assignments, transitions, ... found by following the foreign keys, not listed by hand) with
``INSERT ... SELECT`` statements, so it runs in minutes and on any database SQLAlchemy reflects.

What a copy is: copy ``k`` (1 .. times-1) of a row gets ``id + k * max(id)`` of its table, and its
references to copied tables move the same way, so the rows of one copy refer to each other exactly
as the originals do. Members, agencies, sessions, users and reference clauses are shared. The 案号
of copy ``k`` is ``number + k * max(number)``: unique per session as the constraint requires.
Titles and texts are unchanged (a search finds each original ``times`` times); a single-column
unique value that is not a key (a form's one-time token) is left empty in the copies. The search
tables are not copied: the index of the result is built by a reindex.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

ROOT = "proposal"


@dataclass(frozen=True)
class Cloned:
    """Rows per copied table before and after."""

    before: dict[str, int]
    after: dict[str, int]


def _cloned_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """The proposal table and every table with a required reference to one already taken, in an
    order where each comes after the tables it refers to (inserts then satisfy the foreign keys)."""
    taken = {ROOT}
    changed = True
    while changed:
        changed = False
        for table in metadata.tables.values():
            if table.name in taken:
                continue
            if any(
                fk.column.table.name in taken and (not fk.parent.nullable or fk.parent.primary_key)
                for fk in table.foreign_keys
            ):
                taken.add(table.name)
                changed = True
    return [t for t in metadata.sorted_tables if t.name in taken]


def _id_column(table: sa.Table) -> sa.Column | None:
    """The table's own integer key, when it has one (link tables are keyed by their references)."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
        return keys[0]
    return None


def _unique_loose(table: sa.Table) -> set[str]:
    """Columns unique on their own that are neither the key nor a reference: emptied in copies."""
    singles = [list(c.columns) for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    singles += [list(i.columns) for i in table.indexes if i.unique]
    names = set()
    for columns in singles:
        if len(columns) == 1 and not columns[0].primary_key and not columns[0].foreign_keys:
            names.add(columns[0].name)
    return names


def _max(conn: Connection, column: sa.Column) -> int:
    return int(conn.execute(sa.select(sa.func.max(column))).scalar() or 0)


def _count(conn: Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def clone_archive(engine: Engine, times: int) -> Cloned:
    """Make the archive hold ``times`` copies of each proposal (the original included), in one
    transaction: it commits whole or not at all."""
    if times < 2:
        raise ValueError("times must be at least 2")
    metadata = sa.MetaData()
    # the search tables are rebuilt by a reindex, not copied (and hold types SQLAlchemy does not know)
    metadata.reflect(engine, only=lambda name, _meta: not name.startswith("search_"))
    tables = _cloned_tables(metadata)
    with engine.begin() as conn:
        before = {t.name: _count(conn, t) for t in tables}
        # offsets from the originals only: copy k of a row is id + k * offset
        offsets = {t.name: _max(conn, col) for t in tables if (col := _id_column(t)) is not None}
        top_number = _max(conn, metadata.tables[ROOT].c.number)
        for k in range(1, times):
            for table in tables:
                conn.execute(_copy(table, k, offsets, top_number))
        if engine.dialect.name == "postgresql":
            _advance_sequences(conn, tables)
        after = {t.name: _count(conn, t) for t in tables}
        _bump_generation(conn, metadata)
    return Cloned(before=before, after=after)


def _copy(table: sa.Table, k: int, offsets: dict[str, int], top_number: int) -> sa.Insert:
    own = _id_column(table)
    loose = _unique_loose(table)
    values: list[sa.ColumnElement] = []
    for column in table.columns:
        target = _moved_with(column, offsets)
        if own is not None and column is own:
            value: sa.ColumnElement = column + k * offsets[table.name]
        elif target is not None:
            value = column + k * offsets[target]  # NULL stays NULL
        elif table.name == ROOT and column.name == "number":
            value = column + k * top_number
        elif column.name in loose:
            value = sa.null()
        else:
            value = column
        values.append(value.label(column.name))
    source = sa.select(*values)
    if own is not None:
        source = source.where(own <= offsets[table.name])  # the originals, not earlier copies
    else:
        # a link table: its originals are the rows whose references all point at originals
        bounds = [
            c <= offsets[t]
            for c in table.columns
            if (t := _moved_with(c, offsets)) is not None and not c.nullable
        ]
        source = source.where(sa.and_(*bounds))
    return sa.insert(table).from_select([c.name for c in table.columns], source)


def _moved_with(column: sa.Column, offsets: dict[str, int]) -> str | None:
    """The copied table this column refers to (its rows move by that table's offset), if any."""
    for fk in column.foreign_keys:
        name = fk.column.table.name
        if name in offsets and fk.column.primary_key:
            return name
    return None


def _advance_sequences(conn: Connection, tables: Iterable[sa.Table]) -> None:
    """PostgreSQL hands out ids from sequences that explicit ids do not move: move them past the
    copies, or the next proposal written through the app would collide with one."""
    for table in tables:
        own = _id_column(table)
        if own is None:
            continue
        sequence = conn.execute(sa.select(sa.func.pg_get_serial_sequence(table.name, own.name))).scalar()
        if sequence:
            conn.execute(sa.select(sa.func.setval(sequence, sa.select(sa.func.max(own)).scalar_subquery())))


def _bump_generation(conn: Connection, metadata: sa.MetaData) -> None:
    """The public sees new rows: pages kept by a running server must not be served again."""
    table = metadata.tables.get("archive_generation")
    if table is not None:
        conn.execute(sa.update(table).values(value=table.c.value + 1))
