"""Keyword search over the demo corpus: ranking, filters, hostile queries, and the index
catching up with the catalog."""

import json
import re
from datetime import datetime

import pytest

from papertide.catalog import Paper
from papertide.search import Filters, SearchService, parse
from tests.helpers import FIXTURES, load


def titles(page):
    return [h.paper.title for h in page.hits]


def test_the_seed_query_ranks_the_right_paper_first(demo_services):
    page = demo_services.search.search("sample efficient multi-agent RL", mode="keyword")
    assert titles(page)[0] == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
    # Spelled out, another multi-agent RL paper about sample complexity ("Maximum Entropy
    # Heterogeneous-Agent Reinforcement Learning", whose title says it) may come first.
    page = demo_services.search.search("sample efficient multi-agent reinforcement learning",
                                       mode="keyword")
    assert "Sample-Efficient Multi-Agent RL: An Optimization Perspective" in titles(page)[:2]


def test_stemming_and_accent_folding(demo_services):
    assert (
        "Camels in a Changing Climate"
        in titles(demo_services.search.search("tulu", mode="keyword"))[0]
    )
    learns = titles(demo_services.search.search("ti:learns", mode="keyword", limit=50))
    assert any("Learning" in t for t in learns)


def test_phrase_exclusion_and_field_prefixes(demo_services):
    search = demo_services.search.search
    phrase = search('"instruction tuning"', mode="keyword", limit=50)
    # Phrases match stemmed words in order: "instruction-tuned" counts,
    # "tuning for instruction" does not.
    in_order = re.compile(r"instruct\w*[\s-]+tun", re.IGNORECASE)
    assert phrase.hits and all(
        in_order.search(h.paper.title + " " + h.paper.abstract) for h in phrase.hits
    )
    without = search("alignment -llm -llms", mode="keyword", limit=50)
    assert without.hits and all(" llm" not in (" " + h.paper.title + " " + h.paper.abstract).lower()
                                for h in without.hits)
    title_only = search("ti:alignment", mode="keyword", limit=50)
    assert title_only.hits and all("align" in h.paper.title.lower() for h in title_only.hits)


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "a*b",
        "(x",
        "x)",
        "title:",
        ":",
        "^2",
        "~3",
        "+",
        "-",
        "--",
        "NEAR(a b)",
        "AND OR NOT",
        "ü∂ß 漢字 🚀",
        "\x00\x1f",
        "\\",
        "'",
        "id:",
        "cat:",
        'au:"',
        "*" * 500,
        "a" * 500,
    ],
)
def test_hostile_queries_are_plain_text(demo_services, query):
    """Operators and punctuation reach no query parser: a hostile query finds only papers
    that contain one of its words, and one with no searchable words finds nothing or
    browses."""
    keyword = demo_services.search.keyword
    page = demo_services.search.search(query, mode="keyword", limit=50)
    wanted = [c.text for c in parse(query) if c.occur != "must_not"]
    words = {w for text in wanted for w in keyword.tokens("pt_english", text)}
    names = {w for text in wanted for w in keyword.tokens("pt_name", text)}
    if not wanted:
        browsing = demo_services.search.search("", mode="keyword", limit=50)
        assert [h.paper.id for h in page.hits] in ([], [h.paper.id for h in browsing.hits])
        return
    for hit in page.hits:
        text = set(keyword.tokens("pt_english", hit.paper.title + " " + hit.paper.abstract))
        authors = set(keyword.tokens("pt_name", " ".join(hit.paper.authors)))
        assert words & text or names & authors, f"{hit.paper.title!r} contains none of {words}"


def test_highlighted_snippets_mark_matches_and_escape_html(services):
    services.catalog.upsert(
        [Paper(title="Scripted", abstract="<script>alert(1)</script> bandit algorithms")]
    )
    services.search.catch_up()
    hit = services.search.search("bandit", mode="keyword").hits[0]
    assert "<b>bandit</b>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_filters_by_date_category_and_author(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    search = services.search.search
    everything = search("", Filters(), mode="keyword", limit=100)
    assert len(everything.hits) == 40
    cv = search("", Filters(category="cs.CV"), mode="keyword", limit=100)
    assert cv.hits and all("cs.CV" in h.paper.categories for h in cv.hits)
    assert len(search("", Filters(category="cs"), mode="keyword", limit=100).hits) == 40
    author = search("", Filters(author="Xianming Zeng"), mode="keyword")
    assert [h.paper.id for h in author.hits] == ["2503.11731"]
    late = search("", Filters(since=datetime(2025, 3, 19)), mode="keyword", limit=100)
    assert all(h.paper.published >= datetime(2025, 3, 19) for h in late.hits)
    assert search("", Filters(until=datetime(2000, 1, 1)), mode="keyword").hits == []


def test_pagination_is_stable_and_sorting_by_newest(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    search = services.search.search
    first = search("model", mode="keyword", limit=5)
    second = search("model", mode="keyword", limit=5, offset=5)
    both = search("model", mode="keyword", limit=10)
    assert [h.paper.id for h in first.hits + second.hits] == [h.paper.id for h in both.hits]
    assert first.has_more
    newest = search("model", sort="new", mode="keyword", limit=40)
    dates = [h.paper.published for h in newest.hits]
    assert dates == sorted(dates, reverse=True)


def test_id_prefix_finds_by_arxiv_id(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    page = services.search.search("id:2503.11731v2", mode="keyword")
    assert [h.paper.id for h in page.hits] == ["2503.11731"]


def test_a_crash_between_catalog_and_index_is_repaired_on_next_start(settings, services):
    # The state a crash leaves: the catalog committed, the index never told.
    services.catalog.upsert(
        [Paper(title="Orphaned paper about quasicrystals", abstract="Tilings.")]
    )
    assert services.search.search("quasicrystals", mode="keyword").hits == []
    restarted = SearchService(settings, services.catalog)  # a new process opening the index
    restarted.catch_up()
    assert titles(restarted.search("quasicrystals", mode="keyword")) == [
        "Orphaned paper about quasicrystals"
    ]


def test_rebuild_from_scratch_matches_the_catalog(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    index_dir = services.search.keyword.path
    state = json.loads((index_dir / "papertide-state.json").read_text())
    assert state["seq"] == services.catalog.max_seq()
    assert services.search.rebuild()["keyword"] == 40
    assert services.search.keyword.num_docs() == 40


def test_updated_paper_is_reindexed_not_duplicated(services):
    services.catalog.upsert(
        [Paper(title="Graph thing", abstract="About graphs.", arxiv_id="2401.00001")]
    )
    services.search.catch_up()
    services.catalog.upsert(
        [Paper(title="Graph thing", abstract="About hypergraphs now.", arxiv_id="2401.00001v2")]
    )
    services.search.catch_up()
    assert services.search.keyword.num_docs() == 1
    assert titles(services.search.search("hypergraphs", mode="keyword")) == ["Graph thing"]


def test_an_index_of_an_older_schema_is_rebuilt_on_its_own(services):
    """After an upgrade that changes the keyword index's schema, the old index is dropped
    when opened and the next catch-up rebuilds it from the catalog: search just works."""
    from papertide.search._keyword import SCHEMA_VERSION

    services.catalog.upsert([Paper(title="Grokking in small transformers",
                                   abstract="Delayed generalisation.")])
    services.search.catch_up()
    state = services.search.keyword.state
    state.write(**{**state.read(), "schema": SCHEMA_VERSION - 1})
    reopened = SearchService(services.settings, services.catalog)
    assert reopened.keyword.num_docs() == 0
    reopened.catch_up()
    assert [h.paper.title for h in reopened.search("grokking", mode="keyword").hits] == [
        "Grokking in small transformers"]


@pytest.mark.parametrize("queries", [["diffusion", "+robot"], ["language model", "graph",
                                                                 '"reinforcement learning"']])
def test_matching_several_queries_at_once_is_matching_each(demo_services, queries):
    # One search for several membership questions (the hybrid guard and its total) must
    # answer each as its own search would.
    keyword = demo_services.search.keyword
    among = [pid for pid, _ in keyword.search(keyword.text_query(parse("learning models")),
                                              Filters(), 150)]
    built = [keyword.text_query(parse(q)) for q in queries]
    together = keyword.matching_each(built, among)
    alone = [keyword.matching(q, among) for q in built]
    assert together == alone
    assert all(0 < len(s) < len(among) for s in alone), "each query matches some, not all"
    assert keyword.matching_each(built, []) == [set() for _ in built]
