"""Background work on huey: the digest schedule, digest deliveries, embedding, the daily
pull of the live sources, and the mails that the web app's visitors ask for
(confirmations, sign-in links).

    jobs = Jobs(services)            # registers the tasks on this process's queue
    jobs.enqueue_embedding(shards=4) # four workers embed disjoint slices in parallel
    jobs.pull_due()                  # what the hourly `pull_sources` task runs
    jobs.sign_in_mail("ada@example.org")   # the web app answers, a worker sends
    jobs.consumer(workers=2).run()   # what `papertide worker` runs

The live sources (`PAPERTIDE_SOURCES`) are pulled once per arXiv announcement: a periodic
task runs every hour at half past, and once the latest announcement (20:00 US Eastern) is
`intake.ANNOUNCEMENT_MARGIN` old, pulls each source not yet pulled for that listing day,
under the source's claim in the database (so two workers never pull one source at once,
and a second run the same day pulls nothing). The keyword index is fed as pages commit;
the new papers are then embedded by queued jobs, as after `papertide ingest`.

The queue is a SQLite file in the data dir by default and Redis with `PAPERTIDE_QUEUE_URL`
(many workers on many machines). Every task is idempotent: a delivery checks the log
first, embedding skips papers that already have a vector, so a task that runs twice —
a retry, a duplicate enqueue — changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from papertide.catalog import utcnow
from papertide.config import Settings
from papertide.readers import Topic
from papertide.services import Services

__all__ = ["Jobs", "make_huey"]

# The tasks stay defined in this module: huey names a queued task by its function's module
# (`papertide.jobs.deliver_digest`), and a job queued by one release must be recognised by
# the workers of the next.
log = logging.getLogger(__name__)
EMBED_SHARDS = 4  # embedding jobs queued after a pull, each over a disjoint slice


class _EmbeddedConsumer(Consumer):
    """A consumer running inside another program (the web server), which owns the process's
    signal handlers: it is stopped by that program, not by signals of its own."""

    def _set_signal_handlers(self) -> None:
        pass


def make_huey(settings: Settings, immediate: bool = False) -> Huey:
    if settings.queue_url:
        if not settings.queue_url.startswith("redis"):
            raise ValueError("PAPERTIDE_QUEUE_URL must be a redis:// URL")
        return RedisHuey(settings.queue_name, url=settings.queue_url, immediate=immediate)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        settings.queue_name, filename=str(settings.data_dir / "queue.db"), immediate=immediate
    )


class Jobs:
    def __init__(self, services: Services, immediate: bool = False) -> None:
        self.services = services
        self.huey = make_huey(services.settings, immediate)
        huey = self.huey

        @huey.task(name="deliver_digest", retries=3, retry_delay=60)
        def deliver_digest(reader_id: int, key: str) -> str:
            return services.digests.deliver(reader_id, key)

        @huey.task(name="embed_papers", retries=2, retry_delay=30)
        def embed_papers(shard: int = 0, shards: int = 1) -> int:
            done = services.search.semantic.embed_pending(shard=shard, shards=shards)
            services.search.catch_up()
            return done

        # A retry counts against the address's mail limit again: one retry only.
        @huey.task(name="subscribe_mail", retries=1, retry_delay=30)
        def subscribe_mail(email: str, topics: list[Topic]) -> str:
            return services.account_mails.answer_subscribe(email, topics)

        @huey.task(name="sign_in_mail", retries=1, retry_delay=30)
        def sign_in_mail(email: str) -> str:
            return services.account_mails.answer_sign_in(email)

        @huey.task(name="address_mail", retries=1, retry_delay=30)
        def address_mail(reader_id: int, email: str) -> str:
            return services.account_mails.answer_address_change(reader_id, email)

        # Papers a web request could not wait for (arXiv slow or away, or many ids): fetched
        # here, and saved to the reader's library when a reader asked for them.
        @huey.task(name="fetch_papers", retries=3, retry_delay=120)
        def fetch_papers(ids: list[str], reader_id: int | None = None,
                         tags: list[str] | None = None) -> int:
            return self.fetch_papers_now(ids, reader_id, tags or [])

        @huey.periodic_task(crontab(minute="*"), name="schedule_digests")
        def schedule_digests() -> int:
            return self.enqueue_due()

        @huey.periodic_task(crontab(minute="30"), name="pull_sources")
        def pull_sources() -> int:
            return self.pull_due()

        self.deliver_digest = deliver_digest
        self.embed_papers = embed_papers
        self.schedule_digests = schedule_digests
        self.subscribe_mail = subscribe_mail
        self.sign_in_mail = sign_in_mail
        self.address_mail = address_mail
        self.pull_sources = pull_sources
        self.fetch_papers = fetch_papers

    def fetch_papers_now(self, ids: list[str], reader_id: int | None = None,
                         tags: Sequence[str] = ()) -> int:
        """Fetch the papers of these arXiv ids the catalog lacks (raising when arXiv did not
        answer, so that the queue tries again) and save all found to the reader's library;
        how many were saved (or found, without a reader)."""
        missing = [i for i in ids if self.services.catalog.get(i) is None]
        if missing:
            run = self.services.intake.fetch_by_id(missing)
            if run.status == "failed":
                raise RuntimeError(f"arXiv did not answer: {'; '.join(run.errors)[:300]}")
        found = [i for i in ids if self.services.catalog.get(i) is not None]
        if reader_id is not None:
            for arxiv_id in found:
                self.services.library.save(reader_id, arxiv_id, list(tags))
        return len(found)

    def queue_depth(self) -> int:
        """Jobs waiting for a worker."""
        return int(self.huey.pending_count())

    def pull_due(self, now: datetime | None = None) -> int:
        """Pull every configured source not yet pulled for the latest announcement, then
        queue the embedding of what changed; returns how many papers were added or updated."""
        return self.services.intake.pull_due(
            now, queue_embedding=lambda: self.enqueue_embedding(shards=EMBED_SHARDS))

    def enqueue_due(self, now: datetime | None = None) -> int:
        """One delivery job for each reader whose local send hour has come."""
        due = self.services.digests.due(now or utcnow())
        for reader_id, key in due:
            self.deliver_digest(reader_id, key)
        if due:
            log.info("enqueued %d digest deliveries", len(due))
        return len(due)

    def enqueue_embedding(self, shards: int = 1) -> None:
        for shard in range(shards):
            self.embed_papers(shard, shards)

    def consumer(self, workers: int = 2, embedded: bool = False) -> Consumer:
        """`run()` it as a program (`papertide worker`), or `start()`/`stop()` it inside
        another one with `embedded=True` (`papertide serve`)."""
        options = dict(
            workers=workers, worker_type="thread", periodic=True, check_worker_health=True
        )
        if embedded:
            return _EmbeddedConsumer(self.huey, **options)
        return self.huey.create_consumer(**options)
