"""Newest first means the newest listing: the announcement day, else the publication date;
papers from files without dates come after every dated one, in their listing order."""

from datetime import date, datetime

from papertide.catalog import Paper


def test_newest_orders_by_announcement_then_publication_and_undated_papers_last(services):
    catalog = services.catalog
    catalog.upsert([
        Paper(title="Undated first in its listing", rank_hint=1),
        Paper(title="Undated second", rank_hint=2),
        Paper(title="Published long ago", arxiv_id="2001.00001", published=datetime(2020, 1, 5)),
        # Submitted before the other, announced after it: the announcement counts.
        Paper(title="Announced Tuesday", arxiv_id="2503.00002",
              published=datetime(2025, 3, 14, 9), announced=date(2025, 3, 18)),
        Paper(title="Announced Monday", arxiv_id="2503.00001",
              published=datetime(2025, 3, 14, 16), announced=date(2025, 3, 17)),
        Paper(title="Published Sunday, not announced", published=datetime(2025, 3, 16, 12)),
    ])
    assert [p.title for p in catalog.newest(10)] == [
        "Announced Tuesday", "Announced Monday", "Published Sunday, not announced",
        "Published long ago", "Undated first in its listing", "Undated second"]
    assert [p.title for p in catalog.newest(2, 3)] == [
        "Published long ago", "Undated first in its listing"]


def test_announcement_days_and_their_neighbours(services):
    catalog = services.catalog
    assert catalog.latest_announcement() is None
    catalog.upsert([Paper(title=f"P{d}", arxiv_id=f"2503.{d:05d}", announced=date(2025, 3, d))
                    for d in (13, 17, 18)])
    assert catalog.latest_announcement() == date(2025, 3, 18)
    assert catalog.latest_announcement(upto=date(2025, 3, 17)) == date(2025, 3, 17)
    assert catalog.neighbour_days(date(2025, 3, 17)) == (date(2025, 3, 13), date(2025, 3, 18))
    assert catalog.neighbour_days(date(2025, 3, 15)) == (date(2025, 3, 13), date(2025, 3, 17))
    assert catalog.neighbour_days(date(2025, 3, 18)) == (date(2025, 3, 17), None)
    assert [e.id for e in catalog.announced_on(date(2025, 3, 17))] == ["2503.00017"]
