"""The delivery log: all storage access for `deliveries` and `sent_papers`.

One row per (reader, edition) under a unique key is the exactly-once guarantee of
sending: `log_sent` writes it together with the papers it sent (and the reader's last
edition, through the reader store, in the same transaction), and raises
`AlreadyDelivered` when another sender got there first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.db.tables import deliveries, sent_papers
from papertide.readers import ReaderStore

FINAL = ("sent", "skipped", "bounced")


class AlreadyDelivered(Exception):
    """Another sender already logged this reader's edition."""


def _edition(table: Table, reader_id: int, key: str) -> ColumnElement[bool]:
    """The rows of `table` (deliveries, sent_papers) that belong to one reader's edition."""
    return (table.c.reader_id == reader_id) & (table.c.edition == key)


class DeliveryLog:
    def __init__(self, engine: Engine, readers: ReaderStore) -> None:
        self.engine = engine
        self.readers = readers

    def final_keys(self) -> set[tuple[int, str]]:
        """(reader id, edition) of every edition that is done: sent, skipped or bounced."""
        with self.engine.connect() as conn:
            return {(r.reader_id, r.edition) for r in conn.execute(
                select(deliveries.c.reader_id, deliveries.c.edition)
                .where(deliveries.c.status.in_(FINAL)))}

    def recent_editions(self, limit: int = 7) -> list[tuple[str, dict[str, int]]]:
        """The latest editions with how many were sent, skipped and bounced."""
        with self.engine.connect() as conn:
            keys = conn.execute(select(deliveries.c.edition).distinct()
                                .order_by(deliveries.c.edition.desc()).limit(limit)).scalars().all()
            rows = conn.execute(
                select(deliveries.c.edition, deliveries.c.status, func.count())
                .where(deliveries.c.edition.in_(keys))
                .group_by(deliveries.c.edition, deliveries.c.status)).all()
        counts: dict[str, dict[str, int]] = {key: {} for key in keys}
        for edition, status, count in rows:
            counts[edition][status] = count
        return list(counts.items())

    def is_final(self, reader_id: int, key: str) -> bool:
        with self.engine.connect() as conn:
            status = conn.execute(select(deliveries.c.status)
                                  .where(_edition(deliveries, reader_id, key))).scalar()
        return status in FINAL

    def sent_to(self, reader_id: int) -> set[str]:
        """Every paper this reader was ever sent."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(sent_papers.c.paper_id)
                                    .where(sent_papers.c.reader_id == reader_id)).scalars())

    def skip(self, reader_id: int, key: str, why: str) -> bool:
        """Log an edition that is not sent; False if it was already logged."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(
                    reader_id=reader_id, edition=key, status="skipped", attempts=0, error=why,
                    finished_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def log_sent(self, reader_id: int, key: str, message_id: str, paper_ids: list[str],
                 at: datetime) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(
                    reader_id=reader_id, edition=key, status="sent", attempts=1,
                    message_id=message_id, paper_ids=paper_ids, claimed_at=at, finished_at=at))
                if paper_ids:
                    rows: list[dict[str, Any]] = [
                        {"reader_id": reader_id, "paper_id": pid, "edition": key}
                        for pid in paper_ids]
                    conn.execute(insert(sent_papers), rows)
                self.readers.mark_sent(reader_id, key, at, conn)
        except IntegrityError as exc:
            raise AlreadyDelivered(f"reader {reader_id}, edition {key}") from exc

    def unlog(self, reader_id: int, key: str, bounced_with: str | None = None) -> None:
        """The relay refused after the log was written: undo it, so the papers can go out
        another time; with `bounced_with`, log the edition as bounced instead."""
        with self.engine.begin() as conn:
            conn.execute(delete(sent_papers).where(_edition(sent_papers, reader_id, key)))
            conn.execute(delete(deliveries).where(_edition(deliveries, reader_id, key)))
            if bounced_with is not None:
                conn.execute(insert(deliveries).values(
                    reader_id=reader_id, edition=key, status="bounced", attempts=1,
                    error=bounced_with, finished_at=utcnow()))
