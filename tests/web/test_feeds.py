"""Atom feeds read with feedparser (a real feed client): well-formed Atom 1.0, stable entry
ids, `updated` on feed and entries, escaped titles, inert markup in abstracts, linked
from the pages."""

import re
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from papertide.catalog import Paper
from papertide.web import create_app
from tests.helpers import load

EVIL_TITLE = "Attention & <b>Transformers</b> \x0c at scale"
EVIL_ABSTRACT = "We <script>alert('x')</script> study <img src=x onerror=alert(1)> things."


@pytest.fixture
def client(settings, services):
    services.catalog.upsert([
        Paper(title=EVIL_TITLE, abstract=EVIL_ABSTRACT, arxiv_id="2503.00001",
              authors=["Ada Lovelace"], categories=["cs.LG"], announced=date(2025, 3, 18),
              published=datetime(2025, 3, 14, 9), updated=datetime(2025, 3, 20, 10)),
        Paper(title="Graph merging for transformers", abstract="graph", arxiv_id="2503.00002",
              categories=["cs.CL"], announced=date(2025, 3, 18)),
        Paper(title="Transformers of old", abstract="old", arxiv_id="1706.03762",
              categories=["cs.CL"], announced=date(2017, 6, 13)),
    ])
    services.search.catch_up()
    app = create_app(settings.model_copy(update={"base_url": "https://papers.example.org/"}))
    with TestClient(app) as client:
        yield client


def parse(client, url, **params):
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, response.content


def test_the_daily_feed_is_valid_atom_with_stable_ids_and_dates(client):
    feed, raw = parse(client, "/feeds/daily.atom")
    again, raw_again = parse(client, "/feeds/daily.atom")
    assert raw == raw_again  # same answer, same ids, same dates
    assert feed.feed.id == "https://papers.example.org/feeds/daily.atom"
    assert feed.feed.updated == "2025-03-20T10:00:00+00:00"
    first = feed.entries[0]
    assert first.id == "https://papers.example.org/papers/2503.00001"
    assert first.link == "https://papers.example.org/papers/2503.00001"
    assert first.updated == "2025-03-20T10:00:00+00:00"
    assert [e.id for e in feed.entries] == [e.id for e in again.entries]
    assert len(feed.entries) == 2  # the latest day only
    assert all(e.get("updated") for e in feed.entries)


def test_markup_in_titles_and_abstracts_is_text(client):
    feed, raw = parse(client, "/feeds/daily.atom")
    entry = feed.entries[0]
    assert entry.title == "Attention & <b>Transformers</b>  at scale"
    assert entry.title_detail.type == "text/plain"
    assert entry.summary_detail.type == "text/plain" and "<script>" in entry.summary
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw and b"<img" not in raw
    assert entry.authors[0]["name"] == "Ada Lovelace" and entry.tags[0]["term"] == "cs.LG"


def test_the_daily_feed_filters_by_category(client):
    feed, _ = parse(client, "/feeds/daily.atom", category="cs.CL")
    assert [e.title for e in feed.entries] == ["Graph merging for transformers"]
    assert feed.feed.id == "https://papers.example.org/feeds/daily.atom?category=cs.CL"
    old, _ = parse(client, "/feeds/daily.atom", day="2017-06-13")
    assert [e.title for e in old.entries] == ["Transformers of old"]


def test_a_saved_search_as_a_feed_lists_the_newest_matches_first(client):
    feed, _ = parse(client, "/feeds/search.atom", q="transformers")
    assert [e.title for e in feed.entries][-1] == "Transformers of old"
    assert len(feed.entries) == 3
    # Without q, category or author, as the API schema allows: the newest of all papers.
    everything, _ = parse(client, "/feeds/search.atom")
    assert everything.feed.title == "papertide — search: all papers" and everything.entries


def test_the_trending_feed_and_the_links_from_the_pages(client):
    feed, _ = parse(client, "/feeds/trending.atom", window="month")
    assert len(feed.entries) == 3 and feed.feed.title.startswith("papertide — trending")
    home = client.get("/").text
    assert ('<link rel="alternate" type="application/atom+xml" title="papertide — trending papers"'
            ' href="/feeds/trending.atom?window=week">') in home
    search = client.get("/search", params={"q": "graph <x>"}).text
    assert ('href="/feeds/search.atom?q=graph%20%3Cx%3E&amp;category=&amp;author="' in search)
    assert client.get("/feeds/trending.atom?window=year").status_code == 400


def test_a_saved_search_feed_stays_on_its_topic(settings, services):
    """On the demo corpus's 2,000 real papers: every entry of "model merging" in cs.LG is
    about merging (before, the newest of its 200 best matches: most were not)."""
    load(services, Path(str(resources.files("papertide") / "demo" / "arxiv-recent.jsonl.gz")))
    with TestClient(create_app(settings)) as client:
        feed, _ = parse(client, "/feeds/search.atom", q="model merging", category="cs.LG")
    assert feed.entries
    assert all(re.search(r"merg", f"{e.title} {e.summary}", re.I) for e in feed.entries)
