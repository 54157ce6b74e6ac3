"""Math in titles and abstracts on the pages, in the feeds and in search: real arXiv records
whose LaTeX becomes MathML on pages, Unicode in feeds, snippets and the keyword index."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from papertide.catalog import Paper
from papertide.web import create_app
from tests.helpers import load

FIXTURE = Path(__file__).parents[1] / "fixtures" / "arxiv-math-36.jsonl"
DIMO, KV = "2503.15457", "2503.14881"  # "Di$\mathtt{[M]}$O…", "…$\Omega(n^2 d)$ memory…"


@pytest.fixture
def client(settings, services):
    load(services, FIXTURE)
    services.catalog.upsert([Paper(
        title="Hostile $x<y$ title", arxiv_id="2503.00009",
        abstract="We <script>alert('x')</script> bound $\\text{<script>alert(1)</script>}$ "
                 "and $\\href{javascript:alert(1)}{this}$ by $O(n \\log n)$.")])
    services.search.catch_up()
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_paper_page_shows_math_as_mathml(client):
    page = client.get(f"/papers/{DIMO}").text
    assert "<title>Di[M]O: Distilling Masked Diffusion Models" in page
    assert '<h1>Di<math alttext="[M]" xmlns="http://www.w3.org/1998/Math/MathML"' in page
    shown = re.sub(r'<pre id="cite-bibtex">.*?</pre>', "", page, flags=re.S)  # LaTeX there
    assert "\\mathtt" not in shown and "$" not in page.split("<h2>Abstract</h2>")[1][:2000]
    page = client.get(f"/papers/{KV}").text
    abstract = page.split('<p class="abstract">')[1].split("</p>")[0]
    assert abstract.count("<math") == 4 and "\\Omega" not in abstract


def test_markup_in_an_abstract_stays_text_beside_math(client):
    page = client.get("/papers/2503.00009").text
    abstract = page.split('<p class="abstract">')[1].split("</p>")[0]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in abstract
    assert "<script" not in abstract and "javascript:" not in abstract
    assert "href=" not in abstract and "<math" in abstract  # O(n log n) as MathML
    assert "$\\text{&lt;script&gt;alert(1)&lt;/script&gt;}$" in abstract  # left as written


def test_search_cards_and_snippets_read_math(client):
    page = client.get("/search", params={"q": "distills masked diffusion", "mode": "keyword"})
    card = page.text.split('<article class="card">')[1].split("</article>")[0]
    assert "Di<math" in card.split("</h3>")[0]
    found = client.get("/api/search", params={"q": "sub-quadratic memory", "mode": "keyword"})
    (hit,) = [i for i in found.json()["items"] if i["id"] == KV]
    assert "$" not in hit["snippet"] and "\\Omega" not in hit["snippet"]


def test_the_keyword_index_reads_the_readable_text(client):
    def ids(q):
        return [i["id"] for i in client.get(
            "/api/search", params={"q": q, "mode": "keyword"}).json()["items"]]

    assert ids("mathtt") == []  # a LaTeX command is no word of the paper
    assert DIMO in ids('ti:"Di M O"')
    assert KV in ids("Ω")


def test_feeds_carry_math_as_unicode(client):
    feed = feedparser.parse(client.get(
        "/feeds/search.atom", params={"q": "distills masked diffusion"}).content)
    titles = [e.title for e in feed.entries]
    assert "Di[M]O: Distilling Masked Diffusion Models into One-step Generator" in titles
    feed = feedparser.parse(client.get("/feeds/search.atom", params={"q": "sub-quadratic"}).content)
    (entry,) = [e for e in feed.entries if e.id.endswith(KV)]
    assert "at least Ω(n²d) memory, when d = Ω(log n)" in entry.summary


def test_tex_quotes_read_as_curly_quotes_on_the_page_and_in_snippets(client, services):
    services.catalog.upsert([Paper(
        title="Compressing preferences", arxiv_id="2503.00010",
        abstract="We compress datasets into short ``constitutions'' of ``don't'' rules "
                 "with $f''(x)$ kept.")])
    services.search.catch_up()
    page = client.get("/papers/2503.00010").text
    abstract = page.split('<p class="abstract">')[1].split("</p>")[0]
    assert "\u201cconstitutions\u201d" in abstract and "\u201cdon&#39;t\u201d" in abstract
    assert "``" not in abstract
    found = client.get("/search", params={"q": "compress constitutions", "mode": "keyword"})
    card = found.text.split('<article class="card">')[1].split("</article>")[0]
    assert "short \u201c<b>constitutions</b>\u201d of \u201cdon&#39;t\u201d rules" in card
    assert "``" not in card
