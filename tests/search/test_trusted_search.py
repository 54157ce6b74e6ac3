"""Search a researcher can trust, on real papers (the demo listing plus 40 real arXiv
papers), in every mode and on both backends: acronyms keep their exact matches on top,
`au:`, phrases and +words hold in hybrid and semantic results too, ids and URLs find their
paper, nonsense finds nothing, and paging walks one fixed ranking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from papertide.catalog import Paper
from papertide.mathtext import to_plain
from papertide.search import Filters
from papertide.services import Services, open_services
from tests.conftest import BACKENDS
from tests.helpers import DEMO, load, make_settings

# The catalog these tests share is embedded: the model loads, 300 papers are embedded
# (once, in the one worker of `-n` that runs every embedding test).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("embedding")]
ARXIV_40 = Path(__file__).parent.parent / "fixtures" / "arxiv-sample-40.jsonl"
MODES = ["keyword", "semantic", "hybrid"]
OLD_STYLE = Paper(title="Old-style arXiv identifier", abstract="A paper from 1999.",
                  arxiv_id="hep-th/9901001")
WITH_DOI = Paper(title="A paper known by its DOI", abstract="Only a DOI names it.",
                 doi="10.1103/PhysRevLett.116.061102")


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Demo listing + 40 real arXiv papers + two papers known by old-style id and DOI,
    embedded (hybrid by default). Tests must not change it."""
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").database("trusted")
    services = open_services(make_settings(tmp_path_factory.mktemp(f"trusted-{request.param}"),
                                           url, search_mode="hybrid"))
    load(services, DEMO, ARXIV_40)
    services.catalog.upsert([OLD_STYLE, WITH_DOI])
    services.search.catch_up(embed=True)
    return services


def text_of(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}"


def every_page(services: Services, query: str, mode: str, sort: str = "relevance",
               size: int = 7) -> tuple[list[str], int]:
    ids: list[str] = []
    offset = 0
    while True:
        page = services.search.search(query, sort=sort, mode=mode, limit=size, offset=offset)
        ids += [h.paper.id for h in page.hits]
        if not page.has_more:
            return ids, page.total
        offset += size
        assert offset < 1000, "paging does not end"


@pytest.mark.parametrize("acronym", ["DPO", "MARL", "RAG"])
def test_an_acronym_keeps_every_exact_match_on_top_in_hybrid(catalog, acronym):
    having = {p.id for p in catalog.catalog.iter_papers()
              if re.search(rf"\b{acronym}\b", text_of(p), re.IGNORECASE)}
    assert having
    hits = catalog.search.search(acronym, mode="hybrid", limit=20).hits
    top = [h.paper.id for h in hits[:len(having)]]
    assert set(top) == having, f"{acronym}: the papers that say it are not all first"


@pytest.mark.parametrize("mode", MODES)
def test_an_author_prefix_holds_in_every_mode(catalog, mode):
    page = catalog.search.search("au:Wang vision language", mode=mode, limit=50)
    assert page.hits
    for hit in page.hits:
        assert any("wang" in name.lower().split() for name in hit.paper.authors), hit.paper.authors


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
@pytest.mark.parametrize(("query", "holds"), [
    ('"language models" alignment', lambda p: "language model" in text_of(p).lower()),  # stemmed
    ("+diffusion image generation", lambda p: "diffusion" in text_of(p).lower()),
    ("ti:survey reasoning", lambda p: "survey" in p.title.lower()),
    ("reasoning -survey", lambda p: "survey" not in text_of(p).lower()),
])
def test_what_the_query_demands_holds_for_meaning_too(catalog, mode, query, holds):
    hits = catalog.search.search(query, mode=mode, limit=100).hits
    assert hits
    assert all(holds(h.paper) for h in hits), [h.paper.title for h in hits if not holds(h.paper)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("typed", [
    "2503.11750", "2503.11750v2", "arXiv:2503.11750", "id:2503.11750",
    "https://arxiv.org/abs/2503.11750v1", "http://arxiv.org/pdf/2503.11750v1.pdf",
    "https://arxiv.org/pdf/2503.11750", "jailbreak 2503.11750",
    "arxiv.org/abs/2503.11750", "www.arxiv.org/pdf/2503.11750v2",  # pasted without a scheme
    "https://huggingface.co/papers/2503.11750", "jailbreak https://arxiv.org/html/2503.11750v1",
    "10.48550/arXiv.2503.11750", "https://www.alphaxiv.org/overview/2503.11750",
])
def test_an_arxiv_id_or_url_puts_its_paper_first(catalog, mode, typed):
    page = catalog.search.search(typed, mode=mode)
    assert page.hits[0].paper.arxiv_id == "2503.11750"
    assert not page.missing


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("typed", "title"), [
    ("hep-th/9901001", OLD_STYLE.title), ("arXiv:hep-th/9901001v2", OLD_STYLE.title),
    ("10.1103/PhysRevLett.116.061102", WITH_DOI.title),
    ("doi:10.1103/physrevlett.116.061102", WITH_DOI.title),
    ("https://doi.org/10.1103/PhysRevLett.116.061102", WITH_DOI.title),
])
def test_old_style_ids_and_dois_find_their_paper(catalog, mode, typed, title):
    page = catalog.search.search(typed, mode=mode)
    assert [h.paper.title for h in page.hits] == [title]


@pytest.mark.parametrize("mode", MODES)
def test_an_id_the_catalog_lacks_is_reported(catalog, mode):
    page = catalog.search.search("https://arxiv.org/abs/2503.99999v1", mode=mode)
    assert page.hits == []
    assert page.missing == ["arXiv:2503.99999"]
    assert "not in the catalog" in (page.note or "")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nonsense", ["zzzzqqq", "qwxzv blorptangle", "\"", "((( \"\""])
def test_nonsense_finds_nothing_and_says_what_to_try(catalog, mode, nonsense):
    page = catalog.search.search(nonsense, mode=mode)
    assert page.hits == [] and page.total == 0 and not page.has_more
    assert page.suggestions


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sort", ["relevance", "new", "trending"])
def test_paging_walks_one_ranking_without_repeats_or_gaps(catalog, mode, sort):
    ids, total = every_page(catalog, "language models reasoning", mode, sort)
    assert len(ids) > 3 * 7, "the query should span several pages"
    assert len(ids) == len(set(ids)), "a paper shows twice"
    whole = catalog.search.search("language models reasoning", sort=sort, mode=mode, limit=100)
    assert ids[:100] == [h.paper.id for h in whole.hits], "pages differ from the whole ranking"
    if whole.total_exact:
        assert len(ids) == total


def test_hybrid_paging_reaches_every_keyword_match(catalog):
    ids, total = every_page(catalog, "learning", "hybrid", size=20)
    keyword, _ = every_page(catalog, "learning", "keyword", size=20)
    assert set(keyword) <= set(ids)
    assert len(ids) == len(set(ids)) == total


def test_filters_and_constraints_together_in_hybrid(catalog):
    page = catalog.search.search("au:Liu detection", Filters(category="cs.CV"), mode="hybrid")
    assert page.hits
    for hit in page.hits:
        assert "cs.CV" in hit.paper.categories
        assert any("liu" in n.lower().split() for n in hit.paper.authors)


def test_snippets_start_at_a_boundary_and_skip_stop_words(catalog):
    for hit in catalog.search.search("the safety of the models", mode="keyword").hits:
        snippet = str(hit.snippet)
        plain = re.sub(r"</?b>", "", snippet).removeprefix("… ")
        abstract = str(escape(to_plain(hit.paper.abstract)))
        assert abstract.startswith(plain[:30]) or re.search(
            r"[.!?;:,]\s+" + re.escape(plain[:30]), abstract), snippet
        marked = {w.lower() for w in re.findall(r"<b>(.*?)</b>", snippet)}
        assert marked and not marked & {"the", "of"}, marked
