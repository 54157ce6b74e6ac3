"""Pulling the live sources into the catalog, and fetching papers by arXiv id: what
`papertide fetch`, the daily job and the web's "fetch it from arXiv" all call through
`Intake` (`parts` is anything with the catalog, the search service and the settings).

    outcomes = pull(parts)                               # every PAPERTIDE_SOURCES item
    outcomes = pull(parts, ["hf-daily"], scheduled_for=date(2025, 3, 18))
    run = fetch_by_id(parts, ["2503.15457"])             # by arXiv id, via the arXiv API

Each source is pulled under a claim in the database (`sources.claims`), so two workers,
or a worker and an operator's `papertide fetch`, never pull the same source at once: the
second one skips it and says who holds it. A scheduled pull also records the
announcement day it covered, and skips a source already pulled for that day: the daily
job may run twice (two workers, a retry) and pulls once. The keyword index is fed as
pages commit; embedding is left to the caller (right away, or queued for the workers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from papertide import metrics
from papertide.catalog import Catalog, last_announcement, utcnow
from papertide.config import Settings
from papertide.search import SearchService
from papertide.sources import (
    PoliteClient,
    SourceRun,
    SourceSpec,
    claims,
    client_for,
    fetch,
    lookup_ids,
    parse_source,
)
from papertide.sources import parse_sources as parse_source_list

log = logging.getLogger(__name__)

# How long after arXiv's 20:00 US Eastern announcement the daily pull starts: the new
# listing reaches the OAI-PMH and API endpoints a little after it is announced.
ANNOUNCEMENT_MARGIN = timedelta(hours=1)
OnPage = Callable[[SourceRun], None]


class Parts(Protocol):
    """What pulling needs: the catalog it writes, the index it feeds, the settings."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def search(self) -> SearchService: ...
    @property
    def settings(self) -> Settings: ...


@dataclass
class Outcome:
    spec: str
    run: SourceRun | None = None  # None when the source was skipped
    skipped: str | None = None  # why

    @property
    def changed(self) -> int:
        return self.run.added + self.run.updated if self.run else 0

    def as_dict(self) -> dict:
        if self.run is None:
            return {"spec": self.spec, "status": "skipped", "reason": self.skipped}
        return self.run.as_dict()


def due_day(now: datetime | None = None) -> date:
    """The listing day of the latest arXiv announcement that is at least
    ANNOUNCEMENT_MARGIN old: what a scheduled pull at `now` (naive UTC) covers."""
    moment = last_announcement((now or utcnow()) - ANNOUNCEMENT_MARGIN)
    return moment.date()  # 20:00 US Eastern is already the listing's day in UTC


def _specs(parts: Parts, sources: Sequence[str | SourceSpec] | None) -> list[SourceSpec]:
    if sources is None:
        return parse_source_list(parts.settings.sources)
    return [parse_source(s) if isinstance(s, str) else s for s in sources]


def pull(parts: Parts, sources: Sequence[str | SourceSpec] | None = None, *,
         scheduled_for: date | None = None, on_start: Callable[[str], None] | None = None,
         on_page: OnPage | None = None, client: PoliteClient | None = None) -> list[Outcome]:
    """One run of each source (default: `PAPERTIDE_SOURCES`), each under its claim.
    With `scheduled_for`, a source already pulled for that announcement day is skipped,
    and a run that ends well marks it pulled."""
    specs = _specs(parts, sources)
    engine = parts.catalog.engine
    holder = claims.new_holder()
    outcomes: list[Outcome] = []
    own_client = client is None and bool(specs)
    client = client or (client_for(parts.settings) if specs else None)
    try:
        with parts.search.feeding() as feed:
            for spec in specs:
                name = str(spec)
                done = claims.get(engine, name)
                if scheduled_for and done and done.done_for and done.done_for >= scheduled_for:
                    outcomes.append(Outcome(name, skipped=f"already pulled for {scheduled_for}"))
                    continue
                if not claims.claim(engine, name, holder):
                    held = claims.get(engine, name)
                    since = held.claimed_at.isoformat(" ", "seconds") if held and held.claimed_at \
                        else "a moment ago"
                    who = held.holder if held else "another process"
                    outcomes.append(Outcome(name, skipped=f"being fetched by {who} since {since}"))
                    log.info("%s: skipped, %s", name, outcomes[-1].skipped)
                    continue
                # Claimed: a run that finished while we waited may have covered the day.
                done = claims.get(engine, name)
                if scheduled_for and done and done.done_for and done.done_for >= scheduled_for:
                    claims.release(engine, name, holder)
                    outcomes.append(Outcome(name, skipped=f"already pulled for {scheduled_for}"))
                    continue
                outcomes.append(_pull_one(parts, spec, holder, scheduled_for, feed, on_start,
                                          on_page, client))
    finally:
        if own_client and client is not None:
            client.close()
    return outcomes


def _pull_one(parts: Parts, spec: SourceSpec, holder: str, scheduled_for: date | None,
              feed: Callable | None, on_start: Callable[[str], None] | None,
              on_page: OnPage | None, client: PoliteClient | None) -> Outcome:
    engine = parts.catalog.engine
    name = str(spec)

    def page_done(run: SourceRun) -> None:
        if not claims.renew(engine, name, holder):
            log.warning("%s: the claim ran out during the run", name)
        if on_page is not None:
            on_page(run)

    run = None
    try:
        if on_start is not None:
            on_start(name)
        run = fetch(parts.catalog, spec, parts.settings, on_changed=feed,
                    on_page=page_done, client=client)
    finally:
        claims.release(engine, name, holder,
                       done_for=scheduled_for if run is not None and run.status == "ok" else None)
    if run is not None:
        _count(run)
    return Outcome(name, run)


def _count(run: SourceRun) -> None:
    metrics.count_fetched(run.source, run.status, {
        "added": run.added, "updated": run.updated, "unchanged": run.unchanged,
        "rejected": run.rejected})


def fetch_by_id(parts: Parts, ids: list[str], *, on_page: OnPage | None = None,
            client: PoliteClient | None = None) -> SourceRun:
    """Fetch papers by arXiv id through the arXiv API into the catalog (ValueError for a
    text that is no arXiv id). The keyword index is not fed here: a web request must not
    wait for the index writer a running pull holds; `catch_up` (or the web app's follower,
    within seconds) indexes them."""
    run = lookup_ids(parts.catalog, ids, parts.settings, on_page=on_page, client=client)
    _count(run)
    return run


def fetch_unknown(parts: Parts, ids: list[str]) -> tuple[set[str], str | None]:
    """Fetch these arXiv ids (those the catalog lacks) from arXiv: (the ids arXiv has, now in
    the catalog; why nothing came, when arXiv could not be asked). What the library's
    import and "save by id" take as their fetcher."""
    run = fetch_by_id(parts, ids)
    if run.status == "failed":
        return set(), "; ".join(run.errors)[:200] or "arXiv did not answer"
    missing = set(run.detail.get("missing", []))
    return {i for i in ids if i not in missing}, None
