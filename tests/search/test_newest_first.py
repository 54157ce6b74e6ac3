"""Keyword search newest first orders by announcement day, else publication date, and
puts papers from files without dates after every dated one."""

from datetime import date, datetime

from papertide.catalog import Paper
from papertide.search import Filters


def test_search_newest_first_by_announcement_and_undated_last(services):
    services.catalog.upsert([
        Paper(title="Graph networks undated", abstract="graph"),
        Paper(title="Graph networks old", abstract="graph", published=datetime(2019, 5, 1)),
        Paper(title="Graph networks announced later", abstract="graph", arxiv_id="2503.00001",
              published=datetime(2025, 3, 14, 9), announced=date(2025, 3, 18)),
        Paper(title="Graph networks published later", abstract="graph",
              published=datetime(2025, 3, 16, 9)),
    ])
    services.search.catch_up()
    page = services.search.search("graph", Filters(), sort="new", mode="keyword")
    assert [h.paper.title for h in page.hits] == [
        "Graph networks announced later", "Graph networks published later",
        "Graph networks old", "Graph networks undated"]
