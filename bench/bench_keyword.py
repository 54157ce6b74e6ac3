"""Keyword search latency at 100,000 and 1,000,000 papers: papertide's own search function
(query parsing, filters, result loading and snippets included), the raw tantivy search
beside it, and a brute-force scan as the baseline, all in the same run.

    python bench/bench_keyword.py [N ...]      # default: 100000 1000000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, ms, queries, records, write_jsonl  # noqa: E402

from papertide.catalog import readable  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.search import Filters, parse  # noqa: E402
from papertide.services import open_services  # noqa: E402


def catalog_of(n: int):
    """A data dir holding n papers, built once and kept in bench/.cache."""
    data = CACHE / f"catalog-{n}"
    services = open_services(Settings(data_dir=data, search_mode="keyword"))
    if services.catalog.stats()["papers"] < n:
        rows, origin = records(n)
        path = write_jsonl(rows, CACHE / f"catalog-{n}.jsonl")
        print(f"  building the {n:,}-paper catalog from {origin} …", flush=True)
        with services.search.feeding() as feed:
            ingest_files(services.catalog, [path], on_changed=feed)
        path.unlink()
    services.search.catch_up()  # a cached index of an older schema is rebuilt here
    return services


def main(sizes: list[int]) -> None:
    qs = queries(220)
    # Warmed with queries of their own: a query searched before is answered from the
    # kept rankings (`SearchService._cached_ranking`), not searched again.
    warm, qs = qs[:20], qs[20:]
    for n in sizes:
        services = catalog_of(n)
        search = services.search
        for q in warm:  # warm the caches
            search.search(q, mode="keyword")
        own, own_filtered, raw = [], [], []
        for q in qs:
            started = time.perf_counter()
            search.search(q, mode="keyword", limit=10)
            own.append(time.perf_counter() - started)
            started = time.perf_counter()
            search.search(q, Filters(category="cs.LG"), mode="keyword", limit=10)
            own_filtered.append(time.perf_counter() - started)
            query = search.keyword.text_query(parse(q))
            searcher = search.keyword.searcher()
            started = time.perf_counter()
            searcher.search(query, 10, count=False)
            raw.append(time.perf_counter() - started)
        texts = [(p.id, (readable(p.title) + " " + readable(p.abstract)).lower())
                 for p in services.catalog.iter_papers()]
        brute = []
        for q in qs[:10]:
            terms = q.split()
            started = time.perf_counter()
            scored = sorted(
                ((sum(t in text for t in terms), pid) for pid, text in texts), reverse=True
            )[:10]
            brute.append(time.perf_counter() - started)
        del texts, scored
        print(f"keyword search over {n:,} papers, {len(qs)} queries from real titles, top 10")
        print(f"  papertide search()              {ms(own)}")
        print(f"  papertide search() + cat:cs.LG  {ms(own_filtered)}")
        print(f"  raw tantivy search              {ms(raw)}")
        print(f"  baseline: brute-force scan      {ms(brute)}   (10 queries)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
