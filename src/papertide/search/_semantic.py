"""Search by meaning: embedding papers durably, keeping this machine's vector index level
with them, and nearest-neighbour search with the catalog's filters.

Embedding is the slowest step of the product, so it is resumable and shareable:
`embed_pending` picks papers whose text has no vector yet (or changed since, by a hash of
title + abstract), embeds them in chunks and commits each chunk with the next value of
the `embed_seq` counter. An interrupted run keeps every committed chunk and the next run
starts with what is left: no paper is embedded twice, none is lost. Job workers each take
a disjoint slice (`shard`, `shards`), so more workers or machines embed faster.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete, func, or_, select, tuple_

from papertide.catalog import Catalog, paper_key, readable
from papertide.db import next_seq
from papertide.db.tables import counters, embeddings, papers
from papertide.options import EmbedProfile
from papertide.search._embed import DIM, Embedder, embedding_text
from papertide.search._qcache import QueryCache
from papertide.search._vectors import VectorIndex

CHUNK = 256
log = logging.getLogger(__name__)


class EmbeddingStore:
    """All storage access for the durable vectors."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def pending(
        self, limit: int, after_id: str = "", shard: int = 0, shards: int = 1
    ) -> list[tuple]:
        """(id, title, abstract, text_hash) of papers whose vector is missing or stale."""
        join = papers.outerjoin(embeddings, embeddings.c.paper_id == papers.c.id)
        query = (
            select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.text_hash)
            .select_from(join)
            .where(
                or_(embeddings.c.paper_id.is_(None), embeddings.c.text_hash != papers.c.text_hash)
            )
            .where(papers.c.id > after_id)
            .order_by(papers.c.id)
        )
        rows: list[tuple] = []
        with self.engine.connect() as conn:
            # Sharding by id hash in Python: portable, and the scan is cheap next to embedding.
            for row in conn.execute(query).yield_per(2000):
                if shards == 1 or paper_key(row.id) % shards == shard:
                    rows.append(tuple(row))
                    if len(rows) >= limit:
                        break
        return rows

    def count_pending(self) -> int:
        join = papers.outerjoin(embeddings, embeddings.c.paper_id == papers.c.id)
        query = select(papers.c.id).select_from(join).where(
            or_(embeddings.c.paper_id.is_(None), embeddings.c.text_hash != papers.c.text_hash))
        with self.engine.connect() as conn:
            return sum(1 for _ in conn.execute(query).yield_per(5000))

    def save(self, rows: list[tuple[str, str, str, np.ndarray]]) -> int:
        """Store (paper id, model, text hash, vector) rows in one transaction; returns its seq."""
        with self.engine.begin() as conn:
            seq = next_seq(conn, "embed_seq")
            ids = [r[0] for r in rows]
            conn.execute(delete(embeddings).where(embeddings.c.paper_id.in_(ids)))
            conn.execute(embeddings.insert(), [
                {"paper_id": pid, "model": model, "text_hash": text_hash,
                 "vector": np.asarray(vec, np.float32).tobytes(), "seq": seq}
                for pid, model, text_hash, vec in rows])
        return seq

    def since(self, after_seq: int, upto_seq: int,
              batch: int = 5000) -> Iterator[list[tuple[str, np.ndarray]]]:
        """(paper id, vector, seq) above the mark, in seq order, in keyset-paged batches."""
        last: tuple[int, str] | None = None
        while True:
            after = (embeddings.c.seq > after_seq if last is None
                     else tuple_(embeddings.c.seq, embeddings.c.paper_id) > tuple_(*last))
            query = (
                select(embeddings.c.paper_id, embeddings.c.vector, embeddings.c.seq)
                .where(after)
                .where(embeddings.c.seq <= upto_seq)
                .order_by(embeddings.c.seq, embeddings.c.paper_id).limit(batch)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            yield [(r.paper_id, np.frombuffer(r.vector, np.float32)) for r in rows]
            last = (rows[-1].seq, rows[-1].paper_id)

    def max_seq(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(counters.c.value).where(counters.c.name == "embed_seq")
            ).scalar_one()

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(embeddings)).scalar_one()


class SemanticIndex:
    def __init__(self, catalog: Catalog, index_dir: Path,
                 profile: EmbedProfile = "default", cache_url: str | None = None) -> None:
        self.catalog = catalog
        self.store = EmbeddingStore(catalog.engine)
        self.vectors = VectorIndex(index_dir / "vectors")
        self.embedder = Embedder(profile)
        # Queries repeat: each distinct one is embedded once (per process, or across every
        # process sharing the cache's Redis).
        self.query_cache = QueryCache(self._embed_query, profile, cache_url)
        self.query_vector = self.query_cache.get

    # ---- embedding (the durable side) ---------------------------------------------------

    def embed_pending(self, on_progress: Callable[[int, int], None] | None = None,
                      shard: int = 0, shards: int = 1, limit: int | None = None) -> int:
        """Embed every paper (of this shard) that has no vector for its current text."""
        total = self.store.count_pending() if on_progress else 0
        if shards > 1:
            total //= shards
        done, after = 0, ""
        if on_progress and total:
            on_progress(0, total)  # before the first batch, which also loads the model
        while limit is None or done < limit:
            rows = self.store.pending(CHUNK if limit is None else min(CHUNK, limit - done),
                                      after, shard, shards)
            if not rows:
                break
            texts = [
                embedding_text(readable(title), readable(abstract))
                for _, title, abstract, _ in rows
            ]
            vectors = self.embedder.embed(texts)
            self.store.save([(pid, self.embedder.name, text_hash, vec)
                             for (pid, _, _, text_hash), vec in zip(rows, vectors, strict=True)])
            done += len(rows)
            after = rows[-1][0]
            if on_progress:
                on_progress(done, max(total, done))
        return done

    # ---- this machine's vector index ----------------------------------------------------

    def catch_up(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        start, top = self.vectors.indexed_seq, self.store.max_seq()
        if top <= start:
            if self.vectors.lacks_graph:
                self.vectors.apply([], start)  # builds the graph
            return 0
        done = 0
        pending: list = []
        for batch in self.store.since(start, top):
            batch = [row for row in batch if self._takes(*row)]
            pending += batch
            done += len(batch)
            if len(pending) >= 50_000:
                # Rows stored; the mark stays, and the graph waits, until the end.
                self.vectors.apply(pending, start, final=False)
                pending = []
            if on_progress:
                on_progress(done, done)
        self.vectors.apply(pending, top)
        return done

    def _takes(self, paper_id: str, vector: np.ndarray) -> bool:
        """Whether the vector index can take this row; one it cannot (a vector of another
        size or with NaNs, an id that would break `ids.txt`) is logged with the paper id,
        noted in the index's state as skipped, and never holds up the rows after it."""
        problem = None
        if vector.shape != (DIM,):
            problem = f"vector of {vector.size} numbers, not {DIM}"
        elif not np.isfinite(vector).all():
            problem = "vector holds NaN or infinity"
        elif "\n" in paper_id or "\r" in paper_id:
            problem = "paper id contains a line break"
        if problem is None:
            self.vectors.skipped.pop(paper_id, None)
            return True
        log.error("vector index: paper %s skipped: %s", paper_id, problem)
        self.vectors.skipped[paper_id] = problem
        return False

    def rebuild(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        self.vectors.reset()
        return self.catch_up(on_progress)

    # ---- searching ----------------------------------------------------------------------

    def _embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def search(
        self, text: str, k: int, allowed: Callable[[list[str] | None], set[int]] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest papers to the text. `allowed(ids)` returns the keys that pass the filters
        among `ids` (or among all papers when given None)."""
        self.vectors.refresh(every=1.0)  # rows another process's indexer added
        return self.search_vector(self.query_vector(text), k, allowed)

    def search_vector(self, vector: np.ndarray, k: int,
                      allowed: Callable[[list[str] | None], set[int]] | None = None,
                      exclude: str | None = None) -> list[tuple[str, float]]:
        want = k + (1 if exclude else 0)
        if allowed is None:
            hits = self.vectors.search(vector, want)
        else:
            # Filters before the cut: over-fetch, keep what passes; if too little passes,
            # scan exactly the rows the filters allow.
            candidates = self.vectors.search(vector, want * 20)
            keys = allowed([pid for pid, _ in candidates])
            hits = [(pid, s) for pid, s in candidates if paper_key(pid) in keys]
            if len(hits) < want and len(candidates) == want * 20:
                hits = self.vectors.search(
                    vector, want, rows=self.vectors.rows_for_keys(allowed(None))
                )
        return [(pid, s) for pid, s in hits if pid != exclude][:k]

    def similar(self, paper_id: str, k: int) -> list[tuple[str, float]]:
        self.vectors.refresh(every=1.0)
        vector = self.vectors.vector_of(paper_id)
        if vector is None:
            return []
        return self.search_vector(vector, k, exclude=paper_id)
