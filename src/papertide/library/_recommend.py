"""Recommendations for one reader: rank the catalog by what they saved and dismissed.

    recs = recommend(services, positives=saved, negatives=dismissed, exclude=seen, limit=20)

Work in progress: the interface is fixed, the model is being measured.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from papertide.services import Services


@dataclass(frozen=True)
class Recommendation:
    id: str
    score: float
    # Why this paper: 'close to "Title" in your library', 'new from <author>, whom you
    # follow' or 'in cs.LG, which you follow'.
    reason: str


def recommend(services: Services, *, positives: Sequence[str], negatives: Sequence[str] = (),
              exclude: Collection[str] = (), categories: Sequence[str] = (),
              authors: Sequence[str] = (), limit: int = 20) -> list[Recommendation]:
    """The `limit` papers this reader most likely wants, best first, never one in `exclude`
    (nor a positive or negative)."""
    if limit <= 0 or not services.search.semantic_ready():
        return []
    vectors = services.search.semantic.vectors
    rows = [vectors.positions[p] for p in positives if p in vectors.positions]
    if not rows:
        return []
    library = np.asarray(vectors.matrix[rows])
    similarity = np.asarray(vectors.matrix) @ library.T
    scores = similarity.max(axis=1)
    nearest = similarity.argmax(axis=1)
    banned = set(exclude) | set(positives) | set(negatives)
    order = np.argsort(-scores)
    picked = [int(i) for i in order if vectors.ids[i] not in banned][:limit]
    titles = {p.id: p.title for p in services.catalog.get_many(list(positives))}
    return [Recommendation(vectors.ids[i], float(scores[i]),
                           f'close to "{titles.get(vectors.ids[rows[nearest[i]]], "")}" '
                           "in your library") for i in picked]
