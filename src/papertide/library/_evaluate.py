"""Offline evaluation of the recommender (`papertide eval-recs PATH`): simulated readers
from a papers file, and how well each ranking finds what they went on to write.

    corpus = load_corpus(Path("papers.jsonl.gz"))
    table = evaluate(corpus, readers=300)   # {"trending": {"recall@20": …, "ndcg@20": …}, …}

A simulated reader is an author with at least MIN_PAPERS papers in the file. Their papers
are sorted by listing date (then id); the earlier TRAIN_SHARE are the library, the later
ones are hidden, and each ranking orders the rest of the file (every paper but the
library). A hidden paper in the top K counts as a hit: Recall@K is the share of the hidden
papers found, nDCG@K weighs them by rank. Rankings: `trending` (votes, saves and views in
the file, newest first where there are none), `centroid` (cosine to the mean of the
library) and `model` (the recommender, `score_rows`).

Vectors: the file's papers are embedded with the configured profile, unless a `.npy` next
to it holds one row of DIM numbers per non-empty line of the file (row i for line i), as
`../shared/data/arxiv-sample/` ships them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from papertide.catalog import Paper, readable
from papertide.library._recommend import score_rows
from papertide.options import EmbedProfile

MIN_PAPERS = 8
TRAIN_SHARE = 0.6
K = 20
RANKINGS = ("trending", "centroid", "model")
EMBED_CHUNK = 256
Progress = Callable[[str, int, int], None]  # (step, done, total)


@dataclass
class Corpus:
    papers: list[Paper]
    matrix: NDArray[np.float32]  # one unit vector a paper
    vectors_from: str  # the .npy file used, or "embedded"


@dataclass
class Reader:
    author: str
    library: NDArray[np.int64]
    hidden: NDArray[np.int64]


def _when(paper: Paper) -> date:
    if paper.announced:
        return paper.announced
    return paper.published.date() if paper.published else date.max


def _precomputed(path: Path, rows: int, dim: int) -> Path | None:
    """A .npy next to the file with one row per record: the file's own name first."""
    stem = path.name.split(".")[0]
    for candidate in sorted(path.parent.glob("*.npy"), key=lambda p: p.name.split(".")[0] != stem):
        try:
            shape = np.load(candidate, mmap_mode="r").shape
        except (OSError, ValueError):
            continue
        if shape == (rows, dim):
            return candidate
    return None


def load_corpus(path: Path, profile: EmbedProfile = "default",
                on_progress: Progress | None = None) -> Corpus:
    from papertide.search._embed import DIM
    from papertide.sources import Rejected, read_file

    records = list(read_file(path, "jsonl"))
    unreadable = [r for r in records if isinstance(r, Rejected) and r.line is None]
    if unreadable:
        raise ValueError(str(unreadable[0]))
    keep = [i for i, r in enumerate(records) if isinstance(r, Paper)]
    papers = [r for r in records if isinstance(r, Paper)]
    if not papers:
        raise ValueError(f"{path}: no papers")
    npy = _precomputed(path, len(records), DIM)
    if npy is not None:
        matrix = np.asarray(np.load(npy, mmap_mode="r")[keep], np.float32)
        vectors_from = npy.name
    else:
        from papertide.search._embed import Embedder, embedding_text

        embedder = Embedder(profile)
        texts = [embedding_text(readable(p.title), readable(p.abstract)) for p in papers]
        parts = []
        for start in range(0, len(texts), EMBED_CHUNK):
            parts.append(embedder.embed(texts[start:start + EMBED_CHUNK]))
            if on_progress:
                on_progress("embedding", min(start + EMBED_CHUNK, len(texts)), len(texts))
        matrix = np.vstack(parts).astype(np.float32)
        vectors_from = "embedded"
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = (matrix / np.where(norms > 0, norms, 1)).astype(np.float32)
    return Corpus(papers, unit, vectors_from)


def simulated_readers(corpus: Corpus, count: int, seed: int = 0,
                      min_papers: int = MIN_PAPERS) -> list[Reader]:
    """Up to `count` authors with at least `min_papers` papers, drawn with a fixed seed."""
    order = sorted(range(len(corpus.papers)),
                   key=lambda i: (_when(corpus.papers[i]), corpus.papers[i].arxiv_id or "", i))
    by_author: dict[str, list[int]] = defaultdict(list)
    for i in order:  # earliest first
        for author in dict.fromkeys(" ".join(a.split()) for a in corpus.papers[i].authors):
            if author:
                by_author[author].append(i)
    eligible = sorted(a for a, rows in by_author.items() if len(rows) >= min_papers)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(eligible), min(count, len(eligible)), replace=False)
    readers = []
    for index in sorted(chosen.tolist()):
        rows = by_author[eligible[index]]
        cut = round(len(rows) * TRAIN_SHARE)
        readers.append(Reader(eligible[index], np.array(rows[:cut], np.int64),
                              np.array(rows[cut:], np.int64)))
    return readers


def _top(scores: NDArray, k: int) -> NDArray[np.int64]:
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.lexsort((top, -scores[top]))]


def _trending_scores(corpus: Corpus) -> NDArray[np.float64]:
    """Attention first (a save counts double a vote, as in `trending`), then newness."""
    days = np.array([_when(p).toordinal() if _when(p) != date.max else 0
                     for p in corpus.papers], np.float64)
    attention = np.array([p.votes + 2 * p.saves + 0.1 * p.views for p in corpus.papers])
    return attention * 1e6 + days


def rank(corpus: Corpus, reader: Reader, ranking: str, k: int = K,
         trending: NDArray | None = None) -> NDArray[np.int64]:
    """The top `k` rows of one ranking for this reader, best first, library left out."""
    if ranking == "model":
        return score_rows(corpus.matrix, reader.library).rows[:k]
    if ranking == "centroid":
        scores = corpus.matrix @ corpus.matrix[reader.library].mean(axis=0)
    elif ranking == "trending":
        scores = (trending if trending is not None else _trending_scores(corpus)).copy()
    else:
        raise ValueError(f"unknown ranking {ranking!r}; choose from {', '.join(RANKINGS)}")
    scores[reader.library] = -np.inf
    return _top(scores, min(k, len(scores) - len(reader.library)))


def _metrics(top: NDArray[np.int64], hidden: NDArray[np.int64], k: int) -> tuple[float, float]:
    hits = np.isin(top[:k], hidden)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = discounts[:min(k, len(hidden))].sum()
    return hits.sum() / len(hidden), float((hits * discounts[:len(hits)]).sum() / ideal)


def evaluate(corpus: Corpus, readers: int = 300, k: int = K, seed: int = 0,
             on_progress: Progress | None = None) -> dict[str, dict[str, float]]:
    """Mean Recall@k and nDCG@k of each ranking over the simulated readers."""
    chosen = simulated_readers(corpus, readers, seed)
    if not chosen:
        raise ValueError(f"no author has {MIN_PAPERS} or more papers in the file: "
                         "no reader to simulate")
    trending = _trending_scores(corpus)
    totals = {name: np.zeros(2) for name in RANKINGS}
    for done, reader in enumerate(chosen, start=1):
        for name in RANKINGS:
            totals[name] += _metrics(rank(corpus, reader, name, k, trending), reader.hidden, k)
        if on_progress:
            on_progress("readers", done, len(chosen))
    return {name: {f"recall@{k}": round(float(t[0]) / len(chosen), 4),
                   f"ndcg@{k}": round(float(t[1]) / len(chosen), 4)}
            for name, t in totals.items()}
