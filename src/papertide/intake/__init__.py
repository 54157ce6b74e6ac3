"""Intake: every way papers get into the catalog, and what follows them. The CLI, the web
app and the job workers call these verbs, and nothing else, to bring papers in.

    intake = Intake(settings, catalog, search)        # services.intake in the fronts
    intake.load_files([Path("listing.txt")])          # files → catalog (`papertide ingest`)
    intake.pull()                                     # the live sources (`papertide fetch`)
    intake.pull_due(now)                              # the daily job: once per announcement
    intake.fetch_by_id(["2503.15457"])                # by arXiv id (`fetch --id`, the web)
    intake.fetch_unknown(ids)                         # the same, as a library import's fetcher
    intake.index_new(changed, queue_embedding=…)      # then the indexes; embed or queue it

Files are read by the parsers of `papertide.sources`; live sources are run through its
polite clients, one run per source under its claim, recorded in its run history. The
keyword index is fed as batches commit (files, pulls); papers fetched by id are indexed
by the next catch-up (a web request must not wait for the index writer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from papertide.catalog import Catalog
from papertide.config import Settings
from papertide.intake._after import Progress, index_new
from papertide.intake._files import BATCH_SIZE, IngestReport, ingest_files, ingest_records
from papertide.intake._pull import (
    ANNOUNCEMENT_MARGIN,
    OnPage,
    Outcome,
    due_day,
    fetch_by_id,
    fetch_unknown,
    pull,
)
from papertide.search import SearchService
from papertide.sources import PoliteClient, SourceRun, SourceSpec, request_client

__all__ = ["ANNOUNCEMENT_MARGIN", "BATCH_SIZE", "Intake", "IngestReport", "Outcome", "due_day",
           "ingest_files", "ingest_records"]

log = logging.getLogger(__name__)


class Intake:
    def __init__(self, settings: Settings, catalog: Catalog, search: SearchService) -> None:
        self.settings = settings
        self.catalog = catalog
        self.search = search

    def load_files(self, paths: Iterable[Path], fmt: str = "auto",
                   on_bytes: Callable[[int], None] | None = None) -> IngestReport:
        """Read files into the catalog, feeding the keyword index as batches commit."""
        with self.search.feeding() as feed:
            return ingest_files(self.catalog, paths, fmt, on_bytes=on_bytes, on_changed=feed)

    def pull(self, sources: Sequence[str | SourceSpec] | None = None, *,
             scheduled_for: date | None = None, on_start: Callable[[str], None] | None = None,
             on_page: OnPage | None = None, client: PoliteClient | None = None) -> list[Outcome]:
        """One run of each live source (default: `PAPERTIDE_SOURCES`), each under its claim."""
        return pull(self, sources, scheduled_for=scheduled_for, on_start=on_start,
                    on_page=on_page, client=client)

    def pull_due(self, now: datetime | None = None,
                 queue_embedding: Callable[[], None] | None = None) -> int:
        """Pull every configured source not yet pulled for the latest announcement, then
        queue the embedding of what changed; returns how many papers were added or updated."""
        settings = self.settings
        if not settings.sources.split():
            return 0
        day = due_day(now)
        outcomes = self.pull(scheduled_for=day)
        changed = sum(o.changed for o in outcomes)
        for outcome in outcomes:
            if outcome.run is None:
                log.info("%s: %s", outcome.spec, outcome.skipped)
        if changed and settings.embed_on_ingest and queue_embedding is not None:
            queue_embedding()
        if changed:
            log.info("pulled the sources for %s: %d papers added or updated", day, changed)
        return changed

    def fetch_by_id(self, ids: list[str], *, on_page: OnPage | None = None,
                    client: PoliteClient | None = None) -> SourceRun:
        """Fetch papers by arXiv id through the arXiv API (ValueError for a text that is no
        arXiv id); one recorded run, counted in the metrics."""
        return fetch_by_id(self, ids, on_page=on_page, client=client)

    def fetch_while_waiting(self, ids: list[str]) -> SourceRun:
        """`fetch_by_id` for a web request, which waits on arXiv a few seconds at most (no
        retries; `failed` when arXiv did not answer in time)."""
        return fetch_by_id(self, ids, client=request_client(self.settings))

    def fetch_unknown(self, ids: list[str]) -> tuple[set[str], str | None]:
        """Fetch the arXiv ids the catalog lacks: (the ids arXiv has, a failure or None)."""
        unknown = [i for i in dict.fromkeys(ids) if self.catalog.get(i) is None]
        return fetch_unknown(self, unknown) if unknown else (set(), None)

    def index_new(self, changed: int, on_progress: Progress | None = None,
                  queue_embedding: Callable[[], None] | None = None) -> bool:
        """What follows new papers: the indexes caught up, embedding done here or queued."""
        return index_new(self.search, self.settings, changed, on_progress, queue_embedding)
