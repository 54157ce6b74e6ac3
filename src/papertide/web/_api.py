"""The JSON API (documented at /docs)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel

from papertide import trending
from papertide.catalog import Paper
from papertide.search import Filters
from papertide.web._app import client_id

router = APIRouter()


class PaperOut(BaseModel):
    id: str
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    arxiv_id: str | None
    doi: str | None
    published: datetime | None
    updated: datetime | None
    links: dict[str, str]
    votes: int
    views: int
    saves: int
    score: float | None = None
    snippet: str | None = None

    @classmethod
    def of(cls, paper: Paper, score: float | None = None, snippet: str | None = None) -> "PaperOut":
        return cls(id=paper.id, title=paper.title, authors=paper.authors, abstract=paper.abstract,
                   categories=paper.categories, arxiv_id=paper.arxiv_id, doi=paper.doi,
                   published=paper.published, updated=paper.updated, links=paper.links,
                   votes=paper.votes, views=paper.views, saves=paper.saves, score=score,
                   snippet=snippet)


class PaperList(BaseModel):
    items: list[PaperOut]
    limit: int
    offset: int
    has_more: bool


class SearchOut(PaperList):
    query: str
    mode: str
    sort: str
    took_ms: float
    note: str | None = None


class VoteOut(BaseModel):
    id: str
    voted: bool
    votes: int


def _services(request: Request):
    return request.app.state.services


def _paper_or_404(request: Request, paper_id: str) -> Paper:
    paper = _services(request).catalog.get(paper_id)
    if paper is None:
        raise HTTPException(404, f"no paper with id {paper_id!r}")
    return paper


def _day_bound(value: date | None, end: bool) -> datetime | None:
    if value is None:
        return None
    return datetime.combine(value, time.max if end else time.min)


@router.get("/healthz", tags=["meta"])
def healthz(request: Request) -> dict:
    services = _services(request)
    return {"status": "ok", "papers": services.catalog.stats()["papers"],
            "keyword_index_seq": services.search.keyword.indexed_seq}


@router.get("/api/papers", response_model=PaperList, tags=["papers"])
def list_papers(request: Request, sort: Literal["trending", "new"] = "trending",
                window: Literal["day", "week", "month", "all"] = "week",
                limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=100_000)):
    """Papers, trending (in `window`) or newest first."""
    catalog = _services(request).catalog
    if sort == "new":
        papers = catalog.newest(limit + 1, offset)
        items = [PaperOut.of(p) for p in papers]
    else:
        ranked = trending.trending(catalog, window, limit + 1, offset)
        items = [PaperOut.of(p, score) for p, score in ranked]
    return PaperList(items=items[:limit], limit=limit, offset=offset, has_more=len(items) > limit)


@router.get("/api/papers/{paper_id:path}/vote", include_in_schema=False)
def vote_get(paper_id: str):
    raise HTTPException(405, "use POST to vote and DELETE to take a vote back")


def _set_vote(request: Request, paper_id: str, voted: bool) -> VoteOut:
    paper = _paper_or_404(request, paper_id)
    catalog = _services(request).catalog
    change = catalog.record_event if voted else catalog.remove_event
    change(paper.id, "vote", client_id(request))
    return VoteOut(id=paper.id, voted=voted, votes=catalog.get(paper.id).votes)


@router.post("/api/papers/{paper_id:path}/vote", response_model=VoteOut, tags=["papers"])
def vote(request: Request, paper_id: str):
    """Vote for a paper: one vote per reader or client (cookie or X-Client-Id header)."""
    return _set_vote(request, paper_id, True)


@router.delete("/api/papers/{paper_id:path}/vote", response_model=VoteOut, tags=["papers"])
def unvote(request: Request, paper_id: str):
    """Take a vote back."""
    return _set_vote(request, paper_id, False)


@router.get("/api/papers/{paper_id:path}/similar", response_model=PaperList, tags=["papers"])
def similar(request: Request, paper_id: str, limit: int = Query(10, ge=1, le=50)):
    """Papers nearest in meaning to this one (empty until the semantic index is built)."""
    paper = _paper_or_404(request, paper_id)
    hits = _services(request).search.similar(paper.id, limit)
    return PaperList(items=[PaperOut.of(h.paper, h.score) for h in hits], limit=limit, offset=0,
                     has_more=False)


@router.get("/api/papers/{paper_id:path}", response_model=PaperOut, tags=["papers"])
def get_paper(request: Request, paper_id: str):
    """One paper, by papertide id, arXiv id (any version) or DOI."""
    return PaperOut.of(_paper_or_404(request, paper_id))


@router.get("/api/search", response_model=SearchOut, tags=["search"])
def search(request: Request, q: str = Query("", max_length=500, description="Query text"),
           limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=10_000),
           since: date | None = None, until: date | None = None,
           category: str | None = Query(None, max_length=40), author: str | None = Query(None, max_length=200),
           sort: Literal["relevance", "new", "trending"] = "relevance",
           mode: Literal["keyword", "semantic", "hybrid"] | None = None):
    """Search by keywords and by meaning (`mode`, default hybrid). Query language: words,
    "phrases", -exclusions, +required, and field prefixes ti: au: abs: cat: id:. Filters
    and exclusions apply to both sides of a hybrid search before the cut."""
    if since and until and since > until:
        raise HTTPException(400, "since is after until")
    filters = Filters(_day_bound(since, False), _day_bound(until, True), category, author)
    page = _services(request).search.search(q, filters, sort, mode, limit, offset)
    return SearchOut(items=[PaperOut.of(h.paper, h.score, str(h.snippet)) for h in page.hits],
                     limit=limit, offset=offset, has_more=page.has_more, query=q, mode=page.mode,
                     sort=sort, took_ms=round(page.took_ms, 2), note=page.note)


@router.get("/api/trending", response_model=PaperList, tags=["papers"])
def get_trending(request: Request, window: Literal["day", "week", "month", "all"] = "week",
                 limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=100_000)):
    """Trending papers in a window (see the README for the formula)."""
    ranked = trending.trending(_services(request).catalog, window, limit + 1, offset)
    items = [PaperOut.of(p, score) for p, score in ranked]
    return PaperList(items=items[:limit], limit=limit, offset=offset, has_more=len(items) > limit)
