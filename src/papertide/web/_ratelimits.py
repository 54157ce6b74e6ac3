"""Which requests count against which rate limit, declared once, and the gate that turns
away a client past one: 429 with `Retry-After`, JSON for the API and a page for browsers.

The limits themselves (how many per how long) are settings; see `papertide.ratelimit`.
The gate runs at the edge, before routing and before the body is read, so that a flood
the limit has caught costs the server a dictionary lookup and a short answer: search
stays fast while someone hammers `POST /api/subscribe`.
"""

from __future__ import annotations

import json
import logging
import re
from math import ceil

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from papertide.options import LimitName
from papertide.ratelimit import RateLimits
from papertide.web._errors import http_error, wants_json
from papertide.web._identity import client_key, client_network

# (methods, path, limit, counted per): "network" is the client's network (IPv4 /24, IPv6
# /64: one client rarely holds more), "client" the signed-in reader or else the address.
LIMITED: list[tuple[frozenset[str], re.Pattern[str], LimitName, str]] = [
    (frozenset({"POST"}), re.compile(r"/(api/)?subscribe|/login|/api/auth/login"),
     "mail_per_ip", "network"),
    (frozenset({"POST", "DELETE"}), re.compile(r"/(api/)?papers/.+/vote"), "votes", "client"),
    (frozenset({"GET"}), re.compile(r"/(api/)?search"), "searches", "client"),
    (frozenset({"POST"}), re.compile(r"/fetch/arxiv"), "searches", "client"),
    (frozenset({"POST"}), re.compile(r"/papers/.+/(save|library|dismiss|undismiss)|/follows"
                                     r"|/not-interested|/library/feeds.*"), "votes", "client"),
    (frozenset({"POST", "PATCH", "DELETE"}), re.compile(r"/api/me/.+"), "votes", "client"),
    (frozenset({"GET"}), re.compile(r"/api/me/recommendations|/for-you|/feeds/private/.+"),
     "searches", "client"),
    (frozenset({"POST"}), re.compile(r"/library/import"), "imports", "client"),
    (frozenset({"POST"}), re.compile(r"/onboarding"), "searches", "client"),
    # Every other page, and every route that may set a cookie (the client cookie comes
    # with any page; sign-in sets the session's): minting cookies is bounded like pages.
    (frozenset({"GET", "HEAD"}), re.compile(r"(?!/static/|/docs/assets/|/feeds/|/healthz$|/metrics$"
                                            r"|/api/(papers|trending)).*"), "pages", "client"),
    (frozenset({"POST"}), re.compile(r"/auth/signin|/account/.*|/confirm|/preferences"
                                     r"|/unsubscribe|/logout"), "pages", "client"),
]
log = logging.getLogger(__name__)
MESSAGE = "Too many requests from you just now: please wait a little and try again."
_JSON = json.dumps({"error": MESSAGE, "status": 429}).encode()


def limit_for(method: str, path: str) -> tuple[LimitName, str] | None:
    for methods, pattern, name, per in LIMITED:
        if method in methods and pattern.fullmatch(path):
            return name, per
    return None


class RateLimitGate:
    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        found = limit_for(scope["method"], scope["path"])
        if found is None:
            return await self.app(scope, receive, send)
        name, per = found
        request = Request(scope, receive)
        who = f"net:{client_network(request)}" if per == "network" else client_key(request)
        wait = self.limits.refused(name, who)  # known to be over: no storage, no thread
        if wait is None:
            try:
                wait = await run_in_threadpool(self.limits.hit, name, who)
            except Exception:
                # The limits' storage is unreachable: serve rather than fail. Mail stays
                # capped, since the job that sends it checks its own limit and fails shut.
                log.exception("rate limit %s could not be counted", name)
        if wait is None:
            return await self.app(scope, receive, send)
        retry_after = str(ceil(wait))
        if wants_json(request):
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", retry_after.encode())]})
            await send({"type": "http.response.body", "body": _JSON})
            return
        scope.setdefault("router", scope["app"].router)  # the page links the static files
        response = await http_error(request, HTTPException(
            429, MESSAGE, headers={"Retry-After": retry_after}))
        await response(scope, receive, send)
