"""Fetching a paper the catalog does not have from arXiv, by its id: the search page
offers it when a pasted arXiv id finds nothing.

    POST /fetch/arxiv   (form: arxiv_id=2503.15457)   → 303 to the paper's page

An ordinary form POST (so that a CSRF layer at the edge protects it like any other). The
look-up goes through the polite client (at most one request per `PAPERTIDE_FETCH_INTERVAL`
to arXiv from this machine) with no retries and 5 s all told: when arXiv does not answer
in time, the page says so (202) and a queued job fetches the paper. One look-up runs at a
time per process: a second one meanwhile is told to retry (429) rather than queueing
worker threads behind the first.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from papertide.catalog import parse_arxiv_id
from papertide.search import split_ids
from papertide.services import Services
from papertide.web._deps import render, services

router = APIRouter(include_in_schema=False)
_one_at_a_time = threading.Lock()


def missing_arxiv_id(svc: Services, query: str) -> str | None:
    """The first arXiv id (or arXiv URL) in a search query whose paper the catalog lacks."""
    for name in split_ids(query)[0]:
        parsed = parse_arxiv_id(name) if name.startswith("arXiv:") else None
        if parsed is not None and svc.catalog.get(parsed[0]) is None:
            return parsed[0]
    return None


@router.post("/fetch/arxiv")
def fetch_from_arxiv(request: Request, arxiv_id: str = Form(..., max_length=100)) -> Response:
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise HTTPException(400, f"{arxiv_id[:40]!r} is not an arXiv id, e.g. 2503.15457")
    svc = services(request)
    paper = svc.catalog.get(parsed[0])
    if paper is None:
        if not _one_at_a_time.acquire(blocking=False):
            raise HTTPException(429, "another arXiv look-up is running: try again in a moment")
        try:
            run = svc.intake.fetch_while_waiting([parsed[0]])
        finally:
            _one_at_a_time.release()
        if run.status == "failed":  # slow or away: a worker keeps asking
            request.app.state.jobs.fetch_papers([parsed[0]])
            return render(request, "notice.html", status_code=202, title="arXiv did not answer",
                          message=f"arXiv did not answer in time; we will fetch {parsed[0]} "
                                  "in the background: search for it again in a few minutes.")
        paper = svc.catalog.get(parsed[0])
        if paper is None:
            return render(request, "notice.html", status_code=404, title="Not on arXiv",
                          message=f"arXiv has no paper with the id {parsed[0]}.")
    return RedirectResponse(request.url_for("paper_page", paper_id=paper.id).path, status_code=303)
