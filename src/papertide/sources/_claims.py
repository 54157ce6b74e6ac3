"""Claims on live sources (the `source_claims` table): at most one run of a source at a
time across every process and machine, and the last announcement day the daily schedule
pulled it for. The only module that reads or writes that table.

A claim is a lease held in the database, not in a process: a worker that takes a source
writes its name and an expiry into the source's row with one conditional UPDATE (taken
only if the row is free or its lease has expired), which both SQLite and PostgreSQL
apply atomically, so of two workers racing for a source exactly one wins. The holder
renews the lease as pages commit; a holder that dies leaves a lease that simply runs
out, and the next run takes it over.

    if claim(engine, "arxiv-oai:cs.LG", holder):
        try: …
        finally: release(engine, "arxiv-oai:cs.LG", holder, done_for=date(2025, 3, 18))
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.db.tables import source_claims

LEASE = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    spec: str
    holder: str | None
    claimed_at: datetime | None
    expires_at: datetime | None
    done_for: date | None


def new_holder() -> str:
    """A name for one claimant: this machine and process, and a token for this run."""
    return f"{socket.gethostname()[:120]} pid {os.getpid()} {secrets.token_hex(4)}"


def claim(engine: Engine, spec: str, holder: str, lease: timedelta = LEASE,
          now: datetime | None = None) -> bool:
    """Take the lease on `spec` if nobody holds it (or the holder's lease ran out)."""
    now = now or utcnow()
    values = {"holder": holder, "claimed_at": now, "expires_at": now + lease}
    free = or_(source_claims.c.holder.is_(None), source_claims.c.expires_at < now)
    for _ in range(2):
        with engine.begin() as conn:
            taken = conn.execute(update(source_claims)
                                 .where((source_claims.c.spec == spec) & free)
                                 .values(values)).rowcount
            if taken:
                return True
            if conn.execute(select(source_claims.c.spec)
                            .where(source_claims.c.spec == spec)).first() is not None:
                return False  # held by someone else
        try:
            with engine.begin() as conn:
                conn.execute(source_claims.insert().values(spec=spec, **values))
            return True
        except IntegrityError:
            continue  # another claimant created the row first: compete for it once more
    return False


def renew(engine: Engine, spec: str, holder: str, lease: timedelta = LEASE) -> bool:
    """Extend the lease; False if `holder` no longer holds it."""
    with engine.begin() as conn:
        return bool(conn.execute(
            update(source_claims)
            .where((source_claims.c.spec == spec) & (source_claims.c.holder == holder))
            .values(expires_at=utcnow() + lease)).rowcount)


def release(engine: Engine, spec: str, holder: str, done_for: date | None = None) -> None:
    """Give the lease back; with `done_for`, record the day a scheduled pull covered."""
    values: dict[str, object] = {"holder": None, "expires_at": None}
    if done_for is not None:
        values["done_for"] = done_for
    with engine.begin() as conn:
        conn.execute(update(source_claims)
                     .where((source_claims.c.spec == spec) & (source_claims.c.holder == holder))
                     .values(values))


def get(engine: Engine, spec: str) -> Claim | None:
    with engine.connect() as conn:
        row = conn.execute(select(source_claims).where(source_claims.c.spec == spec)).first()
    if row is None:
        return None
    return Claim(row.spec, row.holder, row.claimed_at, row.expires_at, row.done_for)
