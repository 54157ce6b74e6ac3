"""Known-item search on real arXiv papers (`tests/fixtures/arxiv-names.jsonl`): a paper's
short name or a run of its title's words puts it first, and so does its name written as
researchers type it (`GSBAK` for "GSBAK$^K$: …"; `D^2LoRA`, `D2LoRA` or `D²LoRA` for
"$D^2LoRA$: …"). The other papers of each query are the ones that were listed above it
before: they use its words in their abstracts, or its name inside other words."""

from pathlib import Path

import pytest

from tests.helpers import load

NAMES = Path(__file__).parent.parent / "fixtures" / "arxiv-names.jsonl"

LOOK_UPS = [
    ("finagent", "2512.20991"),  # short names, lower-cased as typed
    ("diversed", "2604.07622"),
    ("unicoder", "2606.31732"),
    ("distilling multimodal llms for", "2504.10738"),  # four words of the title
    ("a hybrid-bridge transformer for", "2512.03597"),
    ("with hybrid visual encoders", "2605.19527"),
]
AS_TYPED = [
    ("GSBAK", "2503.12827"), ("gsbak", "2503.12827"), ("GSBAK^K", "2503.12827"),
    ("GSBAKᴷ", "2503.12827"), ("GSBAK$^K$", "2503.12827"),
    ("D^2LoRA", "2503.18089"), ("D2LoRA", "2503.18089"), ("D²LoRA", "2503.18089"),
    ("d^{2}lora", "2503.18089"), ("$D^2LoRA$", "2503.18089"),
]


@pytest.fixture
def names(services):
    load(services, NAMES)
    return services


def first(services, query: str) -> str | None:
    page = services.search.search(query, mode="keyword", limit=3)
    return page.hits[0].paper.arxiv_id if page.hits else None


def test_a_short_name_or_words_of_the_title_put_the_paper_first(names):
    assert {q: first(names, q) for q, _ in LOOK_UPS} == dict(LOOK_UPS)


def test_names_with_scripts_are_found_as_typed(names):
    assert {q: first(names, q) for q, _ in AS_TYPED} == dict(AS_TYPED)
    # The name, not a word inside it: `LoRA` is in every title here, `D2LoRA` in one.
    assert len(names.search.search("D2LoRA", mode="keyword").hits) == 1
    hit = names.search.search("GSBAK", mode="keyword").hits[0]
    assert hit.paper.title.startswith("GSBAK$^K$")


@pytest.mark.parametrize("which", [0.0, 0.3, 0.6, 0.9])
def test_a_title_match_bonus_orders_as_the_engine_would(demo_services, which):
    # The look-up's title scores are added to its papers' scores, not asked of the index as
    # a clause: the order must be the one tantivy gives the query with that clause.
    from tantivy import Occur, Query

    from papertide.search import Filters, parse

    keyword = demo_services.search.keyword
    titles = sorted(p.title for p in demo_services.catalog.iter_papers())
    starts = (t.lower().split()[:4] for t in titles[int(which * len(titles)):])
    words = next(w for w in starts if len(w) == 4 and all(x.isalpha() for x in w))
    clauses = parse(" ".join(words))
    text, named = keyword.text_query(clauses), keyword.title_match(clauses)
    assert named is not None
    scores = keyword.top(named, Filters(), 50)
    bonus = dict(scores.hits)
    assert bonus, "the query's words stand in some titles"
    engine = keyword.top(Query.boolean_query([(Occur.Must, text), (Occur.Should, named)]),
                         Filters(), 30)
    ours = keyword.top(text, Filters(), 30, bonus=bonus)
    assert [pid for pid, _ in ours.hits] == [pid for pid, _ in engine.hits]
    assert [s for _, s in ours.hits] == pytest.approx([s for _, s in engine.hits], rel=1e-5)
    assert ours.count == engine.count


def test_a_named_paper_beyond_the_best_matches_joins_them(demo_services):
    from papertide.search import Filters, parse

    keyword = demo_services.search.keyword
    text = keyword.text_query(parse("language models"))
    deep = keyword.top(text, Filters(), 200).hits
    outside, score = deep[150]
    top = keyword.top(text, Filters(), 20, bonus={outside: 1000.0})
    assert top.hits[0] == (outside, pytest.approx(score + 1000.0))
    assert [pid for pid, _ in top.hits[1:]] == [pid for pid, _ in deep[:19]]
    unmoved = keyword.top(text, Filters(), 20, bonus={outside: 0.0})
    assert [pid for pid, _ in unmoved.hits] == [pid for pid, _ in deep[:20]]
