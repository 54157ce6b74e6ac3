"""Every link a researcher pastes finds its paper first on the search page and in the API
(Hugging Face, alphaXiv, arXiv's HTML and export hosts, ar5iv, Semantic Scholar, arXiv's
DOI), a link to a paper the catalog lacks offers to fetch it, and arXiv's own paths on
this host (`/abs/…`, `/pdf/…`) lead to the paper's page."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertide.catalog import Paper
from papertide.services import Services
from tests.helpers import load

ARXIV_40 = Path(__file__).parent.parent / "fixtures" / "arxiv-sample-40.jsonl"
OLD_STYLE = Paper(title="Old-style arXiv identifier", abstract="A paper from 1999.",
                  arxiv_id="hep-th/9901001")
KNOWN = "2503.11750"  # in the 40 papers: "Jailbreaking …"


@pytest.fixture
def papers(demo: Services) -> Services:
    load(demo, ARXIV_40)
    demo.catalog.upsert([OLD_STYLE])
    demo.search.catch_up()
    return demo


@pytest.mark.parametrize("pasted", [
    f"https://huggingface.co/papers/{KNOWN}", f"https://www.alphaxiv.org/abs/{KNOWN}v1",
    f"https://www.alphaxiv.org/overview/{KNOWN}", f"https://arxiv.org/html/{KNOWN}v1",
    f"https://arxiv.org/html/{KNOWN}v1/#S2", f"https://ar5iv.labs.arxiv.org/html/{KNOWN}",
    f"https://ar5iv.org/abs/{KNOWN}", f"https://www.semanticscholar.org/arxiv/{KNOWN}",
    f"10.48550/arXiv.{KNOWN}", f"https://doi.org/10.48550/ARXIV.{KNOWN}",
    f"http://export.arxiv.org/abs/{KNOWN}v1", f"https://arxiv.org/pdf/{KNOWN}v1.pdf?x=1",
])
def test_a_pasted_link_puts_its_paper_first(client, papers, pasted):
    body = client.get("/api/search", params={"q": pasted}).json()
    assert [item["arxiv_id"] for item in body["items"]] == [KNOWN]
    assert body["missing"] == []
    page = client.get("/search", params={"q": pasted}).text
    assert 'Results 1–1 of <span class="total">1</span>' in page and "Jailbreaking" in page
    assert "not in the catalog" not in page


@pytest.mark.parametrize("pasted", [
    "https://huggingface.co/papers/hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001v2",
    "10.48550/arXiv.hep-th/9901001", "https://ar5iv.labs.arxiv.org/html/hep-th/9901001",
])
def test_old_style_ids_in_links_find_their_paper(client, papers, pasted):
    body = client.get("/api/search", params={"q": pasted}).json()
    assert [item["title"] for item in body["items"]] == [OLD_STYLE.title]


@pytest.mark.parametrize("pasted", [
    "https://huggingface.co/papers/2503.99999", "https://www.alphaxiv.org/abs/2503.99999v2",
    "https://doi.org/10.48550/arXiv.2503.99999", "https://arxiv.org/html/2503.99999v1",
])
def test_a_link_to_a_paper_the_catalog_lacks_offers_to_fetch_it(client, papers, pasted):
    body = client.get("/api/search", params={"q": pasted}).json()
    assert body["items"] == [] and body["missing"][0]["id"] == "arXiv:2503.99999"
    assert "papertide fetch arxiv-api --id 2503.99999" in body["missing"][0]["fetch"]
    page = client.get("/search", params={"q": pasted}).text
    assert 'name="arxiv_id" value="2503.99999"' in page and "not in the catalog" in page


@pytest.mark.parametrize(("path", "target"), [
    (f"/abs/{KNOWN}", f"/papers/{KNOWN}"), (f"/abs/{KNOWN}v1", f"/papers/{KNOWN}"),
    (f"/pdf/{KNOWN}", f"/papers/{KNOWN}"), (f"/pdf/{KNOWN}v1.pdf", f"/papers/{KNOWN}"),
    (f"/html/{KNOWN}v1/", f"/papers/{KNOWN}"), (f"/abs/{KNOWN}?context=cs", f"/papers/{KNOWN}"),
    ("/abs/hep-th/9901001v2", "/papers/hep-th/9901001"),
    ("/pdf/hep-th/9901001.pdf", "/papers/hep-th/9901001"),
])
def test_arxiv_paths_on_this_host_lead_to_the_paper(client, papers, path, target):
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 301
    assert answer.headers["location"] == target
    page = client.get(path)
    assert page.status_code == 200 and page.url.path == target
    assert page.url.path.endswith(("9901001", KNOWN))
    assert ("Jailbreaking" if KNOWN in target else OLD_STYLE.title) in page.text


def test_an_unknown_id_on_an_arxiv_path_meets_the_paper_pages_404(client, papers):
    unknown = client.get("/abs/2503.99999v1")
    direct = client.get("/papers/2503.99999")
    assert unknown.status_code == direct.status_code == 404
    assert unknown.url.path == "/papers/2503.99999"
    assert client.get("/abs/not-an-id").status_code == 404


def test_arxiv_paths_redirect_only_within_this_site(client, papers):
    forged = client.get(f"/abs/{KNOWN}", headers={"host": "evil.example"},
                        follow_redirects=False)
    assert forged.status_code == 301 and forged.headers["location"] == f"/papers/{KNOWN}"
    for path in ("/abs//evil.example", "/abs/%2F%2Fevil.example", "/abs/%5Cevil.example",
                 f"/abs/{KNOWN}%0d%0aSet-Cookie:x=1", "/abs/https://evil.example/2503.11750",
                 f"/abs/{KNOWN}v" + "9" * 5000, "/abs/%D9%A2%D9%A5%D9%A0%D9%A3.11750"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 404 and "location" not in answer.headers
    for path in (f"/abs/{KNOWN}/%2F%2Fevil.example", f"/pdf/{KNOWN}/..%2f..%2fevil"):
        answer = client.get(path, follow_redirects=False)
        assert answer.headers["location"] == f"/papers/{KNOWN}"


def test_onboarding_takes_pasted_links_to_ones_own_papers(client, papers):
    from tests.helpers import sign_in

    csrf = sign_in(client, papers, "ada@example.org")
    done = client.post("/onboarding", data={"csrf_token": csrf, "papers": (
        f"https://huggingface.co/papers/{KNOWN}, https://arxiv.org/abs/hep-th/9901001v2 "
        f"10.48550/arXiv.{KNOWN}")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/for-you"
    ada = papers.readers.store.by_email("ada@example.org").id
    saved = papers.library.papers(ada, limit=10)
    assert sorted(item.paper.arxiv_id for item in saved) == [KNOWN, "hep-th/9901001"]
