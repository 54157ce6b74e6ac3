"""Acronyms and their expansions: mined from the catalog's abstracts, a query for one finds
papers that write only the other, below the papers that write what was typed."""

import re
from importlib import resources
from pathlib import Path

import pytest

from papertide.catalog import Paper
from papertide.search import SearchService
from papertide.search._schwartz_hearst import LONGEST_SENTENCE, mine
from papertide.services import open_services
from tests.conftest import BACKENDS
from tests.helpers import eventually, load, make_settings

RECENT = Path(str(resources.files("papertide") / "demo" / "arxiv-recent.jsonl.gz"))
# Real demo papers (2,000 recent arXiv papers ship with papertide). These write
# "vision-language-action" and never VLA:
EXPANSION_ONLY = {"2606.21623", "2606.28804", "2606.29699"}
# … and these write VLA (or VLAs) and never spell it out:
ACRONYM_ONLY = {"2606.23938", "2606.24253"}
VLA_WORD = re.compile(r"(?<![A-Za-z0-9])VLAs?(?![A-Za-z0-9])")


@pytest.fixture(scope="module", params=BACKENDS)
def recent(request, tmp_path_factory):
    """The 2,000 demo arXiv papers, indexed once per backend (tests must not change them)."""
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").database("acronyms")
    services = open_services(make_settings(tmp_path_factory.mktemp(f"recent-{request.param}"),
                                           url))
    load(services, RECENT)
    return services


def ids(page):
    return [h.paper.id for h in page.hits]


def without_acronyms(search: SearchService, query: str, **kw):
    """The same search as the index ran it before acronyms were mined."""
    kept, search.keyword.acronyms = search.keyword.acronyms, None
    search._rankings.clear()
    try:
        return search.search(query, mode="keyword", **kw)
    finally:
        search.keyword.acronyms = kept
        search._rankings.clear()


def test_schwartz_hearst_pairs_read_whole_words_from_real_abstracts():
    text = ("Vision-Language-Action (VLA) models map observations to actions. We pretrain "
            "with self-supervised learning (SSL) and fine-tune with Proximal Policy "
            "Optimization (PPO) on (i) simulated and (ii) real robots (see Fig. 2).")
    assert mine(text) == {("VLA", "Vision-Language-Action"), ("SSL", "self-supervised learning"),
                          ("PPO", "Proximal Policy Optimization")}


def test_a_hostile_endless_sentence_is_mined_only_in_its_start():
    # The rule is quadratic in a sentence's length: an abstract of one 80 kB "sentence"
    # with a parenthesis every few words is read no further than any real sentence goes.
    start = "Vision-Language-Action (VLA) models act, " + "a b (AB) " * 100
    text = start + "a b (AB) " * 8000 + "Proximal Policy Optimization (PPO) tunes them"
    assert len(start) < LONGEST_SENTENCE < len(text)
    assert mine(text) == {("VLA", "Vision-Language-Action"), ("AB", "a b")}
    assert mine("Odd ＬＬＭ (ＬＬＭ) and Straße Übung (SÜ) and \u202e (RT) " * 300) <= {
        ("SÜ", "Straße Übung")}


def test_an_acronym_finds_the_papers_that_spell_it_out_below_those_that_write_it(recent):
    page = recent.search.search("VLA", mode="keyword", limit=50)
    found = ids(page)
    assert set(found) >= EXPANSION_ONLY
    assert "2606.23938" in found  # "Driving VLAs": the plural counts as the acronym
    literal = [h for h in page.hits if VLA_WORD.search(h.paper.title + " " + h.paper.abstract)]
    first_other = min(found.index(pid) for pid in EXPANSION_ONLY)
    assert all(found.index(h.paper.id) < first_other for h in literal[:10])
    # The snippet shows why: the expansion lights up.
    other = next(h for h in page.hits if h.paper.id in EXPANSION_ONLY)
    assert re.search(r"<b>vision</b>.<b>language</b>.<b>action</b>", other.snippet, re.I)
    # Typed in lower case it is the same acronym (the catalog uses `vla` as nothing else).
    assert set(ids(recent.search.search("vla", mode="keyword", limit=50))) >= EXPANSION_ONLY
    # Before: only the papers that write "VLA" itself.
    before = set(ids(without_acronyms(recent.search, "VLA", limit=50)))
    assert not EXPANSION_ONLY & before and page.total > len(before)


def test_an_expansion_finds_the_papers_that_write_only_the_acronym(recent):
    for query in ("vision-language-action", "vision language action models"):
        found = ids(recent.search.search(query, mode="keyword", limit=30))
        assert set(found) >= ACRONYM_ONLY, query
        assert "2606.23938" in found[:10], query  # "… for Driving VLAs"
        # Before, hundreds of papers with "vision", "language" or "action" came first.
        before = ids(without_acronyms(recent.search, query, limit=100))
        assert not ACRONYM_ONLY & set(before), query


def test_an_acronym_without_a_mined_pair_searches_as_before(recent):
    # DETR appears in several demo papers but is spelled out in only one: no pair counts.
    for query in ("DETR", "JEPA sam3", "zqxw"):
        page = recent.search.search(query, mode="keyword", limit=20)
        before = without_acronyms(recent.search, query, limit=20)
        assert ids(page) == ids(before) and page.total == before.total, query
    assert recent.search.search("DETR", mode="keyword").hits  # it does find DETR papers


def test_what_a_reader_demands_matches_as_written(recent):
    for query in ('"VLA"', "+VLA", "ti:VLA"):
        page = recent.search.search(query, mode="keyword", limit=50)
        assert page.hits and not EXPANSION_ONLY & set(ids(page)), query


def definer(n: int, version: int = 1, defines: bool = True) -> Paper:
    body = ("We study the frobnicated widget transform (FWT) on sparse graphs."
            if defines else "We study sparse graphs with a new transform.")
    return Paper(title=f"Widget transforms on graphs, part {n}", abstract=body,
                 arxiv_id=f"2611.0100{n}v{version}")


def test_a_pair_counts_once_enough_papers_define_it_and_follows_new_versions(services):
    search = services.search
    services.catalog.upsert([
        Paper(title="Widgets at scale", abstract="The frobnicated widget transform is fast.",
              arxiv_id="2611.01000"),
        definer(1), definer(2)])
    search.catch_up()
    # Two papers define FWT: not enough support, the spelled-out paper is not found.
    assert "Widgets at scale" not in [h.paper.title for h in search.search("FWT").hits]
    services.catalog.upsert([definer(3)])
    assert search.catch_up()["acronyms"] == 1
    assert "Widgets at scale" in [h.paper.title for h in search.search("FWT").hits]
    # Another process on this machine (a web worker) reads the new pairs by itself.
    other = SearchService(services.settings, services.catalog)
    assert "Widgets at scale" in [h.paper.title for h in other.search("FWT").hits]
    # A new version that no longer defines it takes its support away again.
    services.catalog.upsert([definer(3, version=2, defines=False)])
    search.catch_up()
    assert "Widgets at scale" not in [h.paper.title for h in search.search("FWT").hits]
    eventually(lambda: "Widgets at scale" not in [h.paper.title
                                                  for h in other.search("FWT", limit=5).hits],
               "the other process drops the pair")
    # Rebuilt from the catalog, the table is the same.
    assert search.rebuild()["acronyms"] == 4
    assert "Widgets at scale" not in [h.paper.title for h in search.search("FWT").hits]


def test_a_lower_case_word_expands_only_where_the_catalog_uses_it_as_the_acronym(recent):
    # "ai" is written in 15 times as many demo papers as define "artificial intelligence
    # (AI)": typed in lower case it is the word; in capitals, the acronym.
    lower, lower_before = (recent.search.search("ai", mode="keyword", limit=20),
                           without_acronyms(recent.search, "ai", limit=20))
    assert ids(lower) == ids(lower_before) and lower.total == lower_before.total
    upper = recent.search.search("AI", mode="keyword", limit=20)
    assert upper.total > without_acronyms(recent.search, "AI", limit=20).total
