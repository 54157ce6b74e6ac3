"""Moving house: copy a whole papertide store to another database (`papertide
migrate-store`), typically the embedded SQLite file to PostgreSQL.

    report = copy_store(source_engine, target_engine, on_progress=print)
    report.mismatches()        # [] when every table holds as many rows on both sides

Generic over `tables.metadata`: every table, in foreign-key order, so a table another
module adds later is copied without a change here. This is the one writer of every table
besides its owner, and it interprets nothing: rows go across as they are, `seq` values
and all, so the keyword and vector indexes of this machine stay valid for the target.

Each table is read in primary-key order (keyset pages of `batch_size` rows) and written
with an upsert on the primary key, so a second run — after an interruption, or to catch
up with what the source did since — inserts what is new and rewrites what changed. Rows
the source deleted since the last run (a signed-out session, a revoked token, an expired
rate-limit window) are deleted from the target too, children before parents, so the
target ends equal to the source. On PostgreSQL the sequences that number new rows are
then set past the highest copied id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Row, Table, delete, func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from papertide.db._queries import chunked
from papertide.db.tables import metadata

BATCH = 1000
Progress = Callable[[str, int, int], None]  # (table, rows done, rows in the source)


@dataclass
class TableCopy:
    name: str
    source_rows: int
    target_rows: int = 0
    copied: int = 0  # rows written (inserted or rewritten)
    pruned: int = 0  # rows the source no longer has, deleted from the target


@dataclass
class CopyReport:
    tables: list[TableCopy] = field(default_factory=list)

    def mismatches(self) -> list[TableCopy]:
        return [t for t in self.tables if t.source_rows != t.target_rows]


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _pages(engine: Engine, table: Table, size: int) -> Iterator[list[Row[Any]]]:
    """The table's rows in primary-key order, `size` at a time (constant memory)."""
    key = list(table.primary_key.columns)
    last: Sequence[Any] | None = None
    while True:
        query = select(table).order_by(*key).limit(size)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last))
        with engine.connect() as conn:
            rows = list(conn.execute(query))
        if not rows:
            return
        yield rows
        last = [getattr(rows[-1], c.name) for c in key]


def _upsert(target: Engine, table: Table) -> Any:
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(target.dialect.name)
    if dialect is None:
        raise ValueError(f"cannot copy into {target.dialect.name}: PostgreSQL or SQLite only")
    statement = dialect.insert(table)
    key = [c.name for c in table.primary_key.columns]
    rest = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
    if not rest:
        return statement.on_conflict_do_nothing(index_elements=key)
    return statement.on_conflict_do_update(index_elements=key, set_=rest)


def _keys(engine: Engine, table: Table) -> set[tuple[Any, ...]]:
    key = list(table.primary_key.columns)
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(*key)).yield_per(10_000)}


def _prune(source: Engine, target: Engine, table: Table) -> int:
    """Delete the target's rows whose primary key the source no longer has."""
    gone = sorted(_keys(target, table) - _keys(source, table))
    key = list(table.primary_key.columns)
    with target.begin() as conn:
        for part in chunked(gone):
            if len(key) == 1:
                conn.execute(delete(table).where(key[0].in_([k[0] for k in part])))
            else:
                conn.execute(delete(table).where(tuple_(*key).in_(list(part))))
    return len(gone)


def _reset_sequences(target: Engine) -> None:
    """PostgreSQL numbers new rows from a sequence that copied rows did not advance."""
    if target.dialect.name != "postgresql":
        return
    with target.begin() as conn:
        for table in metadata.sorted_tables:
            column = table.autoincrement_column
            if column is None:
                continue
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) "
                f"FROM {table.name}"))


def copy_store(source: Engine, target: Engine, batch_size: int = BATCH,
               on_progress: Progress | None = None) -> CopyReport:
    """Copy every table from `source` to `target` (both migrated to the same revision)."""
    if source.url == target.url:
        raise ValueError("the source and the target are the same database")
    report = CopyReport()
    tables = list(metadata.sorted_tables)  # parents before children
    for table in tables:
        done = TableCopy(table.name, _count(source, table))
        statement = _upsert(target, table)
        if on_progress:
            on_progress(table.name, 0, done.source_rows)
        for rows in _pages(source, table, batch_size):
            with target.begin() as conn:
                conn.execute(statement, [dict(r._mapping) for r in rows])
            done.copied += len(rows)
            if on_progress:
                on_progress(table.name, done.copied, done.source_rows)
        report.tables.append(done)
    for done, table in reversed(list(zip(report.tables, tables, strict=True))):
        if _count(target, table) != done.source_rows:
            done.pruned = _prune(source, target, table)  # children before their parents
    for done, table in zip(report.tables, tables, strict=True):
        done.target_rows = _count(target, table)
    _reset_sequences(target)
    return report

