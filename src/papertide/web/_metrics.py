"""`GET /metrics` for Prometheus, and the middleware that times every request by route.

Who may read it: a client on loopback (the address as `_identity.client_ip` resolves it
through trusted proxies; a request that came through an untrusted proxy, carrying
`X-Forwarded-For`, `Forwarded`, `X-Real-IP` or another client-address header, is not
counted as loopback), or anyone sending
`Authorization: Bearer <PAPERTIDE_METRICS_TOKEN>`. Everyone else gets a 403.

Requests are labelled by route template (`/papers/{paper_id}`), never by raw path, so a
crawler walking a million ids makes one series, not a million.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide import metrics
from papertide.web._deps import services
from papertide.web._identity import client_ip

router = APIRouter()
# Headers a reverse proxy adds to say who the client is (nginx's `X-Real-IP` among them).
_FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip", "true-client-ip",
              "cf-connecting-ip", "x-client-ip")


class RequestMetrics:
    """Counts and times every HTTP request by method, route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or metrics.UNMATCHED
            metrics.observe_request(scope["method"], template, status,
                                    time.perf_counter() - started)


def _loopback(request: Request) -> bool:
    settings = services(request).settings
    if not settings.trusted_proxies and any(h in request.headers for h in _FORWARDED):
        return False  # a proxy on this machine relayed it: the client is elsewhere
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


def _allowed(request: Request) -> bool:
    token = services(request).settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    return _loopback(request)


def _snapshot(request: Request) -> metrics.Snapshot:
    svc = services(request)
    jobs = request.app.state.jobs

    def lag() -> dict[tuple[str, ...], float]:
        top = svc.catalog.max_seq()
        found: dict[tuple[str, ...], float] = {
            ("keyword",): float(max(0, top - svc.search.keyword.indexed_seq))}
        if svc.search.semantic_ready():
            semantic = svc.search.semantic
            found[("vectors",)] = float(max(0, semantic.store.max_seq()
                                            - semantic.vectors.indexed_seq))
        return found

    return metrics.Snapshot({
        "papertide_queue_depth": ("Jobs waiting for a worker.", [],
                                  lambda: {(): float(jobs.queue_depth())}),
        "papertide_index_lag_seq": (
            "Changes this machine's index has not taken yet: the catalog's highest seq (the "
            "embeddings' for the vector index) minus the index's high-water mark.", ["index"],
            lag),
        "papertide_catalog_seq": ("The catalog's highest change number (seq).", [],
                                  lambda: {(): float(svc.catalog.max_seq())}),
    })


@router.get("/metrics", include_in_schema=False)
def metrics_page(request: Request) -> Response:
    """Prometheus text exposition, to loopback clients or with the metrics token."""
    if not _allowed(request):
        raise HTTPException(403, "/metrics is served to loopback clients, or with "
                                 "'Authorization: Bearer' and PAPERTIDE_METRICS_TOKEN")
    body, content_type = metrics.exposition(_snapshot(request))
    return Response(body, media_type=content_type)
