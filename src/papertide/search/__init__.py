"""Search: keyword (BM25), by meaning (embeddings) and hybrid, with filters and snippets.

Both indexes are derived from the catalog and kept on this machine; `catch_up()` brings
them level with the database and `rebuild()` starts them over.

    service = SearchService(settings, catalog)
    page = service.search('"multi-agent" RL -survey', Filters(category="cs.LG"), mode="hybrid")
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from tantivy import Query

from papertide import metrics, trending
from papertide.catalog import Catalog, Paper, UpsertResult
from papertide.config import Settings
from papertide.mathtext import to_plain
from papertide.options import MODES, SORTS, Mode, Sort
from papertide.search._follow import Follower, IndexLock
from papertide.search._hybrid import fuse
from papertide.search._keyword import Filters, IndexBusy, KeywordIndex
from papertide.search._query import Clause, parse, positive_text
from papertide.search._state import StateFile

if TYPE_CHECKING:  # loaded on first use: it imports the model runtime
    from papertide.search._semantic import SemanticIndex

__all__ = ["Filters", "Follower", "Hit", "IndexBusy", "IndexLock", "SearchPage", "SearchService",
           "parse", "plain_snippet"]

TRENDING_CANDIDATES = 1000
_EPOCH = datetime(1970, 1, 1)
HYBRID_DEPTH = 100  # candidates taken from each side before fusing
Progress = Callable[[str, int, int], None]  # (index name, done, total)
IndexProgress = Callable[[int, int], None]


@dataclass
class Hit:
    paper: Paper
    score: float
    snippet: Markup


@dataclass
class SearchPage:
    query: str
    mode: Mode
    sort: Sort
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False
    took_ms: float = 0.0
    note: str | None = None  # e.g. why a semantic search fell back to keywords


def plain_snippet(paper: Paper, max_chars: int = 320) -> Markup:
    text = to_plain(paper.abstract)  # math as Unicode: a cut never falls inside a `$…$`
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return escape(text)


def _named(on_progress: Progress | None) -> Callable[[str], IndexProgress | None]:
    """`on_progress(name, done, total)` as the per-index `(done, total)` callback for `name`."""
    def for_index(name: str) -> IndexProgress | None:
        if on_progress is None:
            return None
        return lambda done, total: on_progress(name, done, total)
    return for_index


class SearchService:
    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.keyword = KeywordIndex(settings.resolved_index_dir / "keyword", catalog)
        # One writer per index folder on this machine, whichever process it is.
        self.lock = IndexLock.of(settings.resolved_index_dir)

    @cached_property
    def semantic(self) -> SemanticIndex:
        """The embedding side; loaded on first use (it imports the model runtime)."""
        from papertide.search._semantic import SemanticIndex

        return SemanticIndex(self.catalog, self.settings.resolved_index_dir,
                             self.settings.embed_profile, self.settings.shared_cache_url)

    def semantic_ready(self) -> bool:
        try:
            return self.semantic.vectors.count > 0
        except RuntimeError:  # the semantic extra is not installed
            return False

    # ---- keeping the derived indexes level with the catalog ----------------------------

    def catch_up(self, on_progress: Progress | None = None, embed: bool = False) -> dict[str, int]:
        """Index what the catalog changed since the last time; safe to call at any time.
        With `embed`, first embed the papers that have no vector yet (the slow part)."""
        progress = _named(on_progress)
        counts = {"keyword": 0}
        if embed:  # the database's side: no index folder is written
            counts["embedded"] = self.semantic.embed_pending(progress("embedding"))
        with self.lock.writing() as mine:
            if not mine:  # another process is this folder's indexer: it does this
                self.refresh()
                return counts
            with contextlib.suppress(IndexBusy):  # another writer of tantivy's: it does this
                counts["keyword"] = self.keyword.catch_up(progress("keyword"))
            if embed or self._semantic_loaded():
                counts["vectors"] = self.semantic.catch_up(progress("vectors"))
        return counts

    def refresh(self) -> None:
        """Re-open what this folder's indexer (another process) wrote."""
        self.keyword.reload()
        if "semantic" in self.__dict__:
            self.semantic.vectors.refresh()

    def follower(self) -> Follower:
        """A follower of the database for this machine's indexes (see `_follow.py`)."""
        return Follower(self.lock, self.catch_up, self.refresh,
                        self.settings.index_follow_seconds)

    def query_cache_stats(self) -> dict[str, object] | None:
        """This process's query-embedding cache: hits, misses, hit rate (None before the
        first semantic search)."""
        return self.semantic.query_cache.stats() if "semantic" in self.__dict__ else None

    def index_lag(self) -> dict[str, int]:
        """How far this machine's indexes are behind the database, in `seq`."""
        lag = {"keyword": max(self.catalog.max_seq() - self.keyword.indexed_seq, 0)}
        if self._semantic_loaded():
            lag["vectors"] = max(self.semantic.store.max_seq() - self.semantic.vectors.indexed_seq,
                                 0)
        return lag

    def skipped(self) -> dict[str, dict[str, str]]:
        """The papers each of this machine's indexes could not take, by id, with the reason
        (read from the indexes' state files: the model runtime is not loaded)."""
        vectors = StateFile(self.settings.resolved_index_dir / "vectors").read().get("skipped")
        return {"keyword": self.keyword.skipped,
                "vectors": vectors if isinstance(vectors, dict) else {}}

    def _semantic_loaded(self) -> bool:
        """Whether this machine keeps a vector index: it has one, or the database holds
        vectors for it to build one from (a new machine)."""
        return ("semantic" in self.__dict__
                or (self.settings.resolved_index_dir / "vectors").exists()
                or self._embedded_anything())

    def _embedded_anything(self) -> bool:
        from sqlalchemy import select

        from papertide.db.tables import counters

        with self.catalog.engine.connect() as conn:
            value = conn.execute(select(counters.c.value)
                                 .where(counters.c.name == "embed_seq")).scalar()
        return bool(value)

    @contextmanager
    def feeding(self) -> Iterator[Callable[[UpsertResult], None] | None]:
        """Index batches as an ingest commits them (see `KeywordIndex.feeding`); afterwards
        catch up, which is a no-op unless another writer interleaved. Yields None when
        another process is this folder's indexer (it picks the batches up by itself)."""
        with self.lock.writing() as mine:
            if not mine:
                yield None
            else:
                with self.keyword.feeding() as feed:
                    yield feed
        self.catch_up()

    def rebuild(self, on_progress: Progress | None = None, embed: bool = False) -> dict[str, int]:
        """Start the derived indexes over from the catalog (and, with `embed`, embed what
        has no vector first)."""
        progress = _named(on_progress)
        embedded = self.semantic.embed_pending(progress("embedding")) if embed else None
        with self.lock.writing() as mine:
            if not mine:
                raise IndexBusy(f"another process indexes {self.settings.resolved_index_dir} "
                                f"(its id is in {self.lock.folder / 'indexer.lock'})")
            counts = {"keyword": self.keyword.rebuild(progress("keyword"))}
            if embedded is not None:
                counts["embedded"] = embedded
            if embed or self._semantic_loaded():
                counts["vectors"] = self.semantic.rebuild(progress("vectors"))
        return counts

    # ---- searching -------------------------------------------------------------------

    def search(self, query: str, filters: Filters | None = None, sort: Sort = "relevance",
               mode: Mode | None = None, limit: int = 20, offset: int = 0) -> SearchPage:
        started = time.perf_counter()
        filters = filters or Filters()
        mode = mode or self.settings.search_mode
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; choose from {', '.join(SORTS)}")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        page = SearchPage(query=query, mode=mode, sort=sort, limit=limit, offset=offset)
        if filters.since and filters.until and filters.since > filters.until:
            page.note = "since is after until: no paper can match"
            page.took_ms = (time.perf_counter() - started) * 1000
            return page
        clauses = parse(query)
        if mode != "keyword" and not positive_text(query).strip():
            mode = "keyword"  # nothing to embed: browsing by filters, ids or exclusions
        elif mode != "keyword" and not self.semantic_ready():
            page.note = (
                "the semantic index is not built yet (run `papertide index`): keyword results"
            )
            mode = "keyword"
        page.mode = mode
        text_query = self.keyword.text_query(clauses)
        ranked = self._ranked_ids(query, clauses, text_query, filters, sort, mode, limit, offset)
        page.has_more = len(ranked) > limit
        ranked = ranked[:limit]
        papers = self.catalog.get_many([pid for pid, _ in ranked])
        scores = dict(ranked)
        snippets = self._snippets(text_query if clauses else None, papers)
        page.hits = [Hit(p, scores[p.id], s) for p, s in zip(papers, snippets, strict=True)]
        took = time.perf_counter() - started
        page.took_ms = took * 1000
        metrics.observe_search(mode, took)
        return page

    def ranked_ids(self, query: str, filters: Filters | None = None, mode: Mode = "hybrid",
                   depth: int = 100) -> list[tuple[str, float]]:
        """Just the ranking (ids and scores), as the relevance harness needs it."""
        clauses = parse(query)
        return self._ranked_ids(
            query,
            clauses,
            self.keyword.text_query(clauses),
            filters or Filters(),
            "relevance",
            mode,
            depth,
            0,
        )

    def _ranked_ids(self, query: str, clauses: list[Clause], text_query: Query | None,
                    filters: Filters, sort: Sort, mode: Mode, limit: int,
                    offset: int) -> list[tuple[str, float]]:
        """One more than `limit` ids with their scores, so the caller knows if more follow."""
        if text_query is None:
            return []
        if not clauses and sort == "relevance":
            sort = "new"  # nothing to be relevant to: browsing
        if mode == "keyword":
            if sort == "new":
                return self.keyword.search(
                    text_query, filters, limit + 1, offset, newest_first=True
                )
            if sort == "relevance":
                return self.keyword.search(text_query, filters, limit + 1, offset)
            candidates = self.keyword.search(text_query, filters, TRENDING_CANDIDATES)
        else:
            depth = (
                max(HYBRID_DEPTH, offset + limit + 1)
                if sort == "relevance"
                else TRENDING_CANDIDATES
            )
            candidates = self._semantic_ranking(query, clauses, filters, depth)
            if mode == "hybrid":
                keyword = self.keyword.search(text_query, filters, depth)
                candidates = fuse(keyword, candidates)
            if sort == "relevance":
                return candidates[offset:offset + limit + 1]
        return self._reorder(candidates, sort)[offset:offset + limit + 1]

    def _semantic_ranking(self, query: str, clauses: list[Clause], filters: Filters,
                          depth: int) -> list[tuple[str, float]]:
        excluded = [c for c in clauses if c.occur == "must_not"]

        def allowed(among: list[str] | None) -> set[int]:
            return self.keyword.filter_keys(filters, among, excluded)

        return self.semantic.search(positive_text(query), depth,
                                    allowed if filters or excluded else None)

    def _reorder(self, candidates: list[tuple[str, float]],
                 sort: Sort) -> list[tuple[str, float]]:
        if sort == "trending":
            hot = trending.scores(self.catalog, "week")
            key = {pid: -hot.get(pid, 0.0) for pid, _ in candidates}
        else:  # newest listing first; undated papers after every dated one
            dates = self.catalog.listing_times(pid for pid, _ in candidates)
            # Seconds from a fixed moment, not `.timestamp()`: that fails on dates near year 1
            # (rows stored before the catalog checked dates).
            key = {pid: -(dates[pid] - _EPOCH).total_seconds() if pid in dates else float("inf")
                   for pid, _ in candidates}
        order = sorted(range(len(candidates)), key=lambda i: (key[candidates[i][0]], i))
        return [candidates[i] for i in order]

    def similar(self, paper_id: str, limit: int = 6) -> list[Hit]:
        """Papers nearest in meaning to this one (none while it has no vector)."""
        if not self.semantic_ready():
            return []
        ranked = self.semantic.similar(paper_id, limit)
        papers = self.catalog.get_many([pid for pid, _ in ranked])
        scores = dict(ranked)
        return [Hit(p, scores[p.id], plain_snippet(p)) for p in papers]

    def _snippets(self, text_query: Query | None, papers: list[Paper]) -> list[Markup]:
        """Highlighted abstracts for a text query; plain ones without (browsing)."""
        if text_query is None or not papers:
            return [plain_snippet(p) for p in papers]
        highlighted = self.keyword.snippets(text_query, papers)
        return [
            Markup(h) if h else plain_snippet(p) for h, p in zip(highlighted, papers, strict=True)
        ]
