"""Recommendations: training + scoring time for one reader, and the `eval-recs` table.

1. Time to train and score for a reader with 200 saved papers and 10 dismissed ones over
   100,000 and 1,000,000 catalog papers (generated unit vectors, memory-mapped float32 as
   the vector index keeps them, page cache warm), median of a few runs. Baseline, in the
   same process: arxiv-sanity-lite's way, a linear SVM trained over every paper of the
   catalog on each request (its settings: C=0.01, balanced classes, tol 1e-6).
2. The `eval-recs` table on the arXiv sample (74,728 real papers with precomputed
   embeddings) when `../shared/data` is present, plus the model without its linear
   shortlist (every paper compared to every saved one), to show what the shortlist costs.

    python bench/bench_recs.py [N ...]          # default: 100000 1000000
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import SAMPLE  # noqa: E402

from papertide.library import evaluate, load_corpus, score_rows, simulated_readers  # noqa: E402
from papertide.library._evaluate import K, _metrics  # noqa: E402

DIM = 384
SAVED, DISMISSED = 200, 10


def catalog(n: int, folder: Path) -> np.memmap:
    rng = np.random.default_rng(n)
    matrix = np.memmap(folder / f"vectors-{n}.f32", np.float32, "w+", shape=(n, DIM))
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), DIM), dtype=np.float32)
        matrix[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    matrix.flush()
    return np.memmap(folder / f"vectors-{n}.f32", np.float32, "r", shape=(n, DIM))


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def arxiv_sanity(matrix: np.ndarray, saved: np.ndarray) -> np.ndarray:
    from sklearn.svm import LinearSVC

    labels = np.zeros(len(matrix))
    labels[saved] = 1
    data = np.asarray(matrix)
    svm = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(data, labels)
    return svm.decision_function(data)


def speed(sizes: list[int]) -> None:
    print(f"train + score, one reader with {SAVED} saved and {DISMISSED} dismissed papers")
    print(f"  {'catalog':>10}  {'papertide':>10}  {'SVM over every paper':>21}  ratio")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            matrix = catalog(n, Path(tmp))
            rows = rng.choice(n, SAVED + DISMISSED, replace=False)
            saved, dismissed = rows[:SAVED], rows[SAVED:]
            np.asarray(matrix @ np.ones(DIM, np.float32))  # warm the page cache
            ours = timed(lambda m=matrix, s=saved, d=dismissed: score_rows(m, s, d), 5)
            baseline = timed(lambda m=matrix, s=saved: arxiv_sanity(m, s), 1)
            print(f"  {n:>10,}  {ours:>8.3f} s  {baseline:>19.2f} s  {baseline / ours:5.0f}×",
                  flush=True)
            del matrix


def table(readers: int = 300) -> None:
    if not SAMPLE.exists():
        print("eval-recs table: ../shared/data not present, skipped")
        return
    corpus = load_corpus(SAMPLE)
    result = evaluate(corpus, readers)
    full = np.zeros(2)
    chosen = simulated_readers(corpus, readers)
    for reader in chosen:
        top = score_rows(corpus.matrix, reader.library, candidates=len(corpus.matrix)).rows
        full += _metrics(top[:K], reader.hidden, K)
    full /= len(chosen)
    print(f"eval-recs on the arXiv sample ({len(corpus.papers):,} papers, {len(chosen)} readers)")
    print(f"  {'ranking':<24} recall@20  ndcg@20")
    for name, row in result.items():
        print(f"  {name:<24} {row['recall@20']:9.4f}  {row['ndcg@20']:7.4f}")
    print(f"  {'model, no shortlist':<24} {full[0]:9.4f}  {full[1]:7.4f}")


if __name__ == "__main__":
    speed([int(n) for n in sys.argv[1:]] or [100_000, 1_000_000])
    table()
