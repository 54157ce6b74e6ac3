"""Search: keyword (BM25), by meaning (embeddings) and hybrid, with filters and snippets.

Both indexes are derived from the catalog and kept on this machine; `catch_up()` brings
them level with the database and `rebuild()` starts them over.

    service = SearchService(settings, catalog)
    page = service.search('"multi-agent" RL -survey', Filters(category="cs.LG"), mode="hybrid")
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from papertide import trending
from papertide.catalog import Catalog, Paper, UpsertResult, readable
from papertide.config import Settings
from papertide.search._keyword import Filters, IndexBusy, KeywordIndex
from papertide.search._query import Clause, parse

__all__ = ["Filters", "Hit", "IndexBusy", "MODES", "SORTS", "SearchPage", "SearchService", "parse"]

SORTS = ("relevance", "new", "trending")
MODES = ("keyword", "semantic", "hybrid")
TRENDING_CANDIDATES = 1000
Progress = Callable[[str, int, int], None]


@dataclass
class Hit:
    paper: Paper
    score: float
    snippet: Markup


@dataclass
class SearchPage:
    query: str
    mode: str
    sort: str
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    has_more: bool = False
    took_ms: float = 0.0


def plain_snippet(paper: Paper, max_chars: int = 320) -> Markup:
    text = readable(paper.abstract)
    if len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] + " …"
    return escape(text)


class SearchService:
    def __init__(self, settings: Settings, catalog: Catalog) -> None:
        self.settings = settings
        self.catalog = catalog
        self.keyword = KeywordIndex(settings.resolved_index_dir / "keyword", catalog)

    # ---- keeping the derived indexes level with the catalog ----------------------------

    def catch_up(self, on_progress: Progress | None = None) -> dict[str, int]:
        """Index what the catalog changed since the last time; safe to call at any time."""
        progress = (lambda done, total: on_progress("keyword", done, total)) if on_progress else None
        try:
            return {"keyword": self.keyword.catch_up(progress)}
        except IndexBusy:
            return {"keyword": 0}  # another process holds the writer and is doing this

    @contextmanager
    def feeding(self) -> Iterator[Callable[[UpsertResult], None] | None]:
        """Index batches as an ingest commits them (see `KeywordIndex.feeding`); afterwards
        catch up, which is a no-op unless another writer interleaved."""
        with self.keyword.feeding() as feed:
            yield feed
        self.catch_up()

    def rebuild(self, on_progress: Progress | None = None) -> dict[str, int]:
        progress = (lambda done, total: on_progress("keyword", done, total)) if on_progress else None
        return {"keyword": self.keyword.rebuild(progress)}

    # ---- searching -------------------------------------------------------------------

    def search(self, query: str, filters: Filters | None = None, sort: str = "relevance",
               mode: str | None = None, limit: int = 20, offset: int = 0) -> SearchPage:
        started = time.perf_counter()
        filters = filters or Filters()
        mode = mode or self.settings.search_mode
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}; choose from {', '.join(SORTS)}")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
        page = SearchPage(query=query, mode=mode, sort=sort, limit=limit, offset=offset)
        clauses = parse(query)
        ranked = self._ranked_ids(clauses, filters, sort, mode, limit, offset)
        page.has_more = len(ranked) > limit
        ranked = ranked[:limit]
        papers = self.catalog.get_many([pid for pid, _ in ranked])
        scores = dict(ranked)
        snippets = self._snippets(clauses, papers)
        page.hits = [Hit(p, scores[p.id], s) for p, s in zip(papers, snippets)]
        page.took_ms = (time.perf_counter() - started) * 1000
        return page

    def _ranked_ids(self, clauses: list[Clause], filters: Filters, sort: str, mode: str,
                    limit: int, offset: int) -> list[tuple[str, float]]:
        """One more than `limit` ids with their scores, so the caller knows if more follow."""
        text_query = self.keyword.text_query(clauses)
        if text_query is None:
            return []
        if not clauses and sort == "relevance":
            sort = "new"  # nothing to be relevant to: browsing
        if sort == "new":
            return self.keyword.search(text_query, filters, limit + 1, offset, newest_first=True)
        if sort == "trending":
            candidates = self.keyword.search(text_query, filters, TRENDING_CANDIDATES)
            hot = trending.scores(self.catalog, "week")
            order = sorted(range(len(candidates)),
                           key=lambda i: (-hot.get(candidates[i][0], 0.0), i))
            return [candidates[i] for i in order][offset:offset + limit + 1]
        return self.keyword.search(text_query, filters, limit + 1, offset)

    def _snippets(self, clauses: list[Clause], papers: list[Paper]) -> list[Markup]:
        text_query = self.keyword.text_query(clauses) if clauses else None
        if text_query is None or not papers:
            return [plain_snippet(p) for p in papers]
        highlighted = self.keyword.snippets(text_query, papers)
        return [Markup(h) if h else plain_snippet(p) for h, p in zip(highlighted, papers)]
