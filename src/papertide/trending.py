"""The trending score: what readers are paying attention to now.

    score = freshness × Σ over the window's events of  weight(kind) × ½^(age_of_event / half_life)

    weight:     vote 1.0 · save 2.0 · view 0.1
    half_life:  day 6 h · week 2 d · month 7 d · all 30 d
    freshness:  1 / (1 + paper_age_days / 30)

Why this shape: a save is a reader keeping the paper (a stronger signal than a vote); a
view is cheap and noisy, so ten views weigh one vote. Decaying each event by its own age
makes the ranking follow attention *now* rather than all-time totals (Hacker News decays
by item age only, which lets an old burst linger), and the window's half-life sets how
fast attention fades for that tab. Freshness gives new papers the edge a discovery
service wants without burying an older paper that is being discussed today: a paper a
month old needs twice the attention of today's to rank beside it.

Papers nobody has touched yet follow, in their source's listing order (a curated trending
listing is itself a signal), then newest first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from papertide.catalog import Catalog, Paper, utcnow
from papertide.options import WINDOWS, Window

WEIGHTS = {"vote": 1.0, "save": 2.0, "view": 0.1}
# Each window's span (None: all time) and the half-life of its events.
SPANS: dict[Window, tuple[timedelta | None, timedelta]] = {
    "day": (timedelta(days=1), timedelta(hours=6)),
    "week": (timedelta(days=7), timedelta(days=2)),
    "month": (timedelta(days=30), timedelta(days=7)),
    "all": (None, timedelta(days=30)),
}
FRESHNESS_DAYS = 30.0


def scores(catalog: Catalog, window: Window = "week",
           now: datetime | None = None) -> dict[str, float]:
    """Trending score of every paper with engagement in the window."""
    if window not in SPANS:
        raise ValueError(f"unknown window {window!r}; choose from {', '.join(WINDOWS)}")
    now = now or utcnow()
    span, half_life = SPANS[window]
    engagement: dict[str, float] = defaultdict(float)
    for paper_id, kind, at in catalog.events_since(now - span if span else None):
        age = max((now - at).total_seconds(), 0.0)
        engagement[paper_id] += WEIGHTS.get(kind, 0.0) * 0.5 ** (age / half_life.total_seconds())
    published = catalog.published_dates(engagement)
    result = {}
    for paper_id, value in engagement.items():
        age_days = max((now - published.get(paper_id, now)).total_seconds() / 86400, 0.0)
        result[paper_id] = value / (1.0 + age_days / FRESHNESS_DAYS)
    return result


def trending(catalog: Catalog, window: Window = "week", limit: int = 20, offset: int = 0,
             now: datetime | None = None) -> list[tuple[Paper, float]]:
    """The trending papers, best first, with their scores."""
    ranked = sorted(scores(catalog, window, now).items(), key=lambda kv: (-kv[1], kv[0]))
    page = ranked[offset:offset + limit]
    papers = catalog.get_many([pid for pid, _ in page])
    result = list(zip(papers, [score for _, score in page], strict=True))
    if len(result) < limit:
        fill_offset = max(0, offset - len(ranked))
        rest = catalog.newest(limit - len(result), fill_offset, exclude=[pid for pid, _ in ranked],
                              listing_first=True)
        result += [(paper, 0.0) for paper in rest]
    return result
