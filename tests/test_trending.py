"""The trending score: votes, saves and views with time decay, per window."""

from datetime import datetime, timedelta

import pytest

from papertide import trending
from papertide.catalog import Paper
from papertide.db.tables import events


def add_papers(catalog, n=3, published=None):
    catalog.upsert([Paper(title=f"Paper {i}", abstract="x", arxiv_id=f"2401.0000{i}",
                          published=published, rank_hint=i) for i in range(1, n + 1)])


def backdate(catalog, days):
    with catalog.engine.begin() as conn:
        conn.execute(events.update().values(created_at=datetime.utcnow() - timedelta(days=days)))


def test_engagement_orders_papers_and_untouched_ones_follow_in_listing_order(services):
    catalog = services.catalog
    add_papers(catalog, 4)
    catalog.record_event("2401.00003", "vote", "a")
    catalog.record_event("2401.00003", "vote", "b")
    catalog.record_event("2401.00002", "save", "a")
    catalog.record_event("2401.00002", "view", "a", "2026-01-01")
    ranked = [p.id for p, _ in trending.trending(catalog, "week", 10)]
    assert ranked == ["2401.00002", "2401.00003", "2401.00001", "2401.00004"]


def test_old_events_fall_out_of_short_windows_and_decay(services):
    catalog = services.catalog
    add_papers(catalog, 2)
    catalog.record_event("2401.00001", "vote", "a")
    backdate(catalog, 3)
    catalog.record_event("2401.00002", "vote", "b")
    day = trending.scores(catalog, "day")
    assert "2401.00001" not in day and day["2401.00002"] > 0
    week = trending.scores(catalog, "week")
    assert week["2401.00002"] > week["2401.00001"] > 0
    # half-life of the week window is 2 days: a 3-day-old vote weighs 2^-1.5
    assert week["2401.00001"] / week["2401.00002"] == pytest.approx(2 ** -1.5, rel=0.01)


def test_older_papers_need_more_attention(services):
    catalog = services.catalog
    now = datetime.utcnow()
    catalog.upsert(
        [
            Paper(title="New", abstract="x", arxiv_id="2401.00001", published=now),
            Paper(
                title="Old", abstract="x", arxiv_id="2401.00002", published=now - timedelta(days=30)
            ),
        ]
    )
    catalog.record_event("2401.00001", "vote", "a")
    catalog.record_event("2401.00002", "vote", "a")
    scores = trending.scores(catalog, "all")
    assert scores["2401.00002"] == pytest.approx(scores["2401.00001"] / 2, rel=0.01)


def test_unknown_window_is_an_error(services):
    with pytest.raises(ValueError):
        trending.scores(services.catalog, "year")
