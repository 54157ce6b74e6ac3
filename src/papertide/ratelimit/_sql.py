"""A storage for the `limits` library on the catalog database, so that every web process
and worker shares one set of windows without Redis; all storage access for `rate_limits`.

`limits` ships storages for Redis, Memcached, MongoDB and memory, none on SQL. This one
implements its two interfaces over SQLAlchemy, on SQLite and PostgreSQL alike:

- fixed windows (`incr`): one atomic upsert per hit, a counter and the window's end;
- moving windows (`acquire_entry`): the row holds the times of the window's hits; it is
  locked (`FOR UPDATE`; on SQLite the first write takes the database's write lock) while
  they are counted, so two processes never both take the last slot.

Rows of windows that ended are deleted now and then, by whichever process is counting.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MovingWindowSupport, Storage
from sqlalchemy import Engine, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from papertide.db.tables import rate_limits

PURGE_EVERY = 1000  # hits between two clean-ups of ended windows


class SqlStorage(Storage, MovingWindowSupport):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._insert: Any = (postgresql.insert if engine.dialect.name == "postgresql"
                             else sqlite.insert)
        self._hits = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _maybe_purge(self, now: float) -> None:
        self._hits += 1
        if self._hits % PURGE_EVERY == 0:
            with self.engine.begin() as conn:
                conn.execute(delete(rate_limits).where(rate_limits.c.expires_at < now))

    # ---- fixed windows ------------------------------------------------------------------

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        ended = rate_limits.c.expires_at <= now
        statement = self._insert(rate_limits).values(
            key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(index_elements=[rate_limits.c.key], set_={
            "count": case((ended, amount), else_=rate_limits.c.count + amount),
            "expires_at": case((ended, now + expiry), else_=rate_limits.c.expires_at),
        }).returning(rate_limits.c.count)
        with self.engine.begin() as conn:
            count = int(conn.execute(statement).scalar_one())
        self._maybe_purge(now)
        return count

    def get(self, key: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(rate_limits.c.count, rate_limits.c.expires_at)
                               .where(rate_limits.c.key == key)).first()
        if row is None or row.expires_at <= time.time():
            return 0
        return int(row[0])

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as conn:
            expires = conn.execute(select(rate_limits.c.expires_at)
                                   .where(rate_limits.c.key == key)).scalar()
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return int(conn.execute(delete(rate_limits)).rowcount)

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(rate_limits).where(rate_limits.c.key == key))

    # ---- moving windows -----------------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(self._insert(rate_limits).values(
                key=key, count=0, expires_at=now, hits=[]).on_conflict_do_nothing())
            stored = conn.execute(select(rate_limits.c.hits).where(rate_limits.c.key == key)
                                  .with_for_update()).scalar()
            hits = [t for t in (stored or []) if t > now - expiry]
            if len(hits) + amount > limit:
                return False
            hits = (hits + [now] * amount)[-limit:]
            conn.execute(update(rate_limits).where(rate_limits.c.key == key).values(
                hits=hits, count=len(hits), expires_at=now + expiry))
        self._maybe_purge(now)
        return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        with self.engine.connect() as conn:
            stored = conn.execute(select(rate_limits.c.hits)
                                  .where(rate_limits.c.key == key)).scalar()
        hits = sorted(t for t in (stored or []) if t > now - expiry)
        return (hits[0], len(hits)) if hits else (now, 0)

    def count_keys(self) -> int:
        """How many windows are stored (tests and the admin page)."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(rate_limits)).scalar_one())
