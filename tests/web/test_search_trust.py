"""The search page and API tell the reader what happened: a total ("Results 1–20 of 57"),
"no papers match" with suggestions for nonsense, a pasted arXiv URL that the catalog lacks
reported with the offer to fetch it, and pages that never repeat a paper."""

from __future__ import annotations

from pathlib import Path

from papertide.services import Services
from tests.helpers import load

ARXIV_40 = Path(__file__).parent.parent / "fixtures" / "arxiv-sample-40.jsonl"


def test_api_gives_a_total_and_pages_without_repeats(client):
    seen: list[str] = []
    offset, total = 0, None
    while True:
        body = client.get("/api/search", params={"q": "language models", "limit": 25,
                                                 "offset": offset}).json()
        seen += [item["id"] for item in body["items"]]
        total = body["total"]
        if not body["has_more"]:
            break
        offset += 25
    assert len(seen) > 50 and len(seen) == len(set(seen)) == total
    assert body["total_exact"] is True


def test_nonsense_says_no_papers_match_with_suggestions(client):
    body = client.get("/api/search", params={"q": "zzzzqqq"}).json()
    assert body["items"] == [] and body["total"] == 0 and body["suggestions"]
    page = client.get("/search", params={"q": "zzzzqqq"}).text
    assert "check the spelling" in page
    assert page.count("No papers match") == 1  # the summary says it; the tips do not repeat it


def test_a_pasted_arxiv_url_finds_its_paper_or_offers_to_fetch_it(client, demo: Services):
    load(demo, ARXIV_40)
    body = client.get("/api/search",
                      params={"q": "https://arxiv.org/abs/2503.11750v1"}).json()
    assert body["items"][0]["arxiv_id"] == "2503.11750" and body["missing"] == []
    page = client.get("/search", params={"q": "arXiv:2503.11750"}).text
    assert "Results 1–1 of" in page and "Jailbreaking" in page

    body = client.get("/api/search", params={"q": "arXiv:2503.99999v2"}).json()
    assert body["items"] == []
    assert body["missing"][0]["id"] == "arXiv:2503.99999"
    assert "papertide fetch arxiv-api --id 2503.99999" in body["missing"][0]["fetch"]
    page = client.get("/search", params={"q": "https://arxiv.org/pdf/2503.99999v2"}).text
    assert 'name="arxiv_id" value="2503.99999"' in page and "not in the catalog" in page


def test_the_page_shows_the_total(client):
    page = client.get("/search", params={"q": "reinforcement learning"}).text
    assert "Results 1–20 of" in page
