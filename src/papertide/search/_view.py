"""What the library's recommender reads of the search indexes, as a small public surface:
the embedding vectors as rows of one matrix, and the newest papers under a filter.

    view = search.vector_view()         # None while nothing is embedded
    rows = view.rows(["2503.11731"])    # row numbers of the papers that have a vector
    view.matrix[rows]; view.id_of(row)
    search.newest(Filters(author="Ada Lovelace"), 200)   # ids, newest first
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from papertide.search._vectors import VectorIndex


class VectorView:
    """The catalog's unit vectors, one a row, as the vector index holds them now."""

    def __init__(self, vectors: VectorIndex) -> None:
        self._vectors = vectors

    @property
    def matrix(self) -> NDArray[np.float32]:
        return self._vectors.matrix

    def rows(self, ids: Iterable[str]) -> NDArray[np.int64]:
        """The rows of those papers that have a vector, in the order given."""
        positions = self._vectors.positions
        return np.array([positions[p] for p in ids if p in positions], np.int64)

    def id_of(self, row: int) -> str:
        return self._vectors.ids[row]
