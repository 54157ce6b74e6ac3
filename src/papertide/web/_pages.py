"""The HTML pages (Jinja2, autoescaped)."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from papertide import trending
from papertide.catalog import utcnow
from papertide.daily import day_listing
from papertide.options import MODES, SORTS, WINDOW_LABELS, WINDOWS
from papertide.search import Filters, arxiv_in_path
from papertide.web._deps import (
    MAX_BROWSE_OFFSET,
    MAX_SEARCH_OFFSET,
    day_range,
    paper_or_404,
    parse_date,
    parse_int,
    render,
    services,
)
from papertide.web._fetch import missing_arxiv_id
from papertide.web._identity import require_reader, signed_in, viewer

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/")
def home(request: Request, window: str = "week", offset: str | None = None) -> Response:
    if window not in WINDOWS:
        raise HTTPException(400, f"window must be one of {', '.join(WINDOWS)}")
    start = parse_int(offset, 0, "offset", MAX_BROWSE_OFFSET)
    catalog = services(request).catalog
    if window == "day" and catalog.latest_announcement() is not None:
        # "Today" is the latest arXiv announcement day, trending first (the daily view).
        today = day_listing(catalog, None, None, PAGE_SIZE, start)
        return render(request, "home.html", window=window, windows=WINDOW_LABELS,
                      papers=today.items, offset=start, has_more=today.has_more,
                      page_size=PAGE_SIZE, day=today.day)
    ranked = trending.trending(catalog, window, PAGE_SIZE + 1, start)
    return render(request, "home.html", window=window, windows=WINDOW_LABELS,
                  papers=ranked[:PAGE_SIZE], offset=start, has_more=len(ranked) > PAGE_SIZE,
                  page_size=PAGE_SIZE)


@router.get("/search")
def search_page(request: Request, q: str = "", since: str | None = None,
                until: str | None = None,
                category: str = "", author: str = "", sort: str = "relevance", mode: str = "",
                offset: str | None = None) -> Response:
    # Said with the choices: a hand-edited `sort=newest` should learn the word is `new`.
    if sort not in SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    if mode and mode not in MODES:
        raise HTTPException(400, f"mode must be one of {', '.join(MODES)}, not {mode[:40]!r}")
    if len(q) > 500:
        raise HTTPException(400, "query longer than 500 characters")
    if len(category) > 40 or len(author) > 200:  # the API's bounds: no category is longer
        raise HTTPException(400, "category longer than 40 or author longer than 200 "
                                 "characters")
    dates = day_range(parse_date(since, "since"), parse_date(until, "until"))
    start = parse_int(offset, 0, "offset", MAX_SEARCH_OFFSET)
    filters = Filters(*dates, category.strip() or None, author.strip() or None)
    svc = services(request)
    page = None
    if q.strip() or filters:
        page = svc.search.search(q, filters, sort, mode or None, PAGE_SIZE, start)
    return render(request, "search.html", q=q, page=page, since=since or "", until=until or "",
                  category=category, author=author, sort=sort,
                  mode=mode or svc.settings.search_mode, sorts=SORTS, modes=MODES, offset=start,
                  page_size=PAGE_SIZE, fetchable=missing_arxiv_id(svc, q) if q else None)


@router.get("/papers/{paper_id:path}")
def paper_page(request: Request, paper_id: str) -> Response:
    catalog = services(request).catalog
    paper = paper_or_404(request, paper_id)
    who = viewer(request)
    if who is not None:  # once per reader or browser and day; programs count nothing
        catalog.record_event(paper.id, "view", who, utcnow().date().isoformat())
    reader = signed_in(request)
    voted = reader is not None and catalog.has_event(paper.id, "vote", f"r:{reader.id}")
    library = services(request).library
    saved_item = library.get(reader.id, paper.id) if reader else None
    followed = {(f.kind, f.value) for f in library.follows(reader.id)} if reader else set()
    return render(request, "paper.html", paper=paper_or_404(request, paper.id), voted=voted,
                  similar=services(request).search.similar(paper.id, 6), saved_item=saved_item,
                  followed=followed)


@router.get("/abs/{path:path}")
@router.get("/pdf/{path:path}")
@router.get("/html/{path:path}")
def arxiv_path(request: Request, path: str) -> Response:
    """arXiv's own paths (`/abs/2503.15457v2`, `/pdf/hep-th/9901001.pdf`) lead to the
    paper's page, so that swapping the host of an arXiv link works. Permanent: an id
    always names the same paper here; one the catalog lacks meets the paper page's 404."""
    arxiv_id = arxiv_in_path(path)
    if arxiv_id is None:
        raise HTTPException(404, "not an arXiv id, e.g. /abs/2503.15457")
    # A path, not `url_for`'s absolute URL: that takes its host from the request's Host
    # header, so a forged one made a permanent (cached) redirect to another site.
    target = request.url_for("paper_page", paper_id=arxiv_id).path
    return RedirectResponse(target, status_code=301)


@router.post("/papers/{paper_id:path}/vote")
def vote_from_page(request: Request, paper_id: str,
                   where: str = Form("", max_length=10)) -> Response:
    """Vote or take the vote back; htmx gets the button and, on the paper's page, the
    counts line (out of band), so that both show the new count."""
    reader = require_reader(request, "vote")
    catalog = services(request).catalog
    paper = paper_or_404(request, paper_id)
    actor = f"r:{reader.id}"
    if catalog.has_event(paper.id, "vote", actor):
        catalog.remove_event(paper.id, "vote", actor)
    else:
        catalog.record_event(paper.id, "vote", actor)
    paper = paper_or_404(request, paper.id)
    if request.headers.get("hx-request"):
        return render(request, "_vote.html", paper=paper, oob=where != "card", where=where,
                      voted=catalog.has_event(paper.id, "vote", actor))
    return RedirectResponse(request.url_for("paper_page", paper_id=paper.id).path, status_code=303)
