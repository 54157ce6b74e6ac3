"""Digests: which readers are due, composing and rendering their edition, sending it, and
the delivery log that makes sending exactly-once.

    digests = services.digests
    digests.run(now)                    # every due reader, in this process
    digests.deliver(reader_id, key)     # one reader's edition (what a queued job runs)

The log has one row per (reader, edition) under a unique key, written in the same
transaction as the papers it sent (`sent_papers`), at the commit point the transport
offers (see `_transport.py`). A worker killed mid-fan-out and started again finds the
rows of what went out and sends every remaining reader one digest, nobody a second.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.db.tables import deliveries, readers, sent_papers
from papertide.digest._compose import Composer, Edition
from papertide.digest._render import as_email_message, render_confirmation, render_digest
from papertide.digest._transport import (DeliveryError, PermanentFailure, TransientFailure,
                                         make_transport)
from papertide.readers import Reader

__all__ = ["Digests", "Edition", "DeliveryError", "PermanentFailure", "TransientFailure",
           "edition_key"]

log = logging.getLogger(__name__)
FINAL = ("sent", "skipped", "bounced")


class AlreadyDelivered(Exception):
    pass


def _edition(table, reader_id: int, key: str):
    """The rows of `table` (deliveries, sent_papers) that belong to one reader's edition."""
    return (table.c.reader_id == reader_id) & (table.c.edition == key)


def local_time(reader: Reader, now: datetime) -> datetime:
    return now.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(reader.timezone))


def edition_key(reader: Reader, now: datetime) -> str:
    """The reader's local date at `now`: one edition per reader per local day."""
    return local_time(reader, now).date().isoformat()


def is_due(reader: Reader, now: datetime) -> bool:
    """Active, not paused, and the reader's local send hour (and weekday) has come."""
    if reader.status != "active" or reader.frequency == "paused":
        return False
    local = local_time(reader, now)
    if reader.frequency == "weekly" and local.weekday() != reader.weekday:
        return False
    return local.hour == reader.send_hour


@dataclass
class Retry:
    attempts: int = 4
    first_delay: float = 1.0  # seconds, doubled after each transient failure


class _RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            delay = self.next_at - now
            self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            time.sleep(delay)


class Digests:
    def __init__(self, services, retry: Retry | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.engine = services.catalog.engine
        self.retry = retry or Retry()
        self.transport = make_transport(self.settings.smtp_url, self.settings.outbox_dir)
        self.rate = _RateLimit(self.settings.send_rate)
        self._send_lock = threading.Lock()

    # ---- who is due -----------------------------------------------------------------------

    def due(self, now: datetime | None = None, everyone: bool = False) -> list[tuple[int, str]]:
        """(reader id, edition key) for each reader whose send time has come and whose edition
        has no final log row yet; `everyone` ignores the send hour (`digest run --now`)."""
        return [(reader.id, key) for reader, key in self._due_readers(now or utcnow(), everyone)]

    def _due_readers(self, now: datetime, everyone: bool) -> list[tuple[Reader, str]]:
        done = self._final_keys()
        out = []
        for reader in self.services.readers.store.all(status="active"):
            if reader.frequency == "paused" or not (everyone or is_due(reader, now)):
                continue
            key = edition_key(reader, now)
            if (reader.id, key) not in done:
                out.append((reader, key))
        return out

    def _final_keys(self) -> set[tuple[int, str]]:
        with self.engine.connect() as conn:
            return {(r.reader_id, r.edition) for r in conn.execute(
                select(deliveries.c.reader_id, deliveries.c.edition).where(deliveries.c.status.in_(FINAL)))}

    # ---- one edition ----------------------------------------------------------------------

    def preview(self, reader: Reader, now: datetime | None = None):
        """The reader's next edition and its message, without sending or logging anything."""
        now = now or utcnow()
        edition = Composer(self.services, now).compose(reader, edition_key(reader, now))
        links = self.services.readers.links(reader)
        if not edition.count:
            return edition, None
        return edition, as_email_message(render_digest(self.settings, edition, links))

    def deliver(self, reader_id: int, key: str | None = None, now: datetime | None = None,
                composer: Composer | None = None, reader: Reader | None = None) -> str:
        """Send one reader's edition at most once; returns what happened."""
        now = now or utcnow()
        reader = reader or self.services.readers.store.get(reader_id)
        if reader is None or reader.status != "active":
            return "inactive"
        key = key or edition_key(reader, now)
        if self._logged(reader.id, key):
            return "already"
        composer = composer or Composer(self.services, now)
        if (self.settings.skip_empty_digest and reader.frequency == "daily"
                and not composer.has_new_announcement(reader)):
            return self._skip(reader, key, "no arXiv announcement since the last edition")
        edition = composer.compose(reader, key)
        if edition.count == 0:  # never an empty "no papers today" mail
            return self._skip(reader, key, "nothing new")
        msg = render_digest(self.settings, edition, self.services.readers.links(reader))
        return self._send(reader, key, msg, edition, now)

    def _logged(self, reader_id: int, key: str) -> bool:
        with self.engine.connect() as conn:
            status = conn.execute(select(deliveries.c.status)
                                  .where(_edition(deliveries, reader_id, key))).scalar()
        return status in FINAL

    def _skip(self, reader: Reader, key: str, why: str) -> str:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(reader_id=reader.id, edition=key, status="skipped",
                                                       attempts=0, error=why, finished_at=utcnow()))
        except IntegrityError:
            return "already"
        return "skipped"

    def _log_sent(self, reader: Reader, key: str, message_id: str, paper_ids: list[str],
                  now: datetime) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(
                    reader_id=reader.id, edition=key, status="sent", attempts=1, message_id=message_id,
                    paper_ids=paper_ids, claimed_at=now, finished_at=now))
                if paper_ids:
                    conn.execute(insert(sent_papers), [{"reader_id": reader.id, "paper_id": pid,
                                                        "edition": key} for pid in paper_ids])
                conn.execute(update(readers).where(readers.c.id == reader.id)
                             .values(last_edition=key, last_sent_at=now))
        except IntegrityError as exc:
            raise AlreadyDelivered(f"{reader.email} {key}") from exc

    def _unlog(self, reader: Reader, key: str, status: str, error: str) -> None:
        """The relay refused after we logged: undo, so the papers can go out another time."""
        with self.engine.begin() as conn:
            conn.execute(delete(sent_papers).where(_edition(sent_papers, reader.id, key)))
            conn.execute(delete(deliveries).where(_edition(deliveries, reader.id, key)))
            if status == "bounced":
                conn.execute(insert(deliveries).values(reader_id=reader.id, edition=key, status=status,
                                                       attempts=1, error=error, finished_at=utcnow()))

    def _send(self, reader: Reader, key: str, msg, edition: Edition, now: datetime) -> str:
        """Send with retries; `now` is the edition's time (what the next edition counts from)."""
        paper_ids = edition.paper_ids
        delay = self.retry.first_delay
        for attempt in range(1, self.retry.attempts + 1):
            committed = False

            def commit() -> None:
                nonlocal committed
                self._log_sent(reader, key, msg["Message-ID"], paper_ids, now)
                committed = True

            self.rate.wait()
            try:
                with self._send_lock:
                    self.transport.send(msg, commit)
                return "sent"
            except AlreadyDelivered:
                return "already"
            except PermanentFailure as exc:
                self._unlog(reader, key, "bounced", str(exc))
                stopped = self.services.readers.store.record_bounce(reader.id, str(exc),
                                                                    self.settings.bounce_threshold)
                log.warning("permanent failure for reader %s: %s%s", reader.id, exc,
                            " (no more mail to this address)" if stopped else "")
                return "bounced"
            except TransientFailure as exc:
                if committed:
                    self._unlog(reader, key, "failed", str(exc))
                log.info("transient failure for reader %s (attempt %s): %s", reader.id, attempt, exc)
                if attempt == self.retry.attempts:
                    return "failed"
                time.sleep(delay)
                delay *= 2
        return "failed"

    # ---- the fan-out ------------------------------------------------------------------------

    def run(self, now: datetime | None = None, everyone: bool = False, on_progress=None) -> dict[str, int]:
        """Deliver every due edition in this process (the CLI's `digest run`)."""
        now = now or utcnow()
        due = self._due_readers(now, everyone)
        composer = Composer(self.services, now)
        counts: dict[str, int] = {}
        for i, (reader, key) in enumerate(due, start=1):
            outcome = self.deliver(reader.id, key, now, composer, reader)
            counts[outcome] = counts.get(outcome, 0) + 1
            if on_progress:
                on_progress(i, len(due))
        return counts

    def send_confirmation(self, reader: Reader) -> None:
        msg = render_confirmation(self.settings, reader, self.services.readers.links(reader))
        self.rate.wait()
        with self._send_lock:
            self.transport.send(msg)

    def close(self) -> None:
        self.transport.close()
