"""The JSON API: answers, status codes, limits and escaping."""

import pytest
from fastapi.testclient import TestClient

from papertide.catalog import Paper
from papertide.web import create_app
from tests.helpers import sign_in


@pytest.fixture
def client(settings, demo):
    services = demo
    services.catalog.upsert([Paper(title="<script>alert('t')</script> Evil title",
                                   abstract="<img src=x onerror=alert(1)> evil abstract",
                                   arxiv_id="2401.99999")])
    services.search.catch_up()
    with TestClient(create_app(settings, immediate_jobs=True)) as client:
        yield client


def test_papers_trending_and_new(client):
    body = client.get("/api/papers?sort=trending&limit=5").json()
    assert len(body["items"]) == 5 and body["has_more"]
    assert (
        body["items"][0]["title"] == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
    )
    assert client.get("/api/papers?sort=new&limit=3&offset=3").json()["offset"] == 3


def test_search_returns_ranked_results_with_snippets(client):
    body = client.get(
        "/api/search",
        params={"q": "sample efficient multi-agent reinforcement learning", "mode": "keyword"},
    ).json()
    # Both top papers are multi-agent RL about sample efficiency (the other one is
    # "Maximum Entropy Heterogeneous-Agent Reinforcement Learning").
    assert any(item["title"].startswith("Sample-Efficient Multi-Agent RL")
               for item in body["items"][:2])
    assert "<b>" in body["items"][0]["snippet"]


def test_paper_by_id_and_by_arxiv_version(client):
    assert client.get("/api/papers/2401.99999v3").json()["id"] == "2401.99999"


@pytest.mark.parametrize("url,status", [
    ("/api/papers/nope", 404),
    ("/api/search?limit=abc", 400),
    ("/api/search?limit=1000", 400),
    ("/api/search?since=yesterday", 400),
    ("/api/search?mode=magic", 400),
    ("/api/trending?window=year", 400),
    ("/api/papers?sort=random", 400),
])
def test_bad_requests_get_json_errors_with_the_right_status(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["status"] == status and response.json()["error"]


def test_oversized_body_is_413(client):
    response = client.post("/api/subscribe", content=b"x" * 100_000)
    assert response.status_code == 413 and "larger than" in response.json()["error"]


def test_one_vote_per_reader_whatever_the_client_says(client, settings):
    csrf = sign_in(client, client.app.state.services, "ada@example.org")
    vote = {"X-CSRF-Token": csrf}
    first = client.post("/api/papers/2401.99999/vote", headers=vote).json()
    again = client.post("/api/papers/2401.99999/vote", headers=vote).json()
    # X-Client-Id identifies nobody: a made-up one is the same reader, not a new voter.
    other = client.post("/api/papers/2401.99999/vote",
                        headers={**vote, "X-Client-Id": "someone-else"}).json()
    assert (first["votes"], again["votes"], other["votes"]) == (1, 1, 1)
    assert client.delete("/api/papers/2401.99999/vote", headers=vote).json()["votes"] == 0


def test_vote_on_unknown_paper_is_404(client):
    csrf = sign_in(client, client.app.state.services, "ada@example.org")
    assert client.post("/api/papers/nope/vote", headers={"X-CSRF-Token": csrf}).status_code == 404


def test_html_in_titles_and_abstracts_is_shown_as_text(client):
    for url in ("/papers/2401.99999", "/search?q=evil&mode=keyword", "/?window=all&offset=0"):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html
    page = client.get("/papers/2401.99999").text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Evil title" in page
    assert "&lt;img src=x onerror=alert(1)&gt; evil abstract" in page


def test_paper_page_counts_one_view_per_client_per_day(client):
    client.get("/papers/2401.99999")
    client.get("/papers/2401.99999")
    assert client.get("/api/papers/2401.99999").json()["views"] == 1


def test_pages_answer_and_errors_are_pages(client):
    assert client.get("/").status_code == 200
    assert "Search tips" in client.get("/search").text
    missing = client.get("/papers/nope")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert client.get("/search?since=notadate").status_code == 400


def test_health_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/papers", "/api/papers/{paper_id}", "/api/search", "/api/trending",
                 "/api/papers/{paper_id}/vote"):
        assert path in paths


def test_outbox_lists_and_shows_mail_written_instead_of_sent(client):
    client.app.state.services.readers.accounts.grant("boss@example.org", "admin")
    csrf = sign_in(client, client.app.state.services, "boss@example.org")
    assert client.post("/subscribe", data={"email": "carol@example.org", "topic": "<b>RL</b>",
                                           "csrf_token": csrf}).status_code == 200
    listing = client.get("/outbox")
    assert (
        "Confirm your papertide subscription" in listing.text
        and "carol@example.org" in listing.text
    )
    name = listing.text.split('href="/outbox/')[1].split('"')[0]
    mail = client.get(f"/outbox/{name}")
    assert mail.status_code == 200 and "/confirm?token=" in mail.text
    assert client.get("/outbox/..%2Fpapertide.db").status_code == 404
    assert client.get("/outbox/nope.eml").status_code == 404


def test_the_server_follows_papers_another_process_adds(settings, services):
    import httpx

    from tests.helpers import LiveServer, eventually

    with LiveServer(settings.model_copy(update={"index_follow_seconds": 0.2})) as server:
        # Another process (an ingest, a worker on another machine) commits to the catalog.
        services.catalog.upsert(
            [Paper(title="Quasicrystal tilings from another process", abstract="Tilings.")]
        )
        found = eventually(lambda: httpx.get(
            f"{server.url}/api/search", params={"q": "quasicrystal", "mode": "keyword"}
        ).json()["items"], "the server's follower found the paper", every=0.1)
        assert [p["title"] for p in found] == ["Quasicrystal tilings from another process"]


def test_times_in_the_api_carry_their_utc_offset_as_the_schema_promises(client, demo):
    from datetime import datetime

    demo.catalog.upsert([Paper(title="A dated paper", arxiv_id="2503.00001",
                               published=datetime(2025, 3, 20), updated=datetime(2025, 3, 21, 8))])
    body = client.get("/api/papers/2503.00001").json()
    for field in ("published", "updated"):
        moment = datetime.fromisoformat(body[field])
        assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    assert datetime.fromisoformat(body["published"]).day == 20


def test_pages_name_an_icon_the_app_serves(client):
    import re

    icon = re.search(r'<link rel="icon"[^>]*href="([^"]+)"', client.get("/").text)
    assert icon, "no icon: browsers ask for /favicon.ico and log a 404"
    answer = client.get(icon.group(1))
    assert answer.status_code == 200 and answer.text.startswith("<svg")


def test_trending_keeps_one_category_or_archive(client):
    from papertide.catalog import Signal

    services = client.app.state.services
    services.catalog.upsert([
        Paper(title="Hot language paper", arxiv_id="2401.90001", categories=["cs.CL"]),
        Paper(title="Warm learning paper", arxiv_id="2401.90002", categories=["cs.LG", "stat.ML"]),
        Paper(title="Hot physics paper", arxiv_id="2401.90003", categories=["hep-th"]),
    ], [[Signal("hf-daily", "upvotes", 300)], [Signal("hf-daily", "upvotes", 200)],
        [Signal("hf-daily", "upvotes", 400)]])

    def titles(**params):
        answer = client.get("/api/trending", params=params)
        assert answer.status_code == 200, answer.text
        return [item["title"] for item in answer.json()["items"]]

    assert titles(limit=3) == ["Hot physics paper", "Hot language paper", "Warm learning paper"]
    assert titles(category="cs") == ["Hot language paper", "Warm learning paper"]
    assert titles(category="stat.ML") == ["Warm learning paper"]
    assert titles(category="cs", limit=1, offset=1) == ["Warm learning paper"]
    assert titles(category="cs.XY") == []
    assert client.get("/api/trending", params={"category": "x" * 41}).status_code == 400
    parameters = client.get("/openapi.json").json()["paths"]["/api/trending"]["get"]["parameters"]
    assert "category" in {p["name"] for p in parameters}
