"""The daily view: the papers of one arXiv announcement day, trending first.

    page = day_listing(catalog, date(2025, 3, 18), category="cs.LG", limit=20)
    page = day_listing(catalog, None)          # the latest day with papers ("today")

A paper belongs to the day of its announcement (`Paper.announced`: the arXiv listing that
first carried it, or the day Hugging Face's daily list showed it). Within the day, papers
rank by their trending score over all time (readers' votes, saves and views, and the
day's Hugging Face upvotes; every paper of a day is equally fresh, so the score is their
attention), and the papers nobody has touched follow in their source's listing order,
then newest first. A category filter keeps a paper listed in that category (`cs.LG`) or
archive (`cs`) — cross-lists included, as arXiv's own daily lists do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from papertide import trending
from papertide.catalog import Catalog, DayEntry, Paper
from papertide.catalog.arxiv_taxonomy import in_category
from papertide.options import Window

DAY_WINDOW: Window = "all"
_EPOCH = datetime(1970, 1, 1)


@dataclass
class DayPage:
    day: date | None  # None: no paper has an announcement date yet
    category: str | None
    previous: date | None = None  # the announcement days with papers either side
    next: date | None = None
    total: int = 0  # papers of the day (in the category)
    items: list[tuple[Paper, float]] = field(default_factory=list)
    offset: int = 0
    has_more: bool = False


def _order(entries: list[DayEntry], scored: dict[str, float]) -> list[DayEntry]:
    def key(entry: DayEntry) -> tuple:
        # Seconds from 1970, not `.timestamp()`: that fails on 0001-01-01 (an old row).
        newest = -(entry.published - _EPOCH).total_seconds() if entry.published else float("inf")
        rank = entry.rank_hint if entry.rank_hint is not None else float("inf")
        return (-scored.get(entry.id, 0.0), rank, newest, entry.id)

    return sorted(entries, key=key)


def day_listing(catalog: Catalog, day: date | None, category: str | None = None,
                limit: int = 20, offset: int = 0,
                now: datetime | None = None) -> DayPage:
    """One page of a day's papers, best first, with the neighbouring days; `day` None is
    the latest announcement day with papers."""
    day = day or catalog.latest_announcement()
    category = (category or "").strip() or None
    page = DayPage(day=day, category=category, offset=offset)
    if day is None:
        return page
    page.previous, page.next = catalog.neighbour_days(day)
    entries = catalog.announced_on(day)
    if category:
        entries = [e for e in entries if in_category(e.categories, category)]
    page.total = len(entries)
    scored = trending.scores(catalog, DAY_WINDOW, now, among=[e.id for e in entries])
    ranked = _order(entries, scored)[offset:offset + limit + 1]
    page.has_more = len(ranked) > limit
    ranked = ranked[:limit]
    papers = catalog.get_many([e.id for e in ranked])
    page.items = [(p, scored.get(p.id, 0.0)) for p in papers]
    return page
