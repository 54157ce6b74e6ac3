"""What every route needs from a request: the services, a rendered template, a paper or a
404, and query values parsed one way for pages and API alike (who is asking: `_identity.py`).

Routes import from here; nothing here imports a route, so the web package has no cycle.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request
from pydantic import AfterValidator, BeforeValidator
from starlette.responses import Response

from papertide.catalog import EARLIEST, ID_WIDTHS, LATEST, Paper, text_problem
from papertide.config import Settings
from papertide.services import Services


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# The store keeps times as naive UTC; the API says so (an RFC 3339 `date-time` needs an offset).
UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def settings(request: Request) -> Settings:
    return services(request).settings


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """A page from `templates/` (autoescaped), with `context` as its variables."""
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status_code)
    return response


def paper_or_404(request: Request, paper_id: str) -> Paper:
    """The paper by papertide id, arXiv id (any version) or DOI, or a 404."""
    # No stored id holds a NUL, an unpaired surrogate or more than 200 characters: such a
    # value names no paper (and a database would refuse to even compare it).
    if len(paper_id) > ID_WIDTHS["id"] or text_problem(paper_id):
        raise HTTPException(404, "no paper with that id")
    paper = services(request).catalog.get(paper_id)
    if paper is None:
        raise HTTPException(404, f"no paper with id {paper_id!r}")
    return paper


# ---- numbers and dates, parsed one way for pages and API alike ------------------------
#
# Whole numbers are ASCII digits only: `"²".isdigit()` and `int("١٢")` would accept
# superscripts and other scripts' digits. Days are `YYYY-MM-DD`. A day outside the
# catalog's range (1700-01-01..2199-12-31) is clamped to it by the search, not refused:
# no paper lies outside it. `since` after `until` matches nothing (a 200 with a note).

MAX_DIGITS = 9
MAX_BROWSE_OFFSET = 10_000  # /, /api/papers, /api/trending: deeper pages cost a sort each
MAX_SEARCH_OFFSET = 10_000
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DIGITS_ONLY = f"must be a whole number written with the digits 0-9 (at most {MAX_DIGITS})"
DAY_ONLY = "must be a date like 2024-05-31"


def is_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS


def _whole_number(value: object) -> object:
    """Before pydantic reads a query number: ASCII digits only (it would take `+5`, `5.0`,
    `1_0`)."""
    if isinstance(value, str) and not is_whole_number(value):
        raise ValueError(DIGITS_ONLY)
    return value


def _day(value: object) -> object:
    """Before pydantic reads a query date: `YYYY-MM-DD` only (it would take `0`, a Unix
    time, or a datetime at midnight)."""
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError(DAY_ONLY)
    return value


DAY_RANGE_NOTE = (f" Days from {EARLIEST} to {LATEST}; one outside is taken as that bound. "
                  "`since` after `until` matches nothing (no items, with a note).")
# FastAPI reads the constraints from `Query` when it comes first in `Annotated`.
Limit = Annotated[int, Query(ge=1, le=100, description="How many items, 1-100."),
                  BeforeValidator(_whole_number)]
SimilarLimit = Annotated[int, Query(ge=1, le=50, description="How many items, 1-50."),
                         BeforeValidator(_whole_number)]
BrowseOffset = Annotated[int, Query(
    ge=0, le=MAX_BROWSE_OFFSET,
    description=f"Items to skip, 0-{MAX_BROWSE_OFFSET:,} (narrow with search filters to go "
                "further back)."), BeforeValidator(_whole_number)]
SearchOffset = Annotated[int, Query(
    ge=0, le=MAX_SEARCH_OFFSET, description=f"Results to skip, 0-{MAX_SEARCH_OFFSET:,}."),
    BeforeValidator(_whole_number)]
Day = Annotated[date, BeforeValidator(_day)]  # a path's day, `YYYY-MM-DD` only
DayQuery = Annotated[date | None, Query(description="YYYY-MM-DD; default: the latest"),
                     BeforeValidator(_day)]
Since = Annotated[date | None, Query(
    description="Published on or after this day (YYYY-MM-DD)." + DAY_RANGE_NOTE),
    BeforeValidator(_day)]
Until = Annotated[date | None, Query(
    description="Published on or before this day (YYYY-MM-DD)." + DAY_RANGE_NOTE),
    BeforeValidator(_day)]


def parse_date(value: str | None, name: str) -> date | None:
    """A `YYYY-MM-DD` query value; empty is None, anything else a 400 saying what to send."""
    if not value:
        return None
    try:
        if not _DAY.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"{name} {DAY_ONLY}, not {value[:20]!r}") from None


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The first moment of `since` and the last of `until`. Crossed days are passed on:
    the search answers them with no papers and a note."""
    return (datetime.combine(since, time.min) if since else None,
            datetime.combine(until, time.max) if until else None)


def parse_int(value: str | None, default: int, name: str, high: int) -> int:
    """A whole number from 0 to `high` in a query or form value; empty is `default`."""
    if not value:
        return default
    if not is_whole_number(value) or int(value) > high:
        raise HTTPException(400, f"{name} must be a whole number from 0 to {high:,}")
    return int(value)
