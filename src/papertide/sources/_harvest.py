"""One run of one live source, as the source modules see it: the polite client, the run's
record, the source's saved state, and `commit`, which puts one page into the catalog.

Each page goes in as one transaction (papers and their signals together), so a page
that fails half-way leaves the catalog as it was before it; the source saves its state
only after that commit. What the page brought is tallied into the run and logged:
rejections, duplicates within the page, papers whose new version changed the title.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from papertide.catalog import Catalog, Paper, Signal, UpsertResult, utcnow
from papertide.config import Settings
from papertide.sources import _state
from papertide.sources._common import Rejected
from papertide.sources._http import PoliteClient
from papertide.sources._runs import SourceRun

log = logging.getLogger("papertide.sources")
OnChanged = Callable[[UpsertResult], None]
OnPage = Callable[[SourceRun], None]


class Harvest:
    def __init__(self, catalog: Catalog, settings: Settings, client: PoliteClient, run: SourceRun,
                 on_changed: OnChanged | None = None, on_page: OnPage | None = None) -> None:
        self.catalog = catalog
        self.settings = settings
        self.client = client
        self.run = run
        self.on_changed = on_changed
        self.on_page = on_page

    @staticmethod
    def today() -> date:
        return utcnow().date()

    def note(self, text: str, level: int = logging.INFO) -> None:
        log.log(level, "%s: %s", self.run.spec, text)
        self.run.note(text)

    def load_state(self, scope: str) -> dict:
        return _state.load(self.catalog.engine, self.run.source, scope) or {}

    def save_state(self, scope: str, value: dict) -> None:
        _state.save(self.catalog.engine, self.run.source, scope, value)

    def commit(self, where: str, papers: list[Paper], rejected: Iterable[Rejected] = (),
               skipped: int = 0, signals: Sequence[Iterable[Signal]] | None = None) -> UpsertResult:
        """Upsert one page's papers (with their signals) in one transaction and tally it."""
        result = self.catalog.upsert(papers, signals)
        run = self.run
        run.pages += 1
        run.added += result.added
        run.updated += result.updated
        run.unchanged += result.unchanged
        run.skipped += skipped
        for item in rejected:
            run.reject(str(item))
            log.warning("%s: rejected %s", run.spec, item)
        repeated = sorted(pid for pid, count in Counter(result.ids).items() if count > 1)
        if repeated:
            self.note(f"{where}: {len(repeated)} paper(s) listed more than once, merged into one "
                      f"(the later record wins): {', '.join(repeated[:10])}", logging.WARNING)
        for pid, old, new in result.retitled:
            self.note(f"{pid}: new title {new!r} (was {old!r})")
        log.info(
            "%s: %s: %d records: %d added, %d updated, %d unchanged, %d skipped",
            run.spec,
            where,
            len(papers),
            result.added,
            result.updated,
            result.unchanged,
            skipped,
        )
        if self.on_changed is not None and result.changed:
            self.on_changed(result)
        if self.on_page is not None:
            self.on_page(run)
        return result
