"""The tools and resources: the same functions the web API calls (search, catalog,
trending, the daily listing, the library), each with a description and typed arguments
that become the input schema a model reads.

Every call counts against the rate limits the web app applies to the same work
(`searches` for search, similar papers and recommendations, `pages` for reading,
`votes` for changes to a library), per reader or per client address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Annotated

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from pydantic import Field

from papertide import trending
from papertide.catalog import ID_WIDTHS, Paper, text_problem
from papertide.daily import day_listing
from papertide.library import LibraryError
from papertide.mcp_server._access import Caller, require
from papertide.mcp_server._results import (
    DayResult,
    LibraryResult,
    PaperDetail,
    PaperList,
    PaperResult,
    Recommendations,
    Removed,
    SavedResult,
    SearchResult,
)
from papertide.options import LimitName, Mode, Sort, Window
from papertide.search import Filters, identify
from papertide.services import Services

CallerOf = Callable[[Context], Caller]

PaperKey = Annotated[str, Field(
    min_length=1, max_length=ID_WIDTHS["id"],
    description="a papertide id, an arXiv id (any version, e.g. 2503.11731v2), an arXiv URL, "
                "a DOI or a doi.org URL")]
Category = Annotated[str | None, Field(
    None, max_length=40, description="an arXiv category (cs.LG) or archive (cs)")]
Limit = Annotated[int, Field(10, ge=1, le=50, description="how many papers, 1-50")]
Tag = Annotated[str, Field(min_length=1, max_length=60)]


def _paper_key(key: str) -> str:
    """A pasted link names its paper as search reads it (`https://arxiv.org/abs/2503.11731v2`,
    `huggingface.co/papers/2503.11731`, `10.48550/arXiv.2503.11731` → `2503.11731`); any
    other key is looked up as it is."""
    key = key.strip()
    name = identify(key)
    return name.split(":", 1)[1] if name else key


class Tools:
    """The tools of one server, bound to the services and to how a call names its caller."""

    def __init__(self, services: Services, caller_of: CallerOf) -> None:
        self.services, self.caller_of = services, caller_of
        self.base_url = services.settings.base_url

    def _caller(self, ctx: Context, limit: LimitName) -> Caller:
        caller = self.caller_of(ctx)
        wait = self.services.limits.hit(limit, caller.key)
        if wait is not None:
            raise ToolError(f"Too many requests just now: try again in {int(wait) + 1} s.")
        return caller

    def _result(self, paper: Paper, score: float | None = None,
                reason: str | None = None) -> PaperResult:
        return PaperResult.of(paper, self.base_url, score, reason)

    def _paper(self, key: str) -> Paper:
        key = _paper_key(key)
        too_long = len(key) > ID_WIDTHS["id"]
        paper = None if too_long or text_problem(key) else self.services.catalog.get(key)
        if paper is None:
            raise ToolError(f"No paper {key[:80]!r} in this catalog: search for it by title, "
                            "or check the id.")
        return paper

    # ---- public tools ---------------------------------------------------------------------

    def search_papers(
        self, ctx: Context, query: Annotated[str, Field(max_length=500, description=(
            "Words, \"phrases\", -exclusions, +required words and field prefixes ti: au: "
            "abs: cat: id:; an arXiv id or DOI puts that paper first"))],
        mode: Annotated[Mode | None, Field(None, description=(
            "keyword (BM25), semantic (by meaning) or hybrid (both); default: the "
            "server's"))] = None,
        category: Category = None,
        author: Annotated[str | None, Field(None, max_length=200)] = None,
        since: Annotated[date | None, Field(None, description="published on or after")] = None,
        until: Annotated[date | None, Field(None, description="published on or before")] = None,
        sort: Annotated[Sort, Field("relevance")] = "relevance",
        limit: Limit = 10,
    ) -> SearchResult:
        """Search the catalog's papers by keywords and by meaning, with filters."""
        self._caller(ctx, "searches")
        filters = Filters(datetime.combine(since, time.min) if since else None,
                          datetime.combine(until, time.max) if until else None,
                          (category or "").strip() or None, (author or "").strip() or None)
        try:
            page = self.services.search.search(query, filters, sort, mode, limit, 0)
        except ValueError as exc:
            raise ToolError(str(exc)) from None
        return SearchResult(query=query, mode=page.mode, total=page.total, note=page.note,
                            missing=page.missing,
                            papers=[self._result(h.paper, h.score) for h in page.hits])

    def get_paper(self, ctx: Context, paper: PaperKey) -> PaperDetail:
        """One paper in full: abstract, authors, links (arXiv, PDF, code, its page here) and
        signals (votes, saves, views, upvotes and stars from live sources)."""
        self._caller(ctx, "pages")
        found = self._paper(paper)
        signals = {f"{s.source} {s.name}" if s.name == "upvotes" else s.name: s.value
                   for s in self.services.catalog.signals([found.id]).get(found.id, [])}
        base = PaperResult.of(found, self.base_url, abstract_chars=None)
        return PaperDetail(**base.model_dump(), views=found.views, comment=found.comment,
                           journal_ref=found.journal_ref, signals=signals)

    def similar_papers(self, ctx: Context, paper: PaperKey, limit: Limit = 10) -> PaperList:
        """Papers nearest in meaning to one paper (empty until the index for meaning is
        built)."""
        self._caller(ctx, "searches")
        found = self._paper(paper)
        hits = self.services.search.similar(found.id, limit)
        note = None if hits else "no similar papers: the index for meaning may not be built"
        return PaperList(papers=[self._result(h.paper, h.score) for h in hits], note=note)

    def trending_papers(
        self, ctx: Context,
        window: Annotated[Window, Field("week", description="day, week, month or all")] = "week",
        category: Category = None, limit: Limit = 10,
    ) -> PaperList:
        """What readers vote for, save and read now (with Hugging Face upvotes), best
        first; in one arXiv category or archive if given."""
        self._caller(ctx, "pages")
        ranked = trending.trending(self.services.catalog, window, limit, category=category)
        return PaperList(papers=[self._result(p, s) for p, s in ranked[:limit]])

    def daily_papers(
        self, ctx: Context,
        day: Annotated[date | None, Field(None, description=(
            "an arXiv announcement day, YYYY-MM-DD; default: the latest"))] = None,
        category: Category = None,
        limit: Annotated[int, Field(20, ge=1, le=100, description="how many, 1-100")] = 20,
    ) -> DayResult:
        """The papers arXiv announced on one day (the latest by default), trending first."""
        self._caller(ctx, "pages")
        page = day_listing(self.services.catalog, day, category, limit)
        return DayResult(day=page.day, total=page.total, previous_day=page.previous,
                         next_day=page.next,
                         papers=[self._result(p, s) for p, s in page.items],
                         note=None if page.day else "no announcement day in the catalog yet")

    # ---- a reader's own ------------------------------------------------------------------

    def library_list(
        self, ctx: Context,
        tag: Annotated[str | None, Field(None, max_length=60,
                                         description="only papers with this tag")] = None,
        query: Annotated[str | None, Field(None, max_length=500, description=(
            "search your library instead: the search query language, by keywords, by "
            "meaning and in your notes, best first"))] = None,
        limit: Annotated[int, Field(20, ge=1, le=100)] = 20,
        offset: Annotated[int, Field(0, ge=0, le=10_000)] = 0,
    ) -> LibraryResult:
        """The papers saved in your library (latest saved first, or those matching a
        search), with tags and notes. Needs an API token with the `library` scope."""
        reader = require(self._caller(ctx, "searches" if query else "pages"), "library")
        library = self.services.library
        try:
            if query and query.strip():
                items = library.search(reader.id, query, tag).items[offset:offset + limit]
            else:
                items = library.papers(reader.id, tag, "saved", limit, offset)
        except LibraryError as exc:
            raise ToolError(str(exc)) from None
        return LibraryResult(
            items=[SavedResult(paper=self._result(i.paper), saved_at=i.saved.saved_at,
                               tags=list(i.saved.tags), note=i.saved.note) for i in items],
            total=library.count(reader.id), tags=dict(library.tags(reader.id)))

    def library_add(
        self, ctx: Context, paper: PaperKey,
        tags: Annotated[list[Tag], Field(default_factory=list, max_length=20,
                                         description="tags to add to it")],
        note: Annotated[str | None, Field(None, max_length=10_000)] = None,
    ) -> SavedResult:
        """Save a paper to your library (again: adds the tags, replaces the note).
        Needs an API token with the `library` scope."""
        reader = require(self._caller(ctx, "votes"), "library")
        found = self._paper(paper)
        try:
            item = self.services.library.save(reader.id, found.id, tags, note)
        except LibraryError as exc:
            raise ToolError(str(exc)) from None
        return SavedResult(paper=self._result(item.paper), saved_at=item.saved.saved_at,
                           tags=list(item.saved.tags), note=item.saved.note)

    def library_remove(self, ctx: Context, paper: PaperKey) -> Removed:
        """Take a paper out of your library. Needs an API token with the `library` scope."""
        reader = require(self._caller(ctx, "votes"), "library")
        found = self._paper(paper)
        was_saved = self.services.library.store.get(reader.id, found.id) is not None
        self.services.library.unsave(reader.id, found.id)
        return Removed(id=found.id, removed=was_saved, title=found.title)

    def recommendations(
        self, ctx: Context,
        tag: Annotated[str | None, Field(None, max_length=60, description=(
            "recommend from the papers with this tag only"))] = None,
        limit: Limit = 10,
    ) -> Recommendations:
        """Papers recommended for you from your library, dismissals and follows, each with
        why. Needs a reader's API token (the `read` scope)."""
        reader = require(self._caller(ctx, "searches"), "read")
        try:
            result = self.services.library.for_you(reader.id, tag, limit)
        except LibraryError as exc:
            raise ToolError(str(exc)) from None
        note = ("nothing to go on yet: save papers or follow authors and categories"
                if result.empty else None)
        return Recommendations(based_on=result.based_on, note=note, papers=[
            self._result(s.paper, s.score, s.reason) for s in result.items])

    # ---- resources -----------------------------------------------------------------------

    def paper_text(self, paper_id: str) -> str:
        """A paper as Markdown: title, authors, links, abstract."""
        try:
            found = self._paper(paper_id)
        except ToolError as exc:
            raise ResourceError(str(exc)) from None
        item = PaperResult.of(found, self.base_url, abstract_chars=None)
        return "\n".join(_markdown(item, heading="#"))

    def day_text(self, day: str) -> str:
        """An announcement day's papers as Markdown (the latest for `latest`)."""
        try:
            wanted = None if day == "latest" else date.fromisoformat(day)
        except ValueError:
            raise ResourceError("a day is YYYY-MM-DD, or `latest`") from None
        page = day_listing(self.services.catalog, wanted, None, 50)
        if page.day is None:
            return "# papertide\n\nNo announcement day in the catalog yet.\n"
        lines = [f"# Papers announced {page.day.isoformat()} ({page.total} in all, trending "
                 "first)", ""]
        for paper, _ in page.items:
            lines += _markdown(PaperResult.of(paper, self.base_url), heading="##")
        return "\n".join(lines)


def _markdown(item: PaperResult, heading: str) -> list[str]:
    links = [f"[{name}]({url})" for name, url in (
        ("arXiv", item.arxiv_url), ("PDF", item.pdf_url), ("code", item.code_url),
        ("papertide", item.page_url)) if url]
    authors = ", ".join(item.authors[:20]) + (" et al." if len(item.authors) > 20 else "")
    return [f"{heading} {item.title}", "", authors, "",
            " · ".join([*links, *item.categories]), "", item.abstract, ""]


TOOL_NAMES = ("search_papers", "get_paper", "similar_papers", "trending_papers",
              "daily_papers", "library_list", "library_add", "library_remove",
              "recommendations")


def register(server: MCPServer, tools: Tools) -> None:
    for name in TOOL_NAMES:
        server.add_tool(getattr(tools, name), name=name)
    server.resource("papertide://papers/{paper_id}", name="paper", mime_type="text/markdown",
                    description="One paper: title, authors, links and abstract.")(
        tools.paper_text)
    server.resource("papertide://daily/{day}", name="daily digest", mime_type="text/markdown",
                    description="The papers of an arXiv announcement day (YYYY-MM-DD, or "
                                "`latest`), trending first.")(tools.day_text)
