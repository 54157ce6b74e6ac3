"""The trending score: what readers — here and in the wider community — pay attention to now.

    score = freshness × ( Σ over the window's events of   weight(kind) × decay(event time)
                        + Σ over the window's signals of  worth(signal) × decay(observed at) )

    weight:     vote 1.0 · save 2.0 · view 0.1
    worth:      upvotes (Hugging Face) 1.0 each · GitHub stars 1.0 × ln(1 + stars)
    decay(t):   ½^((now − t) / half_life)
    half_life:  day 6 h · week 2 d · month 7 d · all 30 d
    freshness:  1 / (1 + paper_age_days / 30)

Why this shape: a save is a reader keeping the paper (a stronger signal than a vote); a
view is cheap and noisy, so ten views weigh one vote. Decaying each event by its own age
makes the ranking follow attention *now* rather than all-time totals (Hacker News decays
by item age only, which lets an old burst linger), and the window's half-life sets how
fast attention fades for that tab. Freshness gives new papers the edge a discovery
service wants without burying an older paper that is being discussed today: a paper a
month old needs twice the attention of today's to rank beside it. A paper's age counts
from its listing time (the arXiv announcement day, else its publication; for an undated
paper, when the catalog first saw it).

External signals are attention from outside this instance, observed by the live sources
(`catalog.signals`). An upvote on Hugging Face's daily papers is one person's vote, so it
weighs like a local vote. We do not see when each upvote was cast, only the count at the
last observation, so the count decays from that observation as one event would: the
source refreshes a daily list for a day or two while its upvotes still grow, then leaves
it, and the paper fades like a discussion that stopped. Stars are another matter: they
count a repository's whole life (often years before the paper, and mostly for other
reasons), and they span six orders of magnitude, so they enter log-scaled — 10 stars
weigh 2.4 votes, 1,000 weigh 6.9, 100,000 weigh 11.5 — a tie-breaker among papers with
code, never a rival to what readers do. A signal observed before the window began is
left out, as an event would be.

The scores of a window are computed at most once per `RECENT_SECONDS` in a process and
reused meanwhile (under load this was a tenth of a web process's time): a vote or an
ingest through the same process recomputes them at once; one through another process
shows within that second. The counts shown beside each paper are always read fresh.

Papers nobody has touched yet follow, newest listing first (see `Catalog.newest`); papers
without a date come after the dated ones, in their source's listing order (a curated
trending listing is itself a signal).
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from papertide.catalog import Catalog, Paper, Signal, utcnow
from papertide.catalog.arxiv_taxonomy import in_category
from papertide.options import WINDOWS, Window

WEIGHTS = {"vote": 1.0, "save": 2.0, "view": 0.1}
UPVOTE_WEIGHT = 1.0
STARS_WEIGHT = 1.0
# Each window's span (None: all time) and the half-life of its events.
SPANS: dict[Window, tuple[timedelta | None, timedelta]] = {
    "day": (timedelta(days=1), timedelta(hours=6)),
    "week": (timedelta(days=7), timedelta(days=2)),
    "month": (timedelta(days=30), timedelta(days=7)),
    "all": (None, timedelta(days=30)),
}
FRESHNESS_DAYS = 30.0
RECENT_SECONDS = 1.0
CATEGORY_DEPTH = 2000  # a category's trending papers are found among this many overall
# Per catalog object and window: (computed at, catalog.changes then, scores, ranking).
_recent: weakref.WeakKeyDictionary[Catalog, dict[Window, tuple[float, int, dict[str, float],
                                                                list[tuple[str, float]]]]]
_recent = weakref.WeakKeyDictionary()
_recent_lock = threading.Lock()


def signal_worth(signal: Signal) -> float:
    """What an observed external signal counts as, in votes (before decay)."""
    if signal.name == "upvotes":
        return UPVOTE_WEIGHT * max(signal.value, 0.0)
    if signal.name == "github_stars":
        return STARS_WEIGHT * math.log1p(max(signal.value, 0.0))
    return 0.0


def _current(catalog: Catalog, window: Window) -> tuple[dict[str, float],
                                                        list[tuple[str, float]]]:
    """The window's scores now and their ranking, best first: reused for up to
    `RECENT_SECONDS` unless this process changed the catalog since. Read-only."""
    stamp = time.monotonic()
    with _recent_lock:
        cached = _recent.get(catalog, {}).get(window)
    if cached and stamp - cached[0] < RECENT_SECONDS and cached[1] == catalog.changes:
        return cached[2], cached[3]
    changes = catalog.changes
    fresh = _scores(catalog, window, None, None)
    ranked = sorted(fresh.items(), key=lambda kv: (-kv[1], kv[0]))
    with _recent_lock:
        _recent.setdefault(catalog, {})[window] = (stamp, changes, fresh, ranked)
    return fresh, ranked


def scores(catalog: Catalog, window: Window = "week", now: datetime | None = None,
           among: Sequence[str] | None = None) -> dict[str, float]:
    """Trending score of every paper with engagement or signals in the window (only of
    the papers `among`, when given). Read-only: without `now` and `among` it may be the
    same dict another caller got."""
    if window not in SPANS:
        raise ValueError(f"unknown window {window!r}; choose from {', '.join(WINDOWS)}")
    if now is None and among is None:
        return _current(catalog, window)[0]
    return _scores(catalog, window, now, among)


def _scores(catalog: Catalog, window: Window, now: datetime | None,
            among: Sequence[str] | None) -> dict[str, float]:
    if window not in SPANS:
        raise ValueError(f"unknown window {window!r}; choose from {', '.join(WINDOWS)}")
    now = now or utcnow()
    span, half_life = SPANS[window]
    since = now - span if span else None
    seconds = half_life.total_seconds()

    def decay(at: datetime) -> float:
        return 0.5 ** (max((now - at).total_seconds(), 0.0) / seconds)

    attention: dict[str, float] = defaultdict(float)
    for paper_id, kind, at in catalog.events_since(since, among):
        attention[paper_id] += WEIGHTS.get(kind, 0.0) * decay(at)
    for paper_id, signal in catalog.signals_since(since, among):
        worth = signal_worth(signal)
        if worth > 0 and signal.observed_at is not None:
            attention[paper_id] += worth * decay(signal.observed_at)
    dated = catalog.freshness_dates(attention)
    result = {}
    for paper_id, value in attention.items():
        age_days = max((now - dated.get(paper_id, now)).total_seconds() / 86400, 0.0)
        result[paper_id] = value / (1.0 + age_days / FRESHNESS_DAYS)
    return result


def trending(catalog: Catalog, window: Window = "week", limit: int = 20, offset: int = 0,
             now: datetime | None = None, category: str | None = None
             ) -> list[tuple[Paper, float]]:
    """The trending papers, best first, with their scores. With a `category` (`cs.LG`, or
    an archive: `cs`), only its papers, found among the best `CATEGORY_DEPTH` overall (a
    bounded read; deeper pages of one category are papers nobody touched, which search's
    newest-first lists in full)."""
    if window not in SPANS:
        raise ValueError(f"unknown window {window!r}; choose from {', '.join(WINDOWS)}")
    if category and category.strip():
        ranked_overall = trending(catalog, window, CATEGORY_DEPTH, now=now)
        return [(p, s) for p, s in ranked_overall if in_category(p.categories, category)][
            offset:offset + limit]
    if now is None:
        ranked = _current(catalog, window)[1]
    else:
        ranked = sorted(_scores(catalog, window, now, None).items(),
                        key=lambda kv: (-kv[1], kv[0]))
    page = ranked[offset:offset + limit]
    score_of = dict(page)  # a paper gone since it was scored is left out, not mis-scored
    result = [(paper, score_of[paper.id]) for paper in catalog.get_many(list(score_of))]
    if len(result) < limit:
        fill_offset = max(0, offset - len(ranked))
        rest = catalog.newest(limit - len(result), fill_offset, exclude=[pid for pid, _ in ranked])
        result += [(paper, 0.0) for paper in rest]
    return result
