"""What every route needs from a request: the services, a rendered template, a paper or a
404, and query values parsed one way for pages and API alike (who is asking: `_identity.py`).

Routes import from here; nothing here imports a route, so the web package has no cycle.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fastapi import HTTPException, Request
from starlette.responses import Response

from papertide.catalog import Paper
from papertide.config import Settings
from papertide.services import Services


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
    paper = services(request).catalog.get(paper_id)
    if paper is None:
        raise HTTPException(404, f"no paper with id {paper_id!r}")
    return paper


def parse_date(value: str | None, name: str) -> date | None:
    """A `YYYY-MM-DD` query value; empty is None, anything else a 400 saying what to send."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(
            400, f"{name} must be a date like 2024-05-31, not {value[:20]!r}"
        ) from None


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The first moment of `since` and the last of `until` (a 400 if they are crossed)."""
    if since and until and since > until:
        raise HTTPException(400, "since is after until")
    return (datetime.combine(since, time.min) if since else None,
            datetime.combine(until, time.max) if until else None)


def parse_int(value: str | None, default: int, name: str, high: int) -> int:
    """A whole number from 0 to `high` in a query value; empty is `default`."""
    if not value:
        return default
    if not value.isdigit() or int(value) > high:
        raise HTTPException(400, f"{name} must be a whole number from 0 to {high}")
    return int(value)
