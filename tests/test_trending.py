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


def observe(catalog, paper_id, days_ago=0.0, **values):
    """Store external signals for a paper as a live source would, observed `days_ago`."""
    from papertide.catalog import Signal
    from papertide.db.tables import signals

    catalog.upsert([Paper(title=f"Paper {paper_id[-1]}", abstract="x", arxiv_id=paper_id,
                          rank_hint=int(paper_id[-1]))],
                   [[Signal("hf-daily", name, value) for name, value in values.items()]])
    with catalog.engine.begin() as conn:
        conn.execute(signals.update().where(signals.c.paper_id == paper_id).values(
            observed_at=datetime.utcnow() - timedelta(days=days_ago)))


def test_an_upvote_weighs_like_a_vote_and_decays_from_its_observation(services):
    catalog = services.catalog
    add_papers(catalog, 2)
    observe(catalog, "2401.00001", upvotes=3)
    for actor in "abc":
        catalog.record_event("2401.00002", "vote", actor)
    week = trending.scores(catalog, "week")
    assert week["2401.00001"] == pytest.approx(week["2401.00002"], rel=0.01)
    observe(catalog, "2401.00001", days_ago=2, upvotes=3)  # one half-life of the week window
    week = trending.scores(catalog, "week")
    assert week["2401.00001"] == pytest.approx(week["2401.00002"] / 2, rel=0.01)
    # Observed before the day began: out of the day window, as an event would be.
    assert "2401.00001" not in trending.scores(catalog, "day")


def test_github_stars_count_log_scaled_behind_what_readers_do(services):
    catalog = services.catalog
    add_papers(catalog, 3)
    observe(catalog, "2401.00001", github_stars=100_000)
    observe(catalog, "2401.00002", github_stars=10)
    for actor in "abcdefghijklmnop":  # 16 votes
        catalog.record_event("2401.00003", "vote", actor)
    ranked = trending.scores(catalog, "week")
    assert ranked["2401.00001"] == pytest.approx(11.51, rel=0.01)
    assert ranked["2401.00002"] == pytest.approx(2.40, rel=0.01)
    assert [p.id for p, _ in trending.trending(catalog, "week", 3)] == [
        "2401.00003", "2401.00001", "2401.00002"]


def test_papers_without_attention_follow_newest_announced_first_and_undated_last(services):
    from datetime import date

    catalog = services.catalog
    add_papers(catalog, 2)  # a listing without dates, ranked 1 and 2
    catalog.upsert([Paper(title="Fresh", abstract="x", arxiv_id="2503.00001",
                          announced=date(2025, 3, 18)),
                    Paper(title="Older", abstract="x", arxiv_id="2503.00002",
                          announced=date(2025, 3, 17))])
    catalog.record_event("2401.00002", "vote", "a")
    assert [p.id for p, _ in trending.trending(catalog, "week", 10)] == [
        "2401.00002", "2503.00001", "2503.00002", "2401.00001"]
