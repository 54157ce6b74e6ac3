"""External signals: what live sources say about a paper beyond its record, such as its
upvotes on Hugging Face's daily papers or its code repository's GitHub stars. One row per
(paper, source, name) in the `signals` table; a newer observation replaces the older.

Written by `Catalog.upsert(records, signals=…)` in the same transaction as the papers,
read with `Catalog.signals(ids)`; the trending score can weigh them in from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from papertide.db.tables import signals

SignalName = Literal["upvotes", "github_stars", "comments"]
_CHUNK = 500


@dataclass(frozen=True)
class Signal:
    source: str
    name: SignalName
    value: float
    observed_at: datetime | None = None  # set when stored


def store(conn: Connection, rows: Mapping[tuple[str, str, SignalName], float],
          now: datetime) -> None:
    """Insert or replace `{(paper_id, source, name): value}` inside the caller's transaction."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = [{"paper_id": pid, "source": source, "name": name, "value": float(value),
               "observed_at": now} for (pid, source, name), value in rows.items()]
    statement = dialect.insert(signals)
    statement = statement.on_conflict_do_update(
        index_elements=[signals.c.paper_id, signals.c.source, signals.c.name],
        set_={"value": statement.excluded.value, "observed_at": statement.excluded.observed_at},
    )
    conn.execute(statement, values)


def read(engine: Engine, ids: Iterable[str]) -> dict[str, list[Signal]]:
    ids = list(dict.fromkeys(ids))
    found: dict[str, list[Signal]] = {}
    with engine.connect() as conn:
        for start in range(0, len(ids), _CHUNK):
            query = (select(signals).where(signals.c.paper_id.in_(ids[start:start + _CHUNK]))
                     .order_by(signals.c.paper_id, signals.c.source, signals.c.name))
            for row in conn.execute(query):
                found.setdefault(row.paper_id, []).append(
                    Signal(row.source, row.name, row.value, row.observed_at))
    return found


def read_since(engine: Engine, since: datetime | None,
               among: Sequence[str] | None = None) -> list[tuple[str, Signal]]:
    """(paper id, signal) of the signals observed since `since` (of the papers `among`)."""
    query = select(signals)
    if since is not None:
        query = query.where(signals.c.observed_at >= since)
    with engine.connect() as conn:
        if among is None:
            rows = list(conn.execute(query))
        else:
            ids = list(dict.fromkeys(among))
            rows = [row for start in range(0, len(ids), _CHUNK) for row in conn.execute(
                query.where(signals.c.paper_id.in_(ids[start:start + _CHUNK])))]
    return [(row.paper_id, Signal(row.source, row.name, row.value, row.observed_at))
            for row in rows]
