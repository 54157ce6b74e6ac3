"""Recommendations for one reader: rank the catalog by what they saved and dismissed.

    recs = recommend(services, positives=saved, negatives=dismissed, exclude=seen, limit=20)

The model (`score_rows`, shared with `papertide eval-recs`) scores every paper by
- a linear SVM trained on the saved papers against the dismissed ones and a few thousand
  random catalog papers as background (arxiv-sanity's recipe, on embeddings not tf-idf),
- plus the cosine to the *nearest* saved paper (a library spans several topics; its mean
  sits between them),
- minus HUB_WEIGHT × the paper's mean similarity to the catalog: "hub" papers (generic
  abstracts) are close to everything and would crowd every list,
- plus a little kernel density (how many saved papers are close, not only the nearest),
- minus DISMISSED_WEIGHT × the cosine to the nearest dismissed paper.

Measured on the arXiv sample (74,728 real papers with their precomputed embeddings; 300
authors with 8 or more papers as readers, their earlier 60 % saved, the later 40 % to find
among all papers; every paper compared to every saved one), by `bench/bench_recs.py
--table`, the same readers as `papertide eval-recs` and the README's table:

                                                               Recall@20  nDCG@20
    centroid (cosine to the library's mean)                     0.0350    0.0238
    max cosine to a saved paper                                 0.0543    0.0481
    max cosine, hub-corrected (0.8)                             0.0479    0.0462
    linear SVM, C=1, 3,000 background papers                    0.0531    0.0460
    logistic regression, C=10, same background                  0.0432    0.0330
    SVM 2.0 + max cosine − 0.8 hub + 0.05 density               0.0599    0.0535
    SVM 1.0 + max cosine − 0.8 hub + 0.05 density               0.0648    0.0579
    SVM 0.5 + max cosine − 0.5 hub + 0.05 density (chosen)      0.0681    0.0621

Each mixture beats every single signal for the same readers; readers differ a lot, so the
order among the three mixtures is less sure than their lead. The chosen one is 2.6 times
the centroid and 29 % above the best single signal (not the 0.11 an earlier, differently
drawn simulation suggested). Balanced class weights, C=0.3 or 3 were worse in that earlier
exploration; density barely mattered there (± 0.001).

Speed at a million papers: the SVM and the hub term are linear, so they fold into one
weight vector and one matrix-vector product over the vector index's float32 matrix. The
per-saved-paper terms are computed only on a shortlist, the best CANDIDATES_SHARE of the
catalog by that linear score (at least CANDIDATES_MIN): comparing every paper with 200
saved ones would take 7 s at a million here. On the sample the shortlist (2,000 papers)
costs nothing: nDCG@20 0.0622 with it, 0.0621 without (300 readers, `bench_recs`); in an
earlier draw of 150 readers the full model's top 20 sat at linear rank 49 (median), 525
(90th percentile), 2,536 (99th). `bench/bench_recs.py` has the timings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from papertide.catalog import Paper
    from papertide.services import Services

BACKGROUND = 3000  # random catalog papers as negatives
SVM_C = 1.0
SVM_WEIGHT = 0.5
HUB_WEIGHT = 0.5
HUB_SAMPLE = 2000  # random papers whose mean stands for "the catalog"
KDE_WEIGHT = 0.05
KDE_WIDTH = 0.1
DISMISSED_WEIGHT = 0.5
MAX_LIBRARY = 1000  # saved papers compared one by one (the SVM learns from all of them)
CANDIDATES_MIN = 2000
CANDIDATES_SHARE = 0.01  # of the catalog, shortlisted by the linear score
AUTHOR_BONUS = 1.0  # a followed author's paper outranks what the model alone suggests
CATEGORY_BONUS = 0.05
FOLLOWED_DEPTH = 200  # newest papers taken per followed author or category

Rows = NDArray[np.int64]


@dataclass(frozen=True)
class Recommendation:
    id: str
    score: float
    # Why this paper: 'close to "Title" in your library', 'new from <author>, whom you
    # follow' or 'in cs.LG, which you follow'.
    reason: str


@dataclass
class Scored:
    """The model's shortlist: rows, their scores, and for each the nearest saved row."""

    rows: Rows
    scores: NDArray[np.float32]
    nearest: Rows


def _seed(rows: Rows) -> int:
    """The same library draws the same background: a reader's list does not shuffle
    between two page loads."""
    return int(np.bitwise_xor.reduce(rows * 2654435761 % (2**32), initial=len(rows)))


def linear_weights(matrix: NDArray, positives: Rows, negatives: Rows = np.empty(0, np.int64),
                   rng: np.random.Generator | None = None) -> NDArray[np.float32]:
    """The linear part of the score as one vector: SVM weights minus the hub direction."""
    from sklearn.svm import LinearSVC  # a second's import: only when first used

    rng = rng or np.random.default_rng(_seed(positives))
    n = len(matrix)
    background = rng.choice(n, min(BACKGROUND, n), replace=False)
    background = background[~np.isin(background, positives)]
    negative_rows = np.concatenate([negatives, background])
    train = np.asarray(matrix[np.concatenate([positives, negative_rows])], np.float32)
    labels = np.r_[np.ones(len(positives)), np.zeros(len(negative_rows))]
    weights = np.zeros(matrix.shape[1], np.float32)
    if len(negative_rows):
        svm = LinearSVC(C=SVM_C, random_state=0).fit(train, labels)
        weights += SVM_WEIGHT * svm.coef_[0].astype(np.float32)
    hub = np.asarray(matrix[np.sort(rng.choice(n, min(HUB_SAMPLE, n), replace=False))],
                     np.float32).mean(axis=0)
    return weights - HUB_WEIGHT * hub


def score_rows(matrix: NDArray, positives: Rows, negatives: Rows = np.empty(0, np.int64),
               candidates: int | None = None) -> Scored:
    """Score the catalog (`matrix`: one unit vector a row) for a reader who saved the
    `positives` rows and dismissed the `negatives`; the shortlist comes back best first,
    saved and dismissed rows left out. `candidates` overrides the shortlist's length."""
    positives = np.unique(np.asarray(positives, np.int64))
    negatives = np.setdiff1d(np.asarray(negatives, np.int64), positives)
    linear = np.asarray(matrix @ linear_weights(matrix, positives, negatives), np.float32)
    linear[positives] = -np.inf
    linear[negatives] = -np.inf
    n = len(matrix)
    depth = candidates or max(CANDIDATES_MIN, int(n * CANDIDATES_SHARE))
    depth = min(depth, n - len(positives) - len(negatives))
    if depth <= 0:
        return Scored(np.empty(0, np.int64), np.empty(0, np.float32), np.empty(0, np.int64))
    rows = np.argpartition(-linear, depth - 1)[:depth]
    vectors = np.asarray(matrix[rows], np.float32)
    library = positives[-MAX_LIBRARY:]
    similarity = vectors @ np.asarray(matrix[library], np.float32).T
    nearest = similarity.argmax(axis=1)
    scores = (linear[rows] + similarity[np.arange(len(rows)), nearest]
              + KDE_WEIGHT * np.exp((similarity - 1.0) / KDE_WIDTH).sum(axis=1))
    if len(negatives):
        dismissed = vectors @ np.asarray(matrix[negatives[-MAX_LIBRARY:]], np.float32).T
        scores -= DISMISSED_WEIGHT * dismissed.max(axis=1)
    order = np.lexsort((rows, -scores))  # best first; ties by row, so stable
    return Scored(rows[order], scores[order].astype(np.float32), library[nearest[order]])


def _newest(services: Services, field: str, value: str, depth: int) -> list[str]:
    from tantivy import Query

    from papertide.search import Filters

    filters = Filters(author=value) if field == "author" else Filters(category=value)
    hits = services.search.keyword.search(Query.all_query(), filters, depth, newest_first=True)
    return [pid for pid, _ in hits]


def _by_author(paper: Paper, authors: Sequence[str]) -> str | None:
    names = {a.casefold(): a for a in authors}
    return next((names[a.casefold()] for a in paper.authors if a.casefold() in names), None)


def recommend(services: Services, *, positives: Sequence[str], negatives: Sequence[str] = (),
              exclude: Collection[str] = (), categories: Sequence[str] = (),
              authors: Sequence[str] = (), limit: int = 20) -> list[Recommendation]:
    """The `limit` papers this reader most likely wants, best first, never one in `exclude`
    nor a positive or a negative. With no positives (or none embedded yet), the newest
    papers of the followed authors, then of the followed categories."""
    if limit <= 0:
        return []
    banned = set(exclude) | set(positives) | set(negatives)
    scores: dict[str, float] = {}
    closest: dict[str, str] = {}
    if services.search.semantic_ready():
        vectors = services.search.semantic.vectors
        saved = np.array([vectors.positions[p] for p in positives if p in vectors.positions],
                         np.int64)
        if len(saved):
            dismissed = np.array(
                [vectors.positions[p] for p in negatives if p in vectors.positions], np.int64)
            scored = score_rows(vectors.matrix, saved, dismissed)
            for row, score, near in zip(scored.rows.tolist(), scored.scores.tolist(),
                                        scored.nearest.tolist(), strict=True):
                pid = vectors.ids[row]
                if pid not in banned:
                    scores[pid] = score
                    closest[pid] = vectors.ids[near]
                    if len(scores) >= limit * 5:
                        break
    followed = [pid for a in authors for pid in _newest(services, "author", a, FOLLOWED_DEPTH)]
    floor = min(scores.values(), default=0.0)
    for rank, pid in enumerate(dict.fromkeys(followed)):  # newest first, below the model's
        scores.setdefault(pid, floor - (rank + 1) / 1e4)
    if not closest:
        # Cold start by category: the newest papers, the categories taken in turn, after
        # the followed authors' papers.
        lists = [_newest(services, "category", c, FOLLOWED_DEPTH) for c in categories]
        turns = [pid for turn in zip_longest(*lists) for pid in turn if pid is not None]
        for rank, pid in enumerate(dict.fromkeys(turns)):
            scores.setdefault(pid, -1.0 - (rank + 1) / 1e4)
    candidates = [pid for pid in scores if pid not in banned]
    papers = {p.id: p for p in services.catalog.get_many(candidates + list(closest.values()))}
    ranked: list[tuple[float, str, str]] = []
    followed_categories = {c.casefold(): c for c in categories}
    for pid in candidates:
        paper = papers.get(pid)
        if paper is None:
            continue
        score, reason = scores[pid], ""
        author = _by_author(paper, authors)
        category = next((followed_categories[c.casefold()] for c in paper.categories
                         if c.casefold() in followed_categories), None)
        if author is not None:
            score += AUTHOR_BONUS
            reason = f"new from {author}, whom you follow"
        elif pid in closest and closest[pid] in papers:
            reason = f'close to "{papers[closest[pid]].title}" in your library'
        elif category is not None:
            reason = f"in {category}, which you follow"
        else:
            continue  # a followed author's name matched, but not as an author of this paper
        if category is not None and pid in closest:
            score += CATEGORY_BONUS
        ranked.append((score, pid, reason))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [Recommendation(pid, round(score, 6), reason) for score, pid, reason in ranked[:limit]]
