"""The JSON API (documented at /docs). Every error answer is declared in the schema with
its shape (`_errors.ErrorOut`); numbers and dates are parsed strictly (`_deps`)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from papertide import trending
from papertide.catalog import Paper
from papertide.options import Mode, Sort, Window
from papertide.search import Filters
from papertide.web._deps import (
    BrowseOffset,
    Limit,
    SearchOffset,
    SimilarLimit,
    Since,
    Until,
    UTCDateTime,
    day_range,
    paper_or_404,
    services,
)
from papertide.web._errors import error_responses
from papertide.web._identity import require_reader

# Any route may be sent a body over the limit (the middleware answers 413 before routing).
router = APIRouter(responses=error_responses(413))
VOTE_METHODS = ("POST", "DELETE")
OTHER_METHODS = ["GET", "HEAD", "PUT", "PATCH", "OPTIONS", "TRACE"]


class PaperOut(BaseModel):
    id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    arxiv_id: str | None
    doi: str | None
    published: UTCDateTime | None
    updated: UTCDateTime | None
    announced: date | None = None  # the arXiv listing (or daily list) that first carried it
    links: dict[str, str]
    votes: int
    views: int
    saves: int
    score: float | None = None
    snippet: str | None = None

    @classmethod
    def of(cls, paper: Paper, score: float | None = None, snippet: str | None = None) -> PaperOut:
        return cls(id=paper.id, title=paper.title, authors=paper.authors, abstract=paper.abstract,
                   categories=paper.categories, arxiv_id=paper.arxiv_id, doi=paper.doi,
                   published=paper.published, updated=paper.updated,
                   announced=paper.announced, links=paper.links,
                   votes=paper.votes, views=paper.views, saves=paper.saves, score=score,
                   snippet=snippet)


class PaperList(BaseModel):
    items: list[PaperOut]
    limit: int
    offset: int
    has_more: bool


class MissingOut(BaseModel):
    id: str  # `arXiv:…` or `doi:…`, as the query named it
    fetch: str | None = None  # how to add it, for arXiv ids


class SearchOut(PaperList):
    query: str
    mode: str
    sort: str
    took_ms: float
    note: str | None = None
    total: int  # papers in the whole ranking (a lower bound when `total_exact` is false)
    total_exact: bool
    missing: list[MissingOut] = []  # ids in the query that the catalog does not hold
    suggestions: list[str] = []  # what to try when nothing matched


class VoteOut(BaseModel):
    id: str
    voted: bool
    votes: int


@router.get("/healthz", tags=["meta"])
def healthz(request: Request) -> dict[str, object]:
    svc = services(request)
    return {"status": "ok", "papers": svc.catalog.stats()["papers"],
            "keyword_index_seq": svc.search.keyword.indexed_seq,
            "index_lag": svc.search.index_lag(),
            "query_cache": svc.search.query_cache_stats()}


@router.get("/api/papers", tags=["papers"], responses=error_responses(400))
def list_papers(request: Request, sort: Literal["trending", "new"] = "trending",
                window: Window = "week", limit: Limit = 20, offset: BrowseOffset = 0) -> PaperList:
    """Papers, trending (in `window`) or newest first (by announcement day, else
    publication; papers without dates last)."""
    catalog = services(request).catalog
    if sort == "new":
        papers = catalog.newest(limit + 1, offset)
        items = [PaperOut.of(p) for p in papers]
    else:
        ranked = trending.trending(catalog, window, limit + 1, offset)
        items = [PaperOut.of(p, score) for p, score in ranked]
    return PaperList(items=items[:limit], limit=limit, offset=offset, has_more=len(items) > limit)


@router.api_route("/api/papers/{paper_id:path}/vote", methods=OTHER_METHODS,
                  include_in_schema=False)
def vote_other_methods(paper_id: str) -> None:
    """A vote is cast with POST and taken back with DELETE; the path would otherwise fall
    through to the paper route (ids may hold slashes) and answer a wrong `Allow`."""
    raise HTTPException(405, "use POST to vote and DELETE to take a vote back",
                        headers={"Allow": ", ".join(VOTE_METHODS)})


def _set_vote(request: Request, paper_id: str, voted: bool) -> VoteOut:
    reader = require_reader(request, "vote")
    paper = paper_or_404(request, paper_id)
    catalog = services(request).catalog
    change = catalog.record_event if voted else catalog.remove_event
    change(paper.id, "vote", f"r:{reader.id}")
    return VoteOut(id=paper.id, voted=voted, votes=paper_or_404(request, paper.id).votes)


@router.post("/api/papers/{paper_id:path}/vote", tags=["papers"],
             responses=error_responses(401, 404))
def vote(request: Request, paper_id: str) -> VoteOut:
    """Vote for a paper, once per signed-in reader (a session from a page, or an API token
    as `Authorization: Bearer …`); 401 without one."""
    return _set_vote(request, paper_id, True)


@router.delete("/api/papers/{paper_id:path}/vote", tags=["papers"],
               responses=error_responses(401, 404))
def unvote(request: Request, paper_id: str) -> VoteOut:
    """Take a vote back."""
    return _set_vote(request, paper_id, False)


@router.get("/api/papers/{paper_id:path}/similar", tags=["papers"],
            responses=error_responses(400, 404))
def similar(request: Request, paper_id: str, limit: SimilarLimit = 10) -> PaperList:
    """Papers nearest in meaning to this one (empty until the semantic index is built)."""
    paper = paper_or_404(request, paper_id)
    hits = services(request).search.similar(paper.id, limit)
    return PaperList(items=[PaperOut.of(h.paper, h.score) for h in hits], limit=limit, offset=0,
                     has_more=False)


@router.get("/api/papers/{paper_id:path}", tags=["papers"], responses=error_responses(404))
def get_paper(request: Request, paper_id: str) -> PaperOut:
    """One paper, by papertide id, arXiv id (any version) or DOI."""
    return PaperOut.of(paper_or_404(request, paper_id))


@router.get("/api/search", tags=["search"], responses=error_responses(400))
def search(
    request: Request,
    q: str = Query("", max_length=500, description="Query text (up to 500 characters)."),
    limit: Limit = 20,
    offset: SearchOffset = 0,
    since: Since = None,
    until: Until = None,
    category: str | None = Query(None, max_length=40),
    author: str | None = Query(None, max_length=200),
    sort: Sort = "relevance",
    mode: Mode | None = None,
) -> SearchOut:
    """Search by keywords and by meaning (`mode`, default hybrid). Query language: words,
    "phrases", -exclusions, +required, and field prefixes ti: au: abs: cat: id:. Filters
    and what the query demands (phrases, +words, field prefixes, exclusions) hold in every
    mode. An arXiv id, arXiv URL or DOI in the query puts that paper first; one the catalog
    lacks is listed under `missing`. Every page of one query reads the same ranking
    (`total` papers; at least that many unless `total_exact`)."""
    filters = Filters(*day_range(since, until), category, author)
    page = services(request).search.search(q, filters, sort, mode, limit, offset)
    missing = [MissingOut(id=name, fetch=(
        f"POST /fetch/arxiv with arxiv_id={name[6:]} (from the search page), or "
        f"`papertide fetch arxiv-api --id {name[6:]}`") if name.startswith("arXiv:") else None)
        for name in page.missing]
    return SearchOut(items=[PaperOut.of(h.paper, h.score, str(h.snippet)) for h in page.hits],
                     limit=limit, offset=offset, has_more=page.has_more, query=q, mode=page.mode,
                     sort=sort, took_ms=round(page.took_ms, 2), note=page.note,
                     total=page.total, total_exact=page.total_exact, missing=missing,
                     suggestions=page.suggestions)


@router.get("/api/trending", tags=["papers"], responses=error_responses(400))
def get_trending(request: Request, window: Window = "week", limit: Limit = 20,
                 offset: BrowseOffset = 0,
                 category: str | None = Query(None, max_length=40, description=(
                     "Only papers in this arXiv category (cs.LG) or archive (cs), found "
                     f"among the best {trending.CATEGORY_DEPTH:,} overall."))) -> PaperList:
    """Trending papers in a window (see the README for the formula)."""
    ranked = trending.trending(services(request).catalog, window, limit + 1, offset,
                               category=category)
    items = [PaperOut.of(p, score) for p, score in ranked]
    return PaperList(items=items[:limit], limit=limit, offset=offset, has_more=len(items) > limit)
