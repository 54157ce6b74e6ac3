"""Keyword search newest first orders by announcement day, else publication date, and
puts papers from files without dates after every dated one. Sorted by date, a search
lists only papers on its topic (real papers: the demo corpus)."""

import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from papertide.catalog import Paper
from papertide.search import Filters
from tests.helpers import load


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


RECENT = Path(str(resources.files("papertide") / "demo" / "arxiv-recent.jsonl.gz"))
# Topic queries and what a paper on the topic says, on the demo corpus's 2,000 real papers.
TOPICS = {"model merging": r"merg", "federated learning": r"federated",
          "speculative decoding": r"speculative", "gaussian splatting": r"splat",
          "retrieval augmented generation": r"retriev"}


def on_topic(hits, pattern: str) -> list[bool]:
    return [bool(re.search(pattern, f"{h.paper.title} {h.paper.abstract}", re.I)) for h in hits]


def test_newest_first_lists_only_papers_on_the_query_topic(services):
    load(services, RECENT)
    asked = [(q, None) for q in TOPICS] + [("model merging", "cs.LG")]
    for query, category in asked:
        page = services.search.search(query, Filters(category=category), sort="new",
                                      mode="keyword", limit=20)
        assert page.hits and all(on_topic(page.hits, TOPICS[query])), (query, category)
        days = [h.paper.announced for h in page.hits]
        assert days == sorted(days, reverse=True)
    # Before, "model merging" listed every paper with "model" in it, newest first.
    assert services.search.search("model merging", sort="new", mode="keyword").total < 30


def test_by_meaning_newest_first_keeps_to_the_topic(semantic):
    hits = semantic.search.search("reinforcement learning", sort="new", limit=50).hits
    relevance = semantic.search.search("reinforcement learning", limit=50).hits
    assert hits and all(on_topic(hits, r"reinforcement|\bRL\b"))
    assert not all(on_topic(relevance, r"reinforcement|\bRL\b"))  # relevance lists more
