"""The daily pages and their JSON: a day's papers trending first, previous and next days,
the category filter, the home page's "Today" tab, code links and linked abstracts."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from papertide.catalog import Paper, Signal
from papertide.web import create_app

DAY = date(2025, 3, 18)


@pytest.fixture
def client(settings, services):
    services.catalog.upsert([
        Paper(title="Hot paper", arxiv_id="2503.00001", categories=["cs.LG"], announced=DAY,
              abstract="We release code at https://github.com/org/hot. <script>alert(1)</script>"
                       " See javascript:alert(2) and www.example.org."),
        Paper(title="Quiet paper", arxiv_id="2503.00002", categories=["stat.ML"], announced=DAY),
        Paper(title="Day before", arxiv_id="2503.00003", categories=["cs.CL"],
              announced=date(2025, 3, 17)),
        Paper(title="Undated from a file", abstract="old", rank_hint=1),
    ], [[Signal("hf-daily", "upvotes", 12)], [], [], []])
    services.search.catch_up()
    with TestClient(create_app(settings)) as client:
        yield client


def titles(html: str) -> list[str]:
    import re
    return re.findall(r'<h3><a href="/papers/[^"]+">([^<]+)</a></h3>', html)


def test_daily_shows_the_latest_day_with_links_to_its_neighbours(client):
    html = client.get("/daily").text
    assert "Papers announced on Tuesday 18 March 2025" in html
    assert titles(html) == ["Hot paper", "Quiet paper"]
    assert '<a rel="prev" href="/daily/2025-03-17">' in html and 'rel="next"' not in html
    assert ('<link rel="alternate" type="application/atom+xml" title="papertide — daily papers" '
            'href="/feeds/daily.atom">') in html
    before = client.get("/daily/2025-03-17").text
    assert titles(before) == ["Day before"] and '<a rel="next" href="/daily/2025-03-18">' in before


def test_the_category_filter_and_its_quick_links(client):
    html = client.get("/daily/2025-03-18", params={"category": "stat"}).text
    assert titles(html) == ["Quiet paper"] and "1 paper, trending first" in html
    assert ('href="/daily/2025-03-18?category=cs.LG" title="Machine Learning">cs.LG '
            '<span class="n">1</span>') in html
    assert "No papers in hep-th were announced" in client.get(
        "/daily/2025-03-18?category=hep-th").text


@pytest.mark.parametrize("url", ["/daily/yesterday", "/daily/2025-02-30", "/api/daily/soon",
                                 "/daily?offset=-1"])
def test_a_bad_day_or_offset_is_a_400(client, url):
    assert client.get(url).status_code == 400


def test_the_api_gives_the_day_with_its_neighbours(client):
    body = client.get("/api/daily/2025-03-18", params={"limit": 1}).json()
    assert (body["day"], body["previous"], body["next"], body["total"], body["has_more"]) == (
        "2025-03-18", "2025-03-17", None, 2, True)
    item = body["items"][0]
    assert (item["title"], item["announced"]) == ("Hot paper", "2025-03-18")
    assert item["links"]["code"] == "https://github.com/org/hot" and item["score"] > 0
    assert client.get("/api/daily").json()["day"] == "2025-03-18"
    assert client.get("/api/daily/2025-03-18?category=cs.LG").json()["total"] == 1
    assert "/api/daily/{day}" in client.get("/openapi.json").json()["paths"]


def test_today_is_the_latest_announcement_day(client):
    html = client.get("/?window=day").text
    assert titles(html) == ["Hot paper", "Quiet paper"]
    assert 'href="/daily/2025-03-18">the daily view, by category</a>' in html


def test_newest_first_puts_undated_papers_last(client):
    ids = [p["title"] for p in client.get("/api/papers?sort=new").json()["items"]]
    assert ids[-1] == "Undated from a file" and ids[-2] == "Day before"


def test_code_button_and_abstract_links_are_safe(client):
    page = client.get("/papers/2503.00001").text
    assert ('<a class="button" href="https://github.com/org/hot" rel="noopener nofollow">Code</a>'
            in page)
    assert ('<a href="https://github.com/org/hot" rel="nofollow noopener">'
            'https://github.com/org/hot</a>. &lt;script&gt;alert(1)&lt;/script&gt;') in page
    assert 'href="javascript' not in page and "<script>alert" not in page
    assert 'href="www.example.org' not in page
    card = client.get("/daily").text
    assert '<a class="signal code" href="https://github.com/org/hot" rel="nofollow noopener"' \
        in card


def test_without_announced_papers_daily_says_how_to_get_some(settings, services):
    with TestClient(create_app(settings)) as client:
        html = client.get("/daily").text
    assert "No paper has an announcement date yet" in html


@pytest.mark.parametrize("day", ["2190-01-01", "2025-03-19"])
def test_a_day_after_the_latest_announcement_says_there_is_none_yet(client, day):
    answer = client.get(f"/daily/{day}")
    assert answer.status_code == 404
    assert "No announcement yet" in answer.text and "Hot paper" not in answer.text
    assert "The latest announced day is Tuesday 18 March 2025" in answer.text
    assert '<a class="button" href="/daily/2025-03-18">' in answer.text
    assert ("still to come" in answer.text) == (day == "2190-01-01")
    picked = client.get("/daily", params={"day": day})  # the date picker lands there too
    assert picked.status_code == 404 and picked.url.path == f"/daily/{day}"
    api = client.get(f"/api/daily/{day}")
    assert api.status_code == 404 and "latest announced day is 2025-03-18" in api.json()["error"]


def test_past_days_without_papers_still_list_nothing_plainly(client):
    answer = client.get("/daily/2025-03-16")  # a Sunday before the latest day
    assert answer.status_code == 200 and "No papers were announced on 2025-03-16" in answer.text


def test_the_date_picker_stops_at_the_latest_day_and_an_empty_day_says_so(client):
    for url in ("/daily", "/daily/2025-03-16"):
        html = client.get(url).text
        assert 'max="2025-03-18" required>' in html
    html = client.get("/daily/2025-03-16").text
    assert '<p class="summary">No papers ·' in html and "0 papers" not in html
    assert '<p class="summary">2 papers, trending first ·' in client.get("/daily").text
