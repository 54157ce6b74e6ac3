"""Query shapes that several stores share: taking the next value of a change counter, and
`IN` lists cut into chunks that every database accepts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import Connection, update

from papertide.db.tables import counters

T = TypeVar("T")
CHUNK = 500  # well under SQLite's and PostgreSQL's limits on bound parameters


def next_seq(conn: Connection, name: str) -> int:
    """Take the next value of the counter `name` (`seq`, `embed_seq`) inside the caller's
    transaction. The counter row stays locked until that transaction ends, so the batches
    that take values commit in the order of their values: a reader that has seen value n
    has seen everything below it."""
    value: int = conn.execute(
        update(counters).where(counters.c.name == name)
        .values(value=counters.c.value + 1).returning(counters.c.value)
    ).scalar_one()
    return value


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, for `column.in_(…)` lists."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
