"""Middleware at the edge: the request body limit and the anonymous client cookie."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLIENT_COOKIE = "pt_client"
CLIENT_COOKIE_DAYS = 400


class BodyLimit:
    """Refuse request bodies over the limit with 413, whether announced (Content-Length)
    or streamed (chunked): the body is counted as it arrives, before any route sees it.

    The body is read here and handed on whole. Raising mid-stream instead would reach
    FastAPI's body parsing, which turns any error there into a 400 ("error parsing the
    body"); a body is at most `max_bytes` (64 KB by default), so holding it costs little.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._too_large()(scope, receive, send)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: pass that on
                break
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                return await self._too_large()(scope, receive, send)
            chunks.append(body)
            if not message.get("more_body", False):
                message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
                break
        first: Message | None = message

        async def replay() -> Message:
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"error": f"request body larger than {self.max_bytes:,} bytes",
                             "status": 413}, 413)


class ClientCookie:
    """Gives every browser a signed, random client id in a long-lived cookie, available to
    routes as `request.state.client_id` (what counts a view or a vote once)."""

    def __init__(self, secret_key: str) -> None:
        self.signer = URLSafeSerializer(secret_key, salt="client-id")

    async def __call__(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        cookie = request.cookies.get(CLIENT_COOKIE)
        try:
            request.state.client_id = self.signer.loads(cookie) if cookie else None
        except BadSignature:
            request.state.client_id = None
        fresh = request.state.client_id is None
        if fresh:
            request.state.client_id = secrets.token_urlsafe(12)
        response = await call_next(request)
        if fresh:
            response.set_cookie(CLIENT_COOKIE, self.signer.dumps(request.state.client_id),
                                max_age=CLIENT_COOKIE_DAYS * 86400, httponly=True, samesite="lax")
        return response
