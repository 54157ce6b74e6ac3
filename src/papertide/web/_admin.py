"""The operator's page, for admin readers only (everyone else gets a 404, as for a page
that does not exist): readers and their states, the last editions' deliveries and
bounces, the job queue's depth, and the live sources' latest runs.

    GET /admin
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from papertide.sources import run_history
from papertide.web._deps import render, services
from papertide.web._identity import require_admin

pages = APIRouter(include_in_schema=False)


@pages.get("/admin")
def admin(request: Request) -> Response:
    require_admin(request)
    svc = services(request)
    store = svc.readers.store
    return render(request, "admin.html",
                  counts=sorted(store.counts_by_status().items()),
                  readers=store.recent(50),
                  editions=svc.digests.log.recent_editions(7),
                  bounces=store.recent_events("bounce", 20),
                  queue_depth=request.app.state.jobs.queue_depth(),
                  runs=run_history(svc.catalog.engine, 10),
                  outbox=not svc.settings.smtp_url)
