"""What follows new papers: the search indexes brought level with the catalog, and the
embedding of what changed — right away in the embedded setup, as queued jobs (handed in
by the caller: the queue is a front's) when `PAPERTIDE_QUEUE_URL` is set."""

from __future__ import annotations

from collections.abc import Callable

from papertide.config import Settings
from papertide.search import SearchService

Progress = Callable[[str, int, int], None]  # index name, done, total


def index_new(search: SearchService, settings: Settings, changed: int,
              on_progress: Progress | None = None,
              queue_embedding: Callable[[], None] | None = None) -> bool:
    """Catch the indexes up after `changed` papers came in (as `papertide ingest` does);
    returns True when the embedding was queued for the workers instead of done here."""
    embed_now = settings.embed_on_ingest and not settings.queue_url
    search.catch_up(on_progress, embed=embed_now)
    if settings.embed_on_ingest and settings.queue_url and changed and queue_embedding:
        queue_embedding()
        return True
    return False
