"""Where each live harvest stands (the `source_state` table): one JSON value per source
and scope, e.g. for an OAI-PMH set the last harvested datestamp and, while a harvest is
under way, its resumption token. The only module that reads or writes that table.

    value = load(engine, "arxiv-oai", "set=cs format=arXiv only=cs.LG") or {}
    save(engine, "arxiv-oai", "set=cs format=arXiv only=cs.LG", {"datestamp": "2025-03-18"})
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.db.tables import source_state


def load(engine: Engine, source: str, scope: str) -> dict | None:
    with engine.connect() as conn:
        return conn.execute(
            select(source_state.c.value).where(
                (source_state.c.source == source) & (source_state.c.scope == scope)
            )
        ).scalar_one_or_none()


def save(engine: Engine, source: str, scope: str, value: dict) -> None:
    """Replace the state of (source, scope); a separate short transaction, taken after the
    page it describes has committed."""
    where = (source_state.c.source == source) & (source_state.c.scope == scope)
    for _ in range(2):  # a concurrent first save may win the insert: then update over it
        try:
            with engine.begin() as conn:
                if conn.execute(update(source_state).where(where)
                                .values(value=value, updated_at=utcnow())).rowcount:
                    return
                conn.execute(source_state.insert().values(
                    source=source, scope=scope, value=value, updated_at=utcnow()))
                return
        except IntegrityError:
            continue
    raise RuntimeError(f"could not save the state of {source} {scope}")


def all_states(engine: Engine, source: str | None = None) -> list[tuple[str, str, dict]]:
    """(source, scope, value) of every harvest, e.g. for an admin page."""
    query = select(source_state.c.source, source_state.c.scope, source_state.c.value)
    if source:
        query = query.where(source_state.c.source == source)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(source_state.c.source,
                                                                  source_state.c.scope))]
