"""The HTML pages (Jinja2, autoescaped)."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from papertide import trending
from papertide.catalog import utcnow
from papertide.search import MODES, SORTS, Filters
from papertide.web._app import client_id

router = APIRouter(include_in_schema=False)
WINDOWS = ("day", "week", "month", "all")
PAGE_SIZE = 20


def _render(request: Request, name: str, **context):
    return request.app.state.templates.TemplateResponse(request, name, context)


def _date_arg(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name} must be a date like 2024-05-31, not {value[:20]!r}") from None


def _int_arg(value: str | None, default: int, name: str, high: int) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) > high:
        raise HTTPException(400, f"{name} must be a whole number from 0 to {high}")
    return int(value)


@router.get("/")
def home(request: Request, window: str = "week", offset: str | None = None):
    if window not in WINDOWS:
        raise HTTPException(400, f"window must be one of {', '.join(WINDOWS)}")
    start = _int_arg(offset, 0, "offset", 100_000)
    ranked = trending.trending(request.app.state.services.catalog, window, PAGE_SIZE + 1, start)
    return _render(request, "home.html", window=window, windows=WINDOWS, papers=ranked[:PAGE_SIZE],
                   offset=start, has_more=len(ranked) > PAGE_SIZE, page_size=PAGE_SIZE)


@router.get("/search")
def search_page(request: Request, q: str = "", since: str | None = None, until: str | None = None,
                category: str = "", author: str = "", sort: str = "relevance", mode: str = "",
                offset: str | None = None):
    if sort not in SORTS or (mode and mode not in MODES):
        raise HTTPException(400, "unknown sort or mode")
    if len(q) > 500:
        raise HTTPException(400, "query longer than 500 characters")
    since_d, until_d = _date_arg(since, "since"), _date_arg(until, "until")
    start = _int_arg(offset, 0, "offset", 10_000)
    filters = Filters(datetime.combine(since_d, time.min) if since_d else None,
                      datetime.combine(until_d, time.max) if until_d else None,
                      category.strip() or None, author.strip() or None)
    services = request.app.state.services
    page = None
    if q.strip() or filters:
        page = services.search.search(q, filters, sort, mode or None, PAGE_SIZE, start)
    return _render(request, "search.html", q=q, page=page, since=since or "", until=until or "",
                   category=category, author=author, sort=sort, mode=mode or services.settings.search_mode,
                   sorts=SORTS, modes=MODES, offset=start, page_size=PAGE_SIZE)


def _paper_or_404(services, paper_id: str):
    paper = services.catalog.get(paper_id)
    if paper is None:
        raise HTTPException(404, f"no paper with id {paper_id!r}")
    return paper


@router.get("/papers/{paper_id:path}")
def paper_page(request: Request, paper_id: str):
    services = request.app.state.services
    paper = _paper_or_404(services, paper_id)
    actor = client_id(request)
    services.catalog.record_event(paper.id, "view", actor, utcnow().date().isoformat())
    voted = services.catalog.has_event(paper.id, "vote", actor)
    return _render(request, "paper.html", paper=services.catalog.get(paper.id), voted=voted,
                   similar=services.search.similar(paper.id, 6))


@router.post("/papers/{paper_id:path}/vote")
def vote_from_page(request: Request, paper_id: str):
    services = request.app.state.services
    paper = _paper_or_404(services, paper_id)
    actor = client_id(request)
    if services.catalog.has_event(paper.id, "vote", actor):
        services.catalog.remove_event(paper.id, "vote", actor)
    else:
        services.catalog.record_event(paper.id, "vote", actor)
    paper = services.catalog.get(paper.id)
    if request.headers.get("hx-request"):
        return _render(request, "_vote.html", paper=paper,
                       voted=services.catalog.has_event(paper.id, "vote", actor))
    return RedirectResponse(request.url_for("paper_page", paper_id=paper.id), status_code=303)
