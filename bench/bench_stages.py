"""Where a search's time goes: each step of a keyword and of a hybrid search timed on its
own over the same queries, beside the engines' own figures (raw tantivy's top 10, the
query embedding, the raw vector search top 100) and the whole `search()`, in one run.
The steps are the ones `SearchService.search` takes; what the whole costs beyond their sum
is the rest (the title look-up, fusion, the rare-term guard, the total, the page).

    python bench/bench_stages.py [N]      # default: 100000 (the keyword bench's catalog)
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import queries  # noqa: E402
from bench_hybrid import generate_vectors  # noqa: E402
from bench_keyword import catalog_of  # noqa: E402

from papertide.search import Filters, parse  # noqa: E402
from papertide.search._keyword import RERANKED  # noqa: E402

PAGE = 10


class Clock:
    """Per-step timings, in milliseconds."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}

    def __call__(self, step: str, work: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        result = work(*args)
        self.times.setdefault(step, []).append((time.perf_counter() - started) * 1000)
        return result

    def p50(self, step: str) -> float:
        return statistics.median(self.times[step])


def parsed(keyword: Any, query: str) -> tuple[Any, Any]:
    clauses = parse(query)
    return clauses, keyword.text_query(clauses)


def main(n: int) -> None:
    services = catalog_of(n)
    generate_vectors(services, n)
    search, catalog = services.search, services.catalog
    keyword, semantic = search.keyword, search.semantic
    qs = queries(300, seed=13)
    warm, qs = qs[:30], qs[30:]
    for q in warm:
        search.search(q + " warm", mode="hybrid")
    clock = Clock()
    # The whole searches first: the keyword one on a query new to the caches; the hybrid
    # one right after it reuses no ranking (another mode), but reads postings now warm.
    for q in qs:
        clock("keyword search()", search.search, q, None, "relevance", "keyword", PAGE)
        clock("hybrid search()", search.search, q, None, "relevance", "hybrid", PAGE)
        clauses, text_query = clock("parse and text query", parsed, keyword, q)
        clock("raw tantivy top 10", keyword.searcher().search, text_query, PAGE, False)
        top = clock("first pass: best 100, count, ids", keyword.top, text_query, Filters(),
                    RERANKED)
        hits = clock("feedback (RM3) over the best 100", keyword.rerank, text_query, clauses,
                     top)
        papers = clock("the page's papers (SQL)", catalog.get_cards,
                       [pid for pid, _ in hits[:PAGE]])
        clock("snippets", keyword.snippets, clauses, papers)
        vector = clock("query embedding", semantic.embedder.embed, [q])[0]
        clock("raw vector search, top 100", semantic.vectors.search, vector, 100)

    steps = ["parse and text query", "first pass: best 100, count, ids",
             "feedback (RM3) over the best 100", "the page's papers (SQL)", "snippets"]
    raw = clock.p50("raw tantivy top 10")
    engines = clock.p50("query embedding") + clock.p50("raw vector search, top 100")
    print(f"where a search's time goes, {n:,} papers, {len(qs)} queries from real titles, "
          f"p50 ms (× raw tantivy top 10 / × embedding + vector search)")
    for name, whole, unit, others in (
        ("keyword", clock.p50("keyword search()"), raw, steps),
        ("hybrid", clock.p50("hybrid search()"), engines,
         ["query embedding", "raw vector search, top 100"] + steps),
    ):
        print(f"  {'papertide ' + name + ' search()':38s} {whole:7.2f}   {whole / unit:5.1f}×")
        for step in others:
            print(f"    {step:36s} {clock.p50(step):7.2f}   {clock.p50(step) / unit:5.2f}×")
        rest = whole - sum(clock.p50(step) for step in others)
        print(f"    {'the rest':36s} {rest:7.2f}   {rest / unit:5.2f}×")
    for label, step in (("raw tantivy search, top 10", "raw tantivy top 10"),
                        ("query embedding alone", "query embedding"),
                        ("raw vector search, top 100", "raw vector search, top 100")):
        print(f"  {label:38s} {clock.p50(step):7.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
