"""The digest service: who is due, one edition delivered at most once, the fan-out."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from zoneinfo import ZoneInfo

from papertide import metrics
from papertide.catalog import Catalog, utcnow
from papertide.config import Settings
from papertide.digest._compose import Composer, Edition
from papertide.digest._log import AlreadyDelivered, DeliveryLog
from papertide.digest._render import render_digest
from papertide.library import Library
from papertide.mail import Mailer, PermanentFailure, TransientFailure, as_email_message
from papertide.readers import Reader, Readers
from papertide.search import SearchService

log = logging.getLogger(__name__)
COMPOSER_REUSE = timedelta(minutes=2)  # how long queued deliveries share one composer


def local_time(reader: Reader, now: datetime) -> datetime:
    return now.replace(tzinfo=UTC).astimezone(ZoneInfo(reader.timezone))


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


class Digests:
    def __init__(self, settings: Settings, catalog: Catalog, search: SearchService,
                 readers: Readers, library: Library, mailer: Mailer,
                 retry: Retry | None = None) -> None:
        self.settings = settings
        self.catalog = catalog
        self.search = search
        self.readers = readers
        self.library = library
        self.mailer = mailer
        self.log = DeliveryLog(catalog.engine, readers.store)
        self.retry = retry or Retry()
        self._composer: Composer | None = None
        self._composer_lock = threading.Lock()

    def composer(self, now: datetime) -> Composer:
        """A composer of editions as of `now` (share it across one fan-out)."""
        return Composer(self.catalog, self.search, self.library, self.readers, self.log,
                        self.settings.search_mode, now)

    # ---- who is due -----------------------------------------------------------------------

    def due(self, now: datetime | None = None, everyone: bool = False) -> list[tuple[int, str]]:
        """(reader id, edition key) for each reader whose send time has come and whose edition
        has no final log row yet; `everyone` ignores the send hour (`digest run --now`)."""
        return [(reader.id, key) for reader, key in self._due_readers(now or utcnow(), everyone)]

    def _due_readers(self, now: datetime, everyone: bool) -> list[tuple[Reader, str]]:
        done = self.log.final_keys()
        out = []
        for reader in self.readers.store.all(status="active"):
            if reader.frequency == "paused" or not (everyone or is_due(reader, now)):
                continue
            key = edition_key(reader, now)
            if (reader.id, key) not in done:
                out.append((reader, key))
        return out

    # ---- one edition ----------------------------------------------------------------------

    def preview(self, reader: Reader, now: datetime | None = None
                ) -> tuple[Edition, EmailMessage | None]:
        """The reader's next edition and its message, without sending or logging anything."""
        now = now or utcnow()
        edition = self.composer(now).compose(reader, edition_key(reader, now))
        links = self.readers.links(reader)
        if not edition.count:
            return edition, None
        return edition, as_email_message(render_digest(self.settings, edition, links))

    def deliver(self, reader_id: int, key: str | None = None, now: datetime | None = None,
                composer: Composer | None = None, reader: Reader | None = None) -> str:
        """Send one reader's edition at most once; returns what happened (sent, skipped,
        bounced, failed, already, inactive), also counted in the metrics."""
        outcome = self._deliver(reader_id, key, now, composer, reader)
        metrics.count_delivery(outcome)
        return outcome

    def _shared_composer(self) -> Composer:
        """Queued jobs deliver one reader each: the jobs of a few minutes share one composer
        (its trending list, topic searches and dates), as one `run` shares one for the whole
        edition. Recomputing trending for every job made a worker 2× slower."""
        now = utcnow()
        with self._composer_lock:
            composer = self._composer
            if composer is None or not timedelta(0) <= now - composer.now < COMPOSER_REUSE:
                composer = self._composer = self.composer(now)
            return composer

    def _deliver(self, reader_id: int, key: str | None, now: datetime | None,
                 composer: Composer | None, reader: Reader | None) -> str:
        if composer is None and now is None:
            # The edition is as of the composer's time: the log says the same, so a paper
            # first seen after it goes in the next edition, not in neither.
            composer = self._shared_composer()
            now = composer.now
        now = now or utcnow()
        reader = reader or self.readers.store.get(reader_id)
        if reader is None or reader.status != "active":
            return "inactive"
        key = key or edition_key(reader, now)
        if self.log.is_final(reader.id, key):
            return "already"
        composer = composer or self.composer(now)
        if (self.settings.skip_empty_digest and reader.frequency == "daily"
                and not composer.has_new_announcement(reader)):
            return self._skip(reader, key, "no arXiv announcement since the last edition")
        edition = composer.compose(reader, key)
        if edition.count == 0:  # never an empty "no papers today" mail
            return self._skip(reader, key, "nothing new")
        msg = render_digest(self.settings, edition, self.readers.links(reader))
        return self._send(reader, key, msg, edition, now)

    def _skip(self, reader: Reader, key: str, why: str) -> str:
        return "skipped" if self.log.skip(reader.id, key, why) else "already"

    def _send(self, reader: Reader, key: str, msg: Message, edition: Edition, now: datetime) -> str:
        """Send with retries; `now` is the edition's time (what the next edition counts from)."""
        paper_ids = edition.paper_ids
        delay = self.retry.first_delay
        for attempt in range(1, self.retry.attempts + 1):
            committed = False

            def commit() -> None:
                nonlocal committed
                self.log.log_sent(reader.id, key, msg["Message-ID"], paper_ids, now)
                committed = True

            try:
                self.mailer.send(msg, commit)
                return "sent"
            except AlreadyDelivered:
                return "already"
            except PermanentFailure as exc:
                self.log.unlog(reader.id, key, bounced_with=str(exc))
                stopped = self.readers.store.record_bounce(reader.id, str(exc),
                                                                    self.settings.bounce_threshold)
                log.warning("permanent failure for reader %s: %s%s", reader.id, exc,
                            " (no more mail to this address)" if stopped else "")
                return "bounced"
            except TransientFailure as exc:
                if committed:
                    self.log.unlog(reader.id, key)
                log.info(
                    "transient failure for reader %s (attempt %s): %s", reader.id, attempt, exc
                )
                if attempt == self.retry.attempts:
                    return "failed"
                time.sleep(delay)
                delay *= 2
        return "failed"

    # ---- the fan-out ------------------------------------------------------------------------

    def run(self, now: datetime | None = None, everyone: bool = False,
            on_progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Deliver every due edition in this process (the CLI's `digest run`)."""
        now = now or utcnow()
        due = self._due_readers(now, everyone)
        composer = self.composer(now)
        counts: dict[str, int] = {}
        for i, (reader, key) in enumerate(due, start=1):
            outcome = self.deliver(reader.id, key, now, composer, reader)
            counts[outcome] = counts.get(outcome, 0) + 1
            if on_progress:
                on_progress(i, len(due))
        return counts

    def close(self) -> None:
        self.mailer.close()
