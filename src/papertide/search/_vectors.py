"""The vector index: this machine's copy of the embeddings, searched in process.

Durable vectors live in the catalog database (`embeddings` table). This folder is derived
from it like the keyword index: `vectors.f32` (one float32 row per paper, memory-mapped),
`ids.txt` (the paper id of each row) and, past `HNSW_FROM` rows, an HNSW graph
(`hnsw.usearch`). It catches up from the embeddings' `seq` high-water mark.

Measured candidates (`bench/bench_vectors.py`, 384 dims, 2-core laptop, top 10, vectors
mixed from real embeddings):

    vectors    numpy f32 exact   usearch int8 exact      usearch HNSW f16             HNSW int8
    100,000    p50  7.4 ms       p50  5.5 ms, rec. 0.94  p50 0.6 ms, rec. 0.96, 21 s  rec. 0.87
    1,000,000  p50 75 ms         p50 74 ms, rec. 0.91    p50 0.8 ms, rec. 0.70, 406 s rec. 0.61

Choice: exact numpy brute force while it is fast (it is exact, needs no build and no
extra memory), and usearch's HNSW graph on top once the catalog passes `HNSW_FROM`
papers, where brute force alone would miss the 50 ms budget at a million. int8 exact
scans were no faster than float32 BLAS here and lost recall; int8 graphs lost more than
f16 ones. (Recall at a million is measured on generated vectors full of near-ties; it is a
lower bound, and `expansion_search` is the knob that buys more of it.) Filtered searches scan the
allowed rows exactly when they are few, and otherwise ask the graph for more candidates
and filter them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from papertide.catalog import paper_key
from papertide.search._embed import DIM
from papertide.search._state import StateFile

# Under 50 clients at 100,000 papers (`bench/bench_load.py`) the exact scan — 150 MB of
# memory read per query, which does not get faster with more threads — took over half the
# web process's time; the graph answers in under a millisecond (recall@10 0.997 on the
# real sample's 74,728 vectors), so it takes over from 50,000 rows, not 200,000.
HNSW_FROM = 50_000


def usearch_index_class() -> Any:
    """usearch's Index, imported after ONNX Runtime: importing onnxruntime once usearch is
    loaded crashes the process (a native-library clash, seen with usearch 2.26 and
    onnxruntime 1.32), and the embedder loads onnxruntime lazily, later."""
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index
EXACT_SUBSET_MAX = 200_000


class VectorIndex:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.state = StateFile(self.path)
        self._checked_at = 0.0
        self._load()

    # ---- files ---------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int] | None:
        """What identifies the state file's current version (None: there is none)."""
        try:
            info = self.state.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_ino

    def refresh(self, every: float = 0.0) -> bool:
        """Re-open the files if another process (this folder's indexer) changed them since
        they were loaded; looks at most once per `every` seconds. True if re-opened."""
        now = time.monotonic()
        if now - self._checked_at < every:
            return False
        self._checked_at = now
        if self._stamp() == self._loaded_stamp:
            return False
        with self._lock:
            self._load()
        return True

    def _load(self) -> None:
        # The state file is written last and renamed into place: the rows it counts are
        # on disk, whatever the indexer appends meanwhile.
        self._loaded_stamp = self._stamp()
        state = self.state.read()
        self.count = int(state.get("count", 0))
        skipped = state.get("skipped")
        # Papers whose rows this index could not take, by id, with the reason.
        self.skipped: dict[str, str] = skipped if isinstance(skipped, dict) else {}
        ids_file = self.path / "ids.txt"
        ids = ids_file.read_text().split("\n")[:self.count] if ids_file.exists() else []
        if len(ids) < self.count:  # files cut short by a crash: start over
            self.count, ids = 0, []
            self._write_state(0, 0)
        self.ids = ids
        self.positions = {pid: i for i, pid in enumerate(ids)}
        self.keys = np.fromiter((paper_key(pid) for pid in ids), np.uint64, len(ids))
        self._map()
        self._stale: set[int] = set()
        self.hnsw = None
        if self.count >= HNSW_FROM and (self.path / "hnsw.usearch").exists():
            self.hnsw = usearch_index_class().restore(str(self.path / "hnsw.usearch"), view=False)
            if self.hnsw is None or len(self.hnsw) != self.count:
                self.hnsw = None

    def _map(self) -> None:
        file = self.path / "vectors.f32"
        if self.count and file.exists() and file.stat().st_size >= self.count * DIM * 4:
            self.matrix: np.ndarray = np.memmap(file, np.float32, "r", shape=(self.count, DIM))
        else:
            self.matrix = np.zeros((0, DIM), np.float32)

    def _write_state(self, seq: int, count: int) -> None:
        self.state.write(seq=seq, count=count, skipped=self.skipped)
        self._loaded_stamp = self._stamp()  # this process's own write: nothing to re-open

    @property
    def indexed_seq(self) -> int:
        return int(self.state.read().get("seq", 0))

    # ---- writing -------------------------------------------------------------------

    def apply(self, rows: list[tuple[str, np.ndarray]], seq: int, final: bool = True) -> None:
        """Store these (paper id, vector) rows — new rows appended, known ids overwritten —
        then move the mark to `seq`. Vectors and ids are flushed before the mark moves.
        A long catch-up passes `final=False` for all but its last chunk: the graph is then
        brought up to date (and saved) once, at the end."""
        with self._lock:
            file = self.path / "vectors.f32"
            updates = [(self.positions[pid], vec) for pid, vec in rows if pid in self.positions]
            fresh = [(pid, vec) for pid, vec in rows if pid not in self.positions]
            # Two rows for one new id in a batch: keep the last.
            fresh = list({pid: vec for pid, vec in fresh}.items())
            with open(file, "r+b" if file.exists() else "w+b") as f:
                for position, vec in updates:
                    f.seek(position * DIM * 4)
                    f.write(np.asarray(vec, np.float32).tobytes())
                f.seek(self.count * DIM * 4)
                for _, vec in fresh:
                    f.write(np.asarray(vec, np.float32).tobytes())
                f.flush()
                os.fsync(f.fileno())
            with open(self.path / "ids.txt", "a" if self.count else "w") as f:
                if self.count and fresh:
                    f.write("\n")
                f.write("\n".join(pid for pid, _ in fresh))
            for pid, _ in fresh:
                self.positions[pid] = len(self.ids)
                self.ids.append(pid)
            self.keys = np.concatenate([self.keys, np.fromiter(
                (paper_key(pid) for pid, _ in fresh), np.uint64, len(fresh))])
            self.count = len(self.ids)
            self._map()
            self._stale.update(p for p, _ in updates)
            if final:
                self._update_hnsw()
            self._write_state(seq, self.count)

    @property
    def lacks_graph(self) -> bool:
        """Past `HNSW_FROM` rows with no graph (the threshold moved since it was built)."""
        return self.count >= HNSW_FROM and self.hnsw is None

    def _update_hnsw(self) -> None:
        """Add the rows the graph lacks and re-add the rows whose vector changed."""
        if self.count < HNSW_FROM:
            return
        if self.hnsw is None:
            self.hnsw = usearch_index_class()(ndim=DIM, metric="cos", dtype="f16", connectivity=16,
                              expansion_add=128, expansion_search=128)
        in_graph = len(self.hnsw)
        changed = sorted(p for p in self._stale if p < in_graph)
        for position in changed:
            self.hnsw.remove(position)
        keys = np.array(changed + list(range(in_graph, self.count)), np.int64)
        if len(keys):
            self.hnsw.add(keys, np.asarray(self.matrix[keys]), threads=os.cpu_count() or 1)
        self._stale.clear()
        # Saved aside and renamed: a web process re-opening the folder meanwhile reads the
        # old graph or the new one, never half of one.
        self.hnsw.save(str(self.path / "hnsw.usearch.tmp"))
        os.replace(self.path / "hnsw.usearch.tmp", self.path / "hnsw.usearch")

    def reset(self) -> None:
        with self._lock:
            for name in ("vectors.f32", "ids.txt", "hnsw.usearch"):
                (self.path / name).unlink(missing_ok=True)
            self.state.unlink()
            self._load()

    # ---- searching -----------------------------------------------------------------

    def vector_of(self, paper_id: str) -> np.ndarray | None:
        position = self.positions.get(paper_id)
        return None if position is None else np.asarray(self.matrix[position])

    def rows_for_keys(self, keys: set[int]) -> np.ndarray:
        """Row numbers of the papers whose `paper_key` is in `keys`."""
        return np.flatnonzero(np.isin(self.keys, np.fromiter(keys, np.uint64, len(keys))))

    def search(self, query: np.ndarray, k: int, rows: np.ndarray | None = None
               ) -> list[tuple[str, float]]:
        """The k nearest papers (id, cosine similarity), best first; with `rows`, only
        among those rows (filters applied before the cut)."""
        if self.count == 0 or k <= 0:
            return []
        query = np.asarray(query, np.float32)
        if rows is not None:
            if len(rows) <= EXACT_SUBSET_MAX or self.hnsw is None:
                return self._exact(query, k, rows)
            allowed = set(rows.tolist())
            hits = [
                (pid, s) for pid, s in self._graph(query, k * 10) if self.positions[pid] in allowed
            ]
            return hits[:k] if len(hits) >= k else self._exact(query, k, rows)
        if self.hnsw is not None:
            return self._graph(query, k)
        return self._exact(query, k, None)

    def _exact(self, query: np.ndarray, k: int, rows: np.ndarray | None) -> list[tuple[str, float]]:
        rows = None if rows is None else np.sort(rows)
        matrix = self.matrix if rows is None else self.matrix[rows]
        if len(matrix) == 0:
            return []
        scores = matrix @ query
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]  # best first; ties by row, so stable
        positions = top if rows is None else rows[top]
        return [(self.ids[p], float(scores[t])) for p, t in zip(positions, top, strict=True)]

    def _graph(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        assert self.hnsw is not None
        matches = self.hnsw.search(query, min(k, self.count))
        ids = self.ids  # as Python numbers first: a semantic search reads 1,000 of them
        return [(ids[key], 1.0 - dist) for key, dist in zip(
            matches.keys.tolist(), matches.distances.tolist(), strict=True)]
