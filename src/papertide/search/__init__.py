"""Search: keyword (BM25), by meaning (embeddings) and hybrid, with filters and snippets.

Both indexes are derived from the catalog and kept on this machine; `catch_up()` brings
them level with the database and `rebuild()` starts them over.

    service = SearchService(settings, catalog)
    page = service.search('"multi-agent" RL -survey', Filters(category="cs.LG"), mode="hybrid")

What a reader can count on, in every mode:
- what the query demands (filters, exclusions, `+words`, quoted phrases, field prefixes)
  holds for every result: the semantic side searches only among the papers that satisfy
  it (`KeywordIndex.constraint_query`);
- arXiv ids, arXiv URLs and DOIs in a query put their papers first (`_ids`); one the
  catalog lacks is named in `page.missing`;
- a paper found by meaning is listed only above the similarity floor (settings
  `search_floor`, `search_floor_alone`), so a query that nothing matches lists nothing
  and `page.suggestions` says what to try;
- a query has one fixed `Ranking` (kept while the indexes stay as they are): pages are
  slices of it, with `page.total`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
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
from papertide.search._acronyms import Acronyms
from papertide.search._among import rank_among
from papertide.search._follow import Follower, IndexLock
from papertide.search._hybrid import first, fuse, guard, rare_share
from papertide.search._ids import arxiv_in_path, bare, identify, split_ids
from papertide.search._keyword import RERANKED, Filters, IndexBusy, KeywordIndex
from papertide.search._query import Clause, parse, positive_text, valid_text
from papertide.search._state import StateFile
from papertide.search._view import VectorView

if TYPE_CHECKING:  # loaded on first use: it imports the model runtime
    from papertide.search._semantic import SemanticIndex

__all__ = ["Filters", "Follower", "Hit", "IndexBusy", "IndexLock", "Ranking", "SearchPage",
           "SearchService", "VectorView", "arxiv_in_path", "identify", "parse",
           "plain_snippet", "positive_text", "rank_among", "split_ids"]

TRENDING_CANDIDATES = 1000
_EPOCH = datetime(1970, 1, 1)
HYBRID_DEPTH = 100  # candidates taken from each side before fusing: the fused pool
SEMANTIC_DEPTH = 1000  # the most a semantic search lists ("more than 1,000")
RARE_SHARE = 0.5  # the rare terms' share of a query's weight that keeps exact matches on top
# A query whose words name at most this many papers (their short name, their whole title,
# or a phrase of their title: `KeywordIndex.title_match`) scores those higher and lists
# them first: it is a look-up, not a topic (`_look_up`). Chosen on the tune half of
# bench/bench_known_item.py's draws, success@1 short name / 4-word span: keyword over
# 74,728 papers, at 1 0.932 / 0.910, 3 0.944 / 0.936, 10 0.952 / 0.938, 30 0.954 / 0.938;
# hybrid over 6,000, without the look-up 0.966 / 0.862, at 1 0.992 / 0.972, 3 1.0 / 0.974,
# 10 1.0 / 0.976. 3, not 10: at 10 "vision language action models" (in 6 demo titles)
# became a look-up and pushed the papers that write only "VLA" out of its first 30.
NAMED_MAX = 3
# Sorted by date (or trending), a list is not ordered by relevance, so it holds only what
# is on the query's topic: the papers with every one of its words, and papers found by
# meaning alone from this cosine up (a much stricter bar than `search_floor`). Measured on
# the demo corpus (2,000 real arXiv papers), 12 topic queries ("model merging", "federated
# learning", "mixture of experts", …), hybrid, newest 20: the share of listed papers whose
# title or abstract names the topic was 0.33 on average (0.0 for "federated learning")
# when the newest of the best matches were listed; with all words demanded and a floor of
# 0.4 0.84, 0.45 0.95, 0.5 0.96 (0.6 and 0.7 the same: meaning adds one paper at 0.5).
DATED_FLOOR = 0.5
RANKINGS_KEPT = 64  # recent rankings kept, so that paging reads one fixed list
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
    total: int = 0  # how many papers the ranking holds (at least, unless `total_exact`)
    total_exact: bool = True
    missing: list[str] = field(default_factory=list)  # ids in the query the catalog lacks
    suggestions: list[str] = field(default_factory=list)  # what to try when nothing matched


@dataclass
class Ranking:
    """One query's whole ranking, fixed: a `head` computed up front (the fused or semantic
    pool) and, when `more` is given, the papers after it fetched on demand in a fixed order
    (`more(depth)` returns up to `depth` of them). Pages are slices of it, so paging shows
    no paper twice and skips none."""

    head: list[tuple[str, float]]
    more: Callable[[int], list[tuple[str, float]]] | None
    total: int
    exact: bool
    _tail: list[tuple[str, float]] = field(default_factory=list)
    _asked: int = 0

    def upto(self, n: int) -> list[tuple[str, float]]:
        if len(self.head) >= n or self.more is None:
            return self.head[:n]
        need = n - len(self.head)
        if need > len(self._tail) and len(self._tail) >= self._asked:
            self._asked = max(need, 2 * self._asked, 100)
            self._tail = self.more(self._asked)
        return self.head + self._tail[:need]

    def pinned(self, ids: list[str]) -> Ranking:
        """This ranking with these papers first."""
        top = max((s for _, s in self.head), default=1.0) + 1.0
        first = set(ids)
        more = self.more
        head = [(pid, top) for pid in ids] + [x for x in self.head if x[0] not in first]

        def rest(depth: int) -> list[tuple[str, float]]:
            assert more is not None
            return [x for x in more(depth + len(ids)) if x[0] not in first]

        shown = {pid for pid, _ in self.head}
        return Ranking(head, rest if more else None,
                       self.total + sum(1 for pid in ids if pid not in shown), self.exact)


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
        # Acronyms and expansions mined from the abstracts, which keyword queries use.
        self.acronyms = Acronyms(settings.resolved_index_dir / "acronyms", catalog,
                                 self.keyword.tokens)
        self.keyword.acronyms = self.acronyms
        # One writer per index folder on this machine, whichever process it is.
        self.lock = IndexLock.of(settings.resolved_index_dir)
        self._rankings: OrderedDict[tuple, Ranking] = OrderedDict()
        self._rankings_lock = threading.Lock()

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
            counts["acronyms"] = self.acronyms.catch_up(progress("acronyms"))
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
            counts = {"keyword": self.keyword.rebuild(progress("keyword")),
                      "acronyms": self.acronyms.rebuild(progress("acronyms"))}
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
        names, rest = split_ids(valid_text(query or ""))
        pinned = self._identified(names, page)
        clauses = parse(rest)
        mode, page.note = self._effective_mode(rest, mode, page.note)
        page.mode = mode
        if names and not clauses:  # ids alone: just those papers
            ranking = Ranking([(p.id, 1.0) for p in pinned], None, len(pinned), True)
        else:
            ranking = self._cached_ranking(rest, clauses, filters, sort, mode)
            if pinned:
                ranking = ranking.pinned([p.id for p in pinned])
        ranked = ranking.upto(offset + limit + 1)[offset:]
        page.has_more = len(ranked) > limit
        page.total, page.total_exact = ranking.total, ranking.exact
        ranked = ranked[:limit]
        papers = self.catalog.get_cards([pid for pid, _ in ranked])
        scores = dict(ranked)
        snippets = self._snippets(clauses, papers)
        page.hits = [Hit(p, scores[p.id], s) for p, s in zip(papers, snippets, strict=True)]
        if not page.hits and offset == 0 and not page.missing:
            page.suggestions = self._suggestions(clauses, filters, mode)
        took = time.perf_counter() - started
        page.took_ms = took * 1000
        metrics.observe_search(mode, took)
        return page

    def _identified(self, names: list[str], page: SearchPage) -> list[Paper]:
        """The catalog's papers for the ids in a query; the ids it lacks go on the page."""
        found: list[Paper] = []
        for name in names:
            paper = self.catalog.get(bare(name))
            if paper is None:
                page.missing.append(name)
            elif paper.id not in {p.id for p in found}:
                found.append(paper)
        if page.missing:
            page.note = f"{', '.join(page.missing)} is not in the catalog" if len(
                page.missing) == 1 else f"{', '.join(page.missing)} are not in the catalog"
        return found

    def _effective_mode(self, text: str, mode: Mode, note: str | None) -> tuple[Mode, str | None]:
        if mode != "keyword" and not positive_text(text).strip():
            return "keyword", note  # nothing to embed: browsing by filters, fields, exclusions
        if mode != "keyword" and not self.semantic_ready():
            return "keyword", (
                "the semantic index is not built yet (run `papertide index`): keyword results")
        return mode, note

    def ranked_ids(self, query: str, filters: Filters | None = None, mode: Mode = "hybrid",
                   depth: int = 100, sort: Sort = "relevance") -> list[tuple[str, float]]:
        """Just the ranking (ids and scores, best first or in `sort`'s order), as the
        relevance harness, feeds and digests need it: the same fixed ranking the pages
        show."""
        names, rest = split_ids(valid_text(query or ""))
        page = SearchPage(query=query, mode=mode, sort=sort, limit=depth, offset=0)
        pinned = self._identified(names, page)
        clauses = parse(rest)
        mode, _ = self._effective_mode(rest, mode, None)
        if names and not clauses:
            return [(p.id, 1.0) for p in pinned][:depth]
        ranking = self._ranking(rest, clauses, filters or Filters(), sort, mode)
        if pinned:
            ranking = ranking.pinned([p.id for p in pinned])
        return ranking.upto(depth)[:depth]

    def _cached_ranking(self, text: str, clauses: list[Clause], filters: Filters, sort: Sort,
                        mode: Mode) -> Ranking:
        """The ranking of a query, kept while the indexes stay as they are: every page of
        one search reads the same list."""
        vectors = self.semantic.vectors.indexed_seq if mode != "keyword" else 0
        key = (text, repr(filters), sort, mode, self.keyword.indexed_seq, vectors,
               self.acronyms.generation)
        with self._rankings_lock:
            ranking = self._rankings.get(key)
            if ranking is not None:
                self._rankings.move_to_end(key)
                return ranking
        ranking = self._ranking(text, clauses, filters, sort, mode)
        with self._rankings_lock:
            self._rankings[key] = ranking
            while len(self._rankings) > RANKINGS_KEPT:
                self._rankings.popitem(last=False)
        return ranking

    def _ranking(self, text: str, clauses: list[Clause], filters: Filters, sort: Sort,
                 mode: Mode) -> Ranking:
        text_query = self.keyword.text_query(clauses)
        if text_query is None or (not clauses and text.strip()):  # e.g. `"`: typed, no words
            return Ranking([], None, 0, True)
        if not clauses and sort == "relevance":
            sort = "new"  # nothing to be relevant to: browsing
        if sort != "relevance" and clauses:
            return self._dated_ranking(text, clauses, filters, sort, mode)
        named = self._look_up(clauses)
        if mode == "keyword":
            ranking = self._keyword_ranking(text_query, clauses, filters, sort, named)
        else:
            ranking = self._meaning_ranking(text, clauses, text_query, filters, mode, named)
        if sort != "relevance" and not (mode == "keyword" and sort == "new"):
            candidates = ranking.upto(TRENDING_CANDIDATES)
            ranking = Ranking(self._reorder(candidates, sort), None,
                              min(ranking.total, TRENDING_CANDIDATES),
                              ranking.exact and ranking.total <= TRENDING_CANDIDATES)
        return ranking

    def _dated_ranking(self, text: str, clauses: list[Clause], filters: Filters, sort: Sort,
                       mode: Mode) -> Ranking:
        """A query's papers newest first (or trending): only those on its topic, as the
        order no longer says how well they match. They have every word of the query (each
        plain word demanded, as `+word` is), or — searching by meaning — a cosine of at
        least `DATED_FLOOR`. Keyword newest-first is every such paper, in the index's date
        order; otherwise the best `TRENDING_CANDIDATES` of them re-ordered."""
        keyword = self.keyword
        every = [Clause(c.text, c.field, "must", c.phrase)
                 if c.occur == "should" and not keyword.required(c) else c for c in clauses]
        strict = keyword.text_query(every)
        if strict is None:
            strict = Query.empty_query()
        if mode == "keyword" and sort == "new":
            def newest(depth: int) -> list[tuple[str, float]]:
                return keyword.search(strict, filters, depth, newest_first=True)

            return Ranking([], newest, keyword.count(strict, filters), True)
        found = keyword.search(strict, filters, TRENDING_CANDIDATES, newest_first=sort == "new")
        total = keyword.count(strict, filters)
        if mode != "keyword":
            seen = {pid for pid, _ in found}
            close = [x for x in self._semantic_ranking(text, clauses, filters, SEMANTIC_DEPTH,
                                                       DATED_FLOOR) if x[0] not in seen]
            found += close
            total += len(close) - len(keyword.matching(strict, [pid for pid, _ in close]))
        return Ranking(self._reorder(found, sort), None, min(total, len(found)),
                       total <= len(found))

    def _keyword_ranking(self, text_query: Query, clauses: list[Clause], filters: Filters,
                         sort: Sort, named: dict[str, float] | None = None) -> Ranking:
        """BM25 order (the best `RERANKED` re-ordered by feedback), or newest first."""
        keyword = self.keyword
        if sort == "new":
            def newest(depth: int) -> list[tuple[str, float]]:
                return keyword.search(text_query, filters, depth, newest_first=True)

            return Ranking([], newest, keyword.count(text_query, filters), True)
        head, total = self._keyword_head(text_query, clauses, filters, named)
        head = self._named_first(head, named)
        shown = {pid for pid, _ in head}

        def more(depth: int) -> list[tuple[str, float]]:
            tail = keyword.search(text_query, filters, depth + len(head))
            return [x for x in tail if x[0] not in shown]

        return Ranking(head, more, total, True)

    def _keyword_head(self, text_query: Query, clauses: list[Clause], filters: Filters,
                      named: dict[str, float] | None = None,
                      ) -> tuple[list[tuple[str, float]], int]:
        """The best `RERANKED` matches (re-ordered by feedback) and how many match; the
        papers a look-up names (`_look_up`) score their title match on top."""
        top = self.keyword.top(text_query, filters, RERANKED, bonus=named)
        hits = top.hits
        if any(c.occur == "should" and not self.keyword.required(c) for c in clauses):
            hits = self.keyword.rerank(text_query, clauses, top)
        return hits, top.count

    def _look_up(self, clauses: list[Clause]) -> dict[str, float] | None:
        """The papers a query names, with their title match's score, when it names at
        most `NAMED_MAX` of the catalog's papers (`KeywordIndex.title_match`: by short
        name, whole title or a phrase of the title): a look-up, whose papers score higher
        and come first. A query whose words stand in more titles is a topic, ranked as
        before (None).

        The scores are added to those papers' (`KeywordIndex.top`), not asked of the
        index as a clause of the query: the title's phrase query beside every keyword
        search cost 0.7 ms of 2 at 100,000 papers."""
        named = self.keyword.title_match(clauses)
        if named is None:
            return None
        found = self.keyword.top(named, Filters(), NAMED_MAX)
        return dict(found.hits) if found.count <= NAMED_MAX else None

    @staticmethod
    def _named_first(ranked: list[tuple[str, float]],
                     named: dict[str, float] | None) -> list[tuple[str, float]]:
        """The ranking with the papers a look-up names first."""
        if not named or not ranked:
            return ranked
        return first(ranked, set(named))

    def _meaning_ranking(self, text: str, clauses: list[Clause], text_query: Query,
                         filters: Filters, mode: Mode,
                         named: dict[str, float] | None = None) -> Ranking:
        """Semantic or hybrid: a fixed pool (fused, ties by id), then for hybrid the rest
        of the keyword matches in BM25 order.

        One step after another, on purpose: embedding the query on a thread beside the
        keyword search, and looking up the total's keyword matches beside the guard, gained
        nothing measurable (100,000 papers, `bench_hybrid`, alternating with this code:
        p50 8.0–8.3 ms either way on a quiet machine; 11.6–14.5 against 11.1–15.0 ms with a
        busy process beside it). ONNX Runtime already keeps both cores busy, and the
        threads wait on each other for the GIL."""
        if mode == "semantic":  # the words matter only for the floor
            keyword, matches = self.keyword.search(text_query, filters, 1), 0
        else:
            keyword, matches = self._keyword_head(text_query, clauses, filters, named)
            keyword = keyword[:HYBRID_DEPTH]
        floor = self.settings.search_floor if keyword else self.settings.search_floor_alone
        depth = HYBRID_DEPTH if mode == "hybrid" else SEMANTIC_DEPTH
        semantic = self._semantic_ranking(text, clauses, filters, depth, floor)
        if mode == "semantic":
            return Ranking(semantic, None, len(semantic), len(semantic) < depth)
        fused = fuse(keyword, semantic, semantic_low=floor)
        found = {pid for pid, _ in keyword}
        semantic_only = [pid for pid, _ in semantic if pid not in found]
        weights = self.keyword.term_weights(clauses)
        rare, share = rare_share(weights, self.keyword.num_docs())
        exact = self.keyword.text_query([Clause(t, None, "must") for t in rare]) if (
            rare and share >= RARE_SHARE) else None
        if exact is not None:  # both look-ups in one search over the fused pool
            with_rare, matched = self.keyword.matching_each(
                [exact, text_query], [pid for pid, _ in fused])
            fused = guard(fused, with_rare)
            also_keyword = matched.intersection(semantic_only)
        else:
            also_keyword = self.keyword.matching(text_query, semantic_only)
        fused = self._named_first(fused, named)
        pool = {pid for pid, _ in fused}
        total = matches + len(semantic_only) - len(also_keyword)
        search = self.keyword.search

        def more(depth: int) -> list[tuple[str, float]]:
            tail = search(text_query, filters, depth + len(pool))
            return [(pid, 0.0) for pid, _ in tail if pid not in pool]

        return Ranking(fused, more, total, True)

    def _semantic_ranking(self, text: str, clauses: list[Clause], filters: Filters,
                          depth: int, floor: float) -> list[tuple[str, float]]:
        """Nearest papers in meaning that satisfy what the query demands (field prefixes,
        phrases, +words, exclusions, filters), down to the similarity floor."""
        excluded = [c for c in clauses if c.occur == "must_not"]
        required = self.keyword.constraint_query(clauses)

        def allowed(among: list[str] | None) -> set[int]:
            return self.keyword.filter_keys(filters, among, excluded, required)

        constrained = bool(filters or excluded or required is not None)
        hits = self.semantic.search(positive_text(text), depth, allowed if constrained else None)
        return [(pid, s) for pid, s in hits if s >= floor]

    def _suggestions(self, clauses: list[Clause], filters: Filters, mode: Mode) -> list[str]:
        """What to try when nothing matches."""
        out = ["check the spelling, or use fewer or more general words"]
        if any(self.keyword.required(c) for c in clauses):
            out.append("drop a quoted phrase, a +required word or a field prefix (au:, ti:, …)")
        if filters:
            out.append("remove the date, category or author filters")
        if mode == "keyword" and self.semantic_ready():
            out.append("search by meaning (mode: hybrid)")
        return out

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
        return sorted(candidates, key=lambda c: (key[c[0]], c[0]))

    def similar(self, paper_id: str, limit: int = 6) -> list[Hit]:
        """Papers nearest in meaning to this one (none while it has no vector)."""
        if not self.semantic_ready():
            return []
        ranked = self.semantic.similar(paper_id, limit)
        papers = self.catalog.get_cards([pid for pid, _ in ranked])
        scores = dict(ranked)
        return [Hit(p, scores[p.id], plain_snippet(p)) for p in papers]

    def vector_view(self) -> VectorView | None:
        """The embedding vectors as one matrix (what recommendations score); None while
        nothing is embedded here."""
        return VectorView(self.semantic.vectors) if self.semantic_ready() else None

    def newest(self, filters: Filters, limit: int) -> list[str]:
        """The ids of the newest papers under `filters` (a followed author or category)."""
        hits = self.keyword.search(Query.all_query(), filters, limit, newest_first=True)
        return [pid for pid, _ in hits]

    def _snippets(self, clauses: list[Clause], papers: list[Paper]) -> list[Markup]:
        """Highlighted abstracts for a text query; plain ones without (browsing)."""
        if not clauses or not papers:
            return [plain_snippet(p) for p in papers]
        return self.keyword.snippets(clauses, papers)
