"""Hybrid search latency at 100,000 and 1,000,000 papers, query embedding included:
papertide's `search(mode="hybrid")` beside its keyword-only and semantic-only modes and
the raw vector search, in the same run.

The catalogs are the keyword benchmark's (bench/.cache). Embedding a million abstracts
would take hours on a laptop, so their vectors are generated: 2,000 real abstracts are
embedded, and each paper gets a mix of two of them plus noise (unit length, neighbours
at realistic cosines). The query side is real: every query is embedded by the model.

    python bench/bench_hybrid.py [N ...]      # default: 100000 1000000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import mixed_vectors, ms, queries, seed_vectors  # noqa: E402
from bench_keyword import catalog_of  # noqa: E402


def generate_vectors(services, n: int) -> None:
    semantic = services.search.semantic
    if semantic.store.count() >= n:
        caught_up(services)
        return
    print("  embedding 2,000 real abstracts as vector seeds …", flush=True)
    seeds = seed_vectors(profile=semantic.embedder.profile)
    ids = [p.id for p in services.catalog.iter_papers()]
    print(f"  generating and storing {len(ids):,} vectors …", flush=True)
    for start in range(0, len(ids), 20_000):
        chunk = ids[start:start + 20_000]
        vectors = mixed_vectors(seeds, len(chunk), seed=start)
        semantic.store.save(
            [(pid, "generated", "-", v) for pid, v in zip(chunk, vectors, strict=True)]
        )
    print("  building the vector index …", flush=True)
    started = time.perf_counter()
    caught_up(services)
    print(f"  vector index built in {time.perf_counter() - started:.0f} s", flush=True)


def caught_up(services) -> None:
    """The vector index caught up under the index folder's lock, as `papertide index` does
    it: two benchmarks on one cache would otherwise build the same graph at once. While
    another process holds the lock, wait for it, then pick up what it wrote."""
    search = services.search
    while True:
        with search.lock.writing() as mine:
            if mine:
                search.semantic.vectors.refresh()
                search.semantic.catch_up()
                return
        print("  another process is indexing this catalog: waiting …", flush=True)
        time.sleep(5)


def main(sizes: list[int]) -> None:
    qs = queries(300, seed=11)
    warm, qs = qs[:50], qs[50:]
    for n in sizes:
        services = catalog_of(n)
        generate_vectors(services, n)
        search = services.search
        for q in warm:
            search.search(q, mode="hybrid")
        timings = {"hybrid": [], "semantic": [], "keyword": [], "embed": [], "vector": []}
        for q in qs:
            for mode in ("hybrid", "semantic", "keyword"):
                started = time.perf_counter()
                search.search(q + " " + mode[0], mode=mode, limit=10)  # distinct text: no cache hit
                timings[mode].append(time.perf_counter() - started)
            started = time.perf_counter()
            vector = search.semantic.embedder.embed([q + " x"])[0]
            timings["embed"].append(time.perf_counter() - started)
            started = time.perf_counter()
            search.semantic.vectors.search(vector, 100)
            timings["vector"].append(time.perf_counter() - started)
        index = "HNSW" if search.semantic.vectors.hnsw is not None else "exact"
        print(
            f"search over {n:,} papers, {len(qs)} queries from real titles, top 10 ({index} vectors)"
        )
        print(
            f"  papertide hybrid (embed + BM25 + vectors + fuse + load)  {ms(timings['hybrid'])}   goal p50 ≤ 50 ms at 1M"
        )
        print(
            f"  papertide semantic only                                  {ms(timings['semantic'])}"
        )
        print(
            f"  papertide keyword only                                   {ms(timings['keyword'])}"
        )
        print(f"  query embedding alone                                    {ms(timings['embed'])}")
        print(f"  raw vector search, top 100                               {ms(timings['vector'])}")
        cache_run(search, qs)


def cache_run(search, qs: list[str], n: int = 1000) -> None:
    """Repeated queries, as a busy instance sees them: n searches drawn from the query
    list with Zipf-like popularity (the i-th query weighted 1 / (i + 1)), through the
    in-process query-embedding LRU cache; first pages and a second page of each."""
    import random

    rng = random.Random(5)
    pool = [q + " again" for q in qs]  # texts not embedded above
    weights = [1 / (i + 1) for i in range(len(pool))]
    stream = rng.choices(pool, weights, k=n)
    cache = search.semantic.query_cache
    before = cache.stats()
    hit_times, miss_times = [], []
    for q in stream:
        misses = cache.misses
        started = time.perf_counter()
        search.search(q, mode="hybrid", limit=10, offset=10 * rng.randint(0, 1))
        took = time.perf_counter() - started
        (miss_times if cache.misses > misses else hit_times).append(took)
    after = cache.stats()
    hits = after["hits"] + after["shared_hits"] - before["hits"] - before["shared_hits"]
    misses = after["misses"] - before["misses"]
    print(f"  query cache: {n} hybrid searches over {len(pool)} distinct queries (Zipf): "
          f"{len(hit_times) / n:.1%} needed no embedding (rankings kept for paging, then "
          f"the embedding cache of {cache.size}: {hits} hits, {misses} misses)")
    print(f"    cached query (ranking or embedding reused)             {ms(hit_times)}")
    print(f"    new query (embedded)                                   {ms(miss_times)}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
