"""What a card and a paper's page say about a paper: the signals (votes, saves, Hugging Face
upvotes and comments, GitHub stars) with their links, never a raw score; a vote button on
every card; arXiv's links and a Cite box on the page; arXiv categories only, by name."""

import re
from dataclasses import replace
from datetime import date

from papertide.catalog import Signal
from tests.helpers import sign_in

PAPER = "t6585e84c9ec5f39"  # the demo's first paper


def _services(client):
    return client.app.state.services


def _make_trending(client, **changes):
    """The demo's first paper with an arXiv id, HF signals, a code link and ACM classes."""
    catalog = _services(client).catalog
    paper = replace(catalog.get(PAPER), arxiv_id="2503.11731", version=2,
                    url_code="https://github.com/org/code", sources=["hf-daily"],
                    categories=["cs.LG", "I.2.6; C.5.3", "68T05"], **changes)
    catalog.upsert([paper], signals=[[Signal("hf-daily", "upvotes", 1),
                                      Signal("hf-daily", "comments", 12),
                                      Signal("hf-daily", "github_stars", 1480)]])
    return catalog.get(PAPER)


def _card(html: str, paper_id: str) -> str:
    start = html.index(f'<h3><a href="/papers/{paper_id}">')
    return html[start:html.index("</article>", start)]


def test_a_card_shows_the_signals_and_links_not_a_score(client):
    _make_trending(client)
    html = client.get("/").text
    counts = re.findall(r'<div class="counts">(.*?)</div>', html, re.S)
    assert len(counts) == 20 and "score" not in html
    shown = [re.sub(r"<[^>]+>", "", line) for line in counts]
    assert not any(re.search(r"\d\.\d{2,}", line) for line in shown)  # no raw float
    card = _card(html, PAPER)
    assert "1 HF upvote · 12 comments" in card
    assert 'href="https://huggingface.co/papers/2503.11731"' in card
    assert "Code · 1.5k GitHub stars" in card and 'href="https://github.com/org/code"' in card
    assert '▲ <span class="n">0</span> votes' in card  # "Sign in to vote" in short
    assert "I.2.6" not in card and "68T05" not in card
    assert 'title="Machine Learning">cs.LG</a>' in card


def test_a_cards_date_links_the_day_and_the_separator_stays_outside_the_link(client):
    _make_trending(client, announced=date(2026, 7, 1), authors=["Ada Lovelace"])
    card = _card(client.get("/").text, PAPER)
    assert re.search(r'</span>\s+· <a class="date" href="/daily/2026-07-01"[^>]*>2026-07-01</a>',
                     card)


def test_a_reader_votes_from_a_card_in_place(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    html = client.get("/").text
    assert f'hx-post="/papers/{PAPER}/vote"' in _card(html, PAPER)
    voted = client.post(f"/papers/{PAPER}/vote", data={"csrf_token": csrf, "where": "card"},
                        headers={"HX-Request": "true"})
    assert 'class="voted"' in voted.text and '<span class="n">1</span> Voted' in voted.text
    assert 'title="1 vote"' in voted.text
    assert 'id="counts"' not in voted.text  # no counts line on a card to update
    assert '<span class="n">1</span> Voted' in _card(client.get("/").text, PAPER)


def test_the_paper_page_links_arxiv_and_cites_the_paper(client):
    _make_trending(client, title="Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models",
                   authors=["Yuanzhi Zhu", "Xi Wang"], journal_ref=None, doi=None)
    page = client.get(f"/papers/{PAPER}").text
    for label, url in (("Abstract", "abs"), ("PDF", "pdf"), ("HTML", "html")):
        assert f'href="https://arxiv.org/{url}/2503.11731v2" rel="noopener nofollow">{label}' \
            in page
    assert "Hugging Face · 1 upvote · 12 comments" in page
    bibtex = re.search(r'<pre id="cite-bibtex">(.*?)</pre>', page, re.S).group(1)
    assert bibtex.startswith("@misc{zhu")
    assert "dimo," in bibtex and "{Di{$\\mathtt{[M]}$}O: Distilling" in bibtex
    apa = re.search(r'<p id="cite-apa">(.*?)</p>', page, re.S).group(1)
    assert apa.startswith("Zhu, Y., &amp; Wang, X. (")
    assert apa.endswith("arXiv. https://doi.org/10.48550/arXiv.2503.11731")
    assert 'data-copy="cite-bibtex"' in page and 'data-copy="cite-apa"' in page
    assert "I.2.6" not in page


def test_pages_have_headings_labels_and_a_skip_link(client):
    search = client.get("/search", params={"q": "reinforcement"}).text
    assert '<h1 class="page">Search: <q>reinforcement</q></h1>' in search
    assert '<a class="skip" href="#results">Skip to results</a>' in search
    assert 'id="results"' in search
    assert "<h1" in client.get("/search").text
    sign_in(client, _services(client), "ada@example.org")
    library = client.get("/library").text
    assert re.search(r"<label>[^<]+<input type=\"file\"", library)


def test_the_subscribe_box_is_not_offered_to_a_subscribed_reader(client):
    assert 'action="/subscribe"' in client.get("/").text
    services = _services(client)
    sign_in(client, services, "ada@example.org")
    assert 'action="/subscribe"' in client.get("/").text  # an account, no digest yet
    ada = services.readers.store.by_email("ada@example.org")
    services.readers.subscribe_signed_in(ada)
    assert 'action="/subscribe"' not in client.get("/").text


def test_the_date_picker_goes_to_the_day(client):
    catalog = _services(client).catalog
    catalog.upsert([replace(catalog.get(PAPER), announced=date(2025, 3, 18))])
    page = client.get("/daily").text
    # The picker opens on the latest announced day and offers none after it.
    assert ('<input type="date" name="day" value="2025-03-18" max="2025-03-18" required>'
            in page)
    went = client.get("/daily", params={"day": "2025-03-17", "category": "cs.LG"},
                      follow_redirects=False)
    assert went.status_code == 303
    assert went.headers["location"] == "/daily/2025-03-17?category=cs.LG"
    assert client.get("/daily", params={"day": "yesterday"}).status_code == 400
