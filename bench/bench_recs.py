"""Recommendations: training + scoring time for one reader, and the `eval-recs` table.

1. Time to train and score for a reader with 200 saved papers (four topics: the 50 nearest
   neighbours of each of four papers) and 10 dismissed ones over 100,000 and 1,000,000
   catalog papers, median of a few runs. The vectors are real: the arXiv sample's
   precomputed embeddings (74,728 papers), topped up past that with mixes of two real
   vectors (as the other benchmarks scale up, `_common.mixed_vectors`); memory-mapped
   float32 as the vector index keeps them, page cache warm. Without `../shared/data`, the
   seeds are the embeddings of generated abstracts. Baselines, in the same process:
   arxiv-sanity-lite's way, a linear SVM trained over every paper of the catalog on each
   request (its settings: C=0.01, balanced classes, tol 1e-6), on the same embeddings, and
   as arxiv-sanity-lite itself runs it, on tf-idf features of the titles and abstracts (its
   vectorizer: words and word pairs, 20,000 features, sublinear tf, min_df 5, max_df 0.1;
   built beforehand, as it does, and not timed).
2. The `eval-recs` table on the arXiv sample (74,728 real papers with precomputed
   embeddings) when `../shared/data` is present, plus the model without its linear
   shortlist (every paper compared to every saved one), to show what the shortlist costs,
   and the signals and mixtures `library/_recommend.py` compares, on the same readers.

    python bench/bench_recs.py [N ...]          # default: 100000 1000000
    python bench/bench_recs.py --table          # only the table (part 2)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import SAMPLE, mixed_vectors, records, seed_vectors  # noqa: E402

from papertide.library import evaluate, load_corpus, score_rows, simulated_readers  # noqa: E402
from papertide.library._evaluate import K, _metrics  # noqa: E402

DIM = 384
SAVED, DISMISSED = 200, 10
TOPICS = 4
EMBEDDINGS = SAMPLE.parent / "embeddings-minilm-default-f16.npy"


def real_vectors() -> tuple[np.ndarray, str]:
    if EMBEDDINGS.exists():
        return np.load(EMBEDDINGS).astype(np.float32), "the arXiv sample's embeddings"
    return seed_vectors(), "embeddings of 2,000 generated abstracts"


def catalog(n: int, real: np.ndarray, folder: Path) -> np.memmap:
    """n unit vectors: the real ones first, then mixes of two real ones."""
    matrix = np.memmap(folder / f"vectors-{n}.f32", np.float32, "w+", shape=(n, DIM))
    taken = min(n, len(real)) if len(real) > 10_000 else 0  # a few seeds: mixes only
    matrix[:taken] = real[:taken]
    for start in range(taken, n, 100_000):
        count = min(100_000, n - start)
        matrix[start:start + count] = mixed_vectors(real, count, seed=start)
    matrix.flush()
    return np.memmap(folder / f"vectors-{n}.f32", np.float32, "r", shape=(n, DIM))


def library(matrix: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A reader's saved papers: the nearest neighbours of a few papers, one topic each;
    and a few dismissed papers drawn at random."""
    anchors = rng.choice(len(matrix), TOPICS, replace=False)
    similarity = np.asarray(matrix @ np.asarray(matrix[anchors]).T)
    saved: dict[int, None] = {}  # in order, once each
    for topic in range(TOPICS):
        wanted = len(saved) + SAVED // TOPICS
        for row in np.argsort(-similarity[:, topic]).tolist():
            saved.setdefault(row)
            if len(saved) == wanted:
                break
    rest = np.setdiff1d(np.arange(len(matrix)), list(saved))
    return np.array(list(saved), np.int64), rng.choice(rest, DISMISSED, replace=False)


def tfidf(n: int):
    """arxiv-sanity-lite's features for n papers (its compute.py settings)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r['title']}. {r['summary']}" for r in records(n)[0]]
    vectorizer = TfidfVectorizer(strip_accents="unicode", lowercase=True, analyzer="word",
                                 stop_words="english", token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
                                 ngram_range=(1, 2), max_features=20_000, norm="l2",
                                 use_idf=True, smooth_idf=True, sublinear_tf=True,
                                 max_df=0.1, min_df=5)
    return vectorizer.fit_transform(texts).astype(np.float32)


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def arxiv_sanity(features, saved: np.ndarray) -> np.ndarray:
    from sklearn.svm import LinearSVC

    labels = np.zeros(features.shape[0])
    labels[saved] = 1
    data = features if hasattr(features, "tocsr") else np.asarray(features)
    svm = LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(data, labels)
    return svm.decision_function(data)


def speed(sizes: list[int]) -> None:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)  # arxiv-sanity-lite's runs stop so too
    real, source = real_vectors()
    print(f"train + score, one reader with {SAVED} saved ({TOPICS} topics) and {DISMISSED} "
          f"dismissed papers; vectors: {source}, mixed past {len(real):,}")
    print(f"  {'catalog':>10}  {'papertide':>10}  {'SVM over every paper':>21}  ratio"
          f"  {'SVM on tf-idf':>14}  ratio")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            matrix = catalog(n, real, Path(tmp))
            saved, dismissed = library(matrix, rng)
            np.asarray(matrix @ np.ones(DIM, np.float32))  # warm the page cache
            ours = timed(lambda m=matrix, s=saved, d=dismissed: score_rows(m, s, d), 5)
            baseline = timed(lambda m=matrix, s=saved: arxiv_sanity(m, s), 1)
            features = tfidf(n)
            on_tfidf = timed(lambda f=features, s=saved: arxiv_sanity(f, s), 1)
            print(f"  {n:>10,}  {ours:>8.3f} s  {baseline:>19.2f} s  {baseline / ours:5.0f}×"
                  f"  {on_tfidf:>12.2f} s  {on_tfidf / ours:5.0f}×", flush=True)
            del matrix, features


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
    variants(corpus, chosen)


# The signals the model mixes, and the mixtures tried, as `library/_recommend.py` lists them:
# (name, {signal: weight}). Every paper is compared with every saved one (no shortlist).
VARIANTS = [
    ("centroid (cosine to the library's mean)", {"centroid": 1}),
    ("max cosine to a saved paper", {"nearest": 1}),
    ("max cosine, hub-corrected (0.8)", {"nearest": 1, "hub": -0.8}),
    ("linear SVM, C=1, 3,000 background papers", {"svm": 1}),
    ("logistic regression, C=10, same background", {"logistic": 1}),
    ("SVM 2.0 + max cosine − 0.8 hub + 0.05 density",
     {"svm": 2, "nearest": 1, "hub": -0.8, "density": 0.05}),
    ("SVM 1.0 + max cosine − 0.8 hub + 0.05 density",
     {"svm": 1, "nearest": 1, "hub": -0.8, "density": 0.05}),
    ("SVM 0.5 + max cosine − 0.5 hub + 0.05 density (chosen)",
     {"svm": 0.5, "nearest": 1, "hub": -0.5, "density": 0.05}),
]


def signals(matrix: np.ndarray, library: np.ndarray) -> dict[str, np.ndarray]:
    """Each signal's score for every paper, for a reader who saved `library`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    from papertide.library._recommend import BACKGROUND, HUB_SAMPLE, KDE_WIDTH, SVM_C, _seed

    rng = np.random.default_rng(_seed(library))
    background = rng.choice(len(matrix), BACKGROUND, replace=False)
    background = background[~np.isin(background, library)]
    train = matrix[np.concatenate([library, background])]
    labels = np.r_[np.ones(len(library)), np.zeros(len(background))]
    svm = LinearSVC(C=SVM_C, random_state=0).fit(train, labels).coef_[0]
    logistic = LogisticRegression(C=10, max_iter=2000).fit(train, labels).coef_[0]
    hub = matrix[rng.choice(len(matrix), HUB_SAMPLE, replace=False)].mean(axis=0)
    similarity = matrix @ matrix[library].T
    return {"centroid": matrix @ matrix[library].mean(axis=0),
            "nearest": similarity.max(axis=1),
            "hub": matrix @ hub, "svm": matrix @ svm, "logistic": matrix @ logistic,
            "density": np.exp((similarity - 1.0) / KDE_WIDTH).sum(axis=1)}


def variants(corpus, chosen) -> None:
    totals = np.zeros((len(VARIANTS), 2))
    for reader in chosen:
        parts = signals(corpus.matrix, reader.library)
        for i, (_, weights) in enumerate(VARIANTS):
            scores = sum(w * parts[name] for name, w in weights.items())
            scores[reader.library] = -np.inf
            top = np.argpartition(-scores, K - 1)[:K]
            totals[i] += _metrics(top[np.argsort(-scores[top])], reader.hidden, K)
    totals /= len(chosen)
    print("  the signals and mixtures of library/_recommend.py, every paper compared to "
          "every saved one")
    for (name, _), (recall, ndcg) in zip(VARIANTS, totals, strict=True):
        print(f"    {name:<56} {recall:9.4f}  {ndcg:7.4f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        table()
    else:
        speed([int(n) for n in sys.argv[1:]] or [100_000, 1_000_000])
        table()
