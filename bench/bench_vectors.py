"""Vector index candidates, measured side by side on the same vectors: numpy brute force
(float32, exact), usearch exact scan over int8, and usearch HNSW over int8 and float16.
Figures: build time, query p50/p95 (top 10) and recall@10 against the exact answer.

Vectors: real MiniLM embeddings are too slow to make by the million on a laptop, so 2,000
real abstracts are embedded and every vector mixes two of them plus a little noise
(neighbourhoods and cosines like real abstract embeddings). Queries are real titles,
embedded. (Purely random clustered vectors were tried first: on them HNSW recall fell to
0.06 at a million, a property of that data, not of real embeddings.)

    python bench/bench_vectors.py [N ...]      # default: 100000 1000000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime  # noqa: F401  (before usearch: the other order crashes, see _vectors.py)
from usearch.index import Index, search

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, mixed_vectors, percentiles, queries, seed_vectors  # noqa: E402

from papertide.search._embed import Embedder  # noqa: E402

DIM = 384


def measure(fn, queries):
    times, results = [], []
    for q in queries:
        started = time.perf_counter()
        results.append(fn(q))
        times.append(time.perf_counter() - started)
    return percentiles(times), results


def recall(found, truth):
    return np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)])


def main(sizes):
    seeds = seed_vectors()
    query_vectors = Embedder("fast", cache_dir=CACHE).embed(queries(100, seed=5))
    for n in sizes:
        data = mixed_vectors(seeds, n)
        print(f"vector search over {n:,} vectors of {DIM} dims, 100 queries, top 10")

        def brute(q, data=data):
            scores = data @ q
            top = np.argpartition(-scores, 10)[:10]
            return top[np.argsort(-scores[top])]

        (p50, p95), truth = measure(brute, query_vectors)
        print(
            f"  numpy brute force float32 (exact)  build      0.0 s   p50 {p50 * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  recall 1.000"
        )
        as_i8 = np.clip(np.round(data * 127), -127, 127).astype(np.int8)
        def int8_scan(q, as_i8=as_i8):
            q8 = np.clip(np.round(q * 127), -127, 127).astype(np.int8)
            return search(as_i8, q8, 10, "cos", exact=True).keys

        (p50, p95), found = measure(int8_scan, query_vectors)
        print(
            f"  usearch exact scan int8            build      0.0 s   p50 {p50 * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  recall {recall(found, truth):.3f}"
        )
        for dtype in ("i8", "f16"):
            index = Index(
                ndim=DIM,
                metric="cos",
                dtype=dtype,
                connectivity=16,
                expansion_add=128,
                expansion_search=128,
            )
            started = time.perf_counter()
            index.add(np.arange(n), data, threads=2)
            build = time.perf_counter() - started
            (p50, p95), found = measure(
                lambda q, index=index: index.search(q, 10).keys, query_vectors
            )
            print(
                f"  usearch HNSW {dtype:<4}                  build {build:8.1f} s   p50 {p50 * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  recall {recall(found, truth):.3f}"
            )
            del index


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
