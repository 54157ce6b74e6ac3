"""The daily view: one arXiv announcement day's papers, trending first, as a page and as
JSON (see `papertide.daily`).

    GET /daily                  the latest announcement day with papers ("today");
                                ?day=2025-03-18 (the date picker) redirects to that day
    GET /daily/2025-03-18       that day, with links to the days before and after; a day
                                after the latest announcement is a 404 that says so and
                                links to the latest day (an empty list would read as "no
                                papers that day")
    GET /api/daily[/{day}]      the same as JSON; both take ?category=cs.LG&offset=…
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from starlette.responses import Response

from papertide.catalog import Catalog, utcnow
from papertide.daily import DayPage, day_listing
from papertide.web._api import PaperOut
from papertide.web._deps import (
    MAX_BROWSE_OFFSET,
    BrowseOffset,
    Day,
    Limit,
    parse_date,
    parse_int,
    render,
    services,
)
from papertide.web._errors import ErrorOut, error_responses

pages = APIRouter(include_in_schema=False)
# Any route may be sent a body over the limit (the middleware answers 413 before routing).
api = APIRouter(responses=error_responses(413))
PAGE_SIZE = 25
MAX_OFFSET = MAX_BROWSE_OFFSET
TOP_CATEGORIES = 12


class DailyOut(BaseModel):
    day: date | None  # None until some paper has an announcement date
    previous: date | None
    next: date | None
    category: str | None
    total: int
    items: list[PaperOut]
    limit: int
    offset: int
    has_more: bool


def _category(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > 40:
        raise HTTPException(400, "category is longer than 40 characters")
    return value or None


def _categories_of_day(catalog: Catalog, day: date | None) -> list[tuple[str, int]]:
    """The day's most frequent categories, for the filter's quick links."""
    if day is None:
        return []
    counts = Counter(c for entry in catalog.announced_on(day) for c in entry.categories)
    return counts.most_common(TOP_CATEGORIES)


def _not_yet(request: Request, day: date, latest: date) -> Response:
    """A day after the latest announcement: nothing to list yet, and the way to what is."""
    still_to_come = day > utcnow().date()
    return render(
        request, "notice.html", status_code=404, title="No announcement yet",
        message=f"There is no arXiv announcement for {day.strftime('%A %-d %B %Y')} yet"
                f"{': that day is still to come' if still_to_come else ''}. The latest "
                f"announced day is {latest.strftime('%A %-d %B %Y')}.",
        link=f"/daily/{latest.isoformat()}", link_text=f"Papers of {latest.isoformat()}")


def _page(request: Request, day: date | None, category: str | None, offset: str | None
          ) -> Response:
    start = parse_int(offset, 0, "offset", MAX_OFFSET)
    catalog = services(request).catalog
    latest = catalog.latest_announcement() if day is not None else None
    if day is not None and latest is not None and day > latest:
        return _not_yet(request, day, latest)
    listing: DayPage = day_listing(catalog, day, _category(category), PAGE_SIZE, start)
    # The picker stops at the latest day, so its calendar offers no day that is only a 404.
    return render(request, "daily.html", page=listing, page_size=PAGE_SIZE,
                  categories=_categories_of_day(catalog, listing.day),
                  day=listing.day, latest=latest if day is not None else listing.day)


@pages.get("/daily")
def daily_latest(request: Request, category: str | None = None,
                 offset: str | None = None, day: str | None = None) -> Response:
    """The latest day; with `day` (the page's date picker) a redirect to that day's page."""
    if day:
        chosen = parse_date(day, "day")
        if chosen is not None:
            query = f"?category={quote(category)}" if category else ""
            return RedirectResponse(f"/daily/{chosen.isoformat()}{query}", status_code=303)
    return _page(request, None, category, offset)


@pages.get("/daily/{day}")
def daily_page(request: Request, day: str, category: str | None = None,
               offset: str | None = None) -> Response:
    return _page(request, parse_date(day, "day"), category, offset)


def _json(request: Request, day: date | None, category: str | None, limit: int,
          offset: int) -> DailyOut:
    listing = day_listing(services(request).catalog, day, _category(category), limit, offset)
    return DailyOut(day=listing.day, previous=listing.previous, next=listing.next,
                    category=listing.category, total=listing.total,
                    items=[PaperOut.of(p, score) for p, score in listing.items], limit=limit,
                    offset=offset, has_more=listing.has_more)


@api.get("/api/daily", tags=["papers"], responses=error_responses(400))
def api_daily_latest(request: Request,
                     category: str | None = Query(None, max_length=40,
                                                  description="cs.LG, or an archive: cs"),
                     limit: Limit = 20, offset: BrowseOffset = 0) -> DailyOut:
    """The papers of the latest arXiv announcement day with papers, trending first."""
    return _json(request, None, category, limit, offset)


@api.get("/api/daily/{day}", tags=["papers"], responses={**error_responses(400), 404: {
    "model": ErrorOut, "description": "A day after the latest announcement: none yet."}})
def api_daily(request: Request, day: Day,
              category: str | None = Query(None, max_length=40,
                                           description="cs.LG, or an archive: cs"),
              limit: Limit = 20, offset: BrowseOffset = 0) -> DailyOut:
    """The papers announced on `day` (YYYY-MM-DD: the date of the arXiv listing that first
    carried them), trending first, with the announcement days before and after. A day
    after the latest announcement is a 404 naming the latest day."""
    latest = services(request).catalog.latest_announcement()
    if latest is not None and day > latest:
        raise HTTPException(404, f"no announcement for {day.isoformat()} yet; the latest "
                                 f"announced day is {latest.isoformat()}")
    return _json(request, day, category, limit, offset)
