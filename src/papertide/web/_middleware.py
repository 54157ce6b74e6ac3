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
    """Refuse request bodies over the limit with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._too_large()(scope, receive, send)
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await self._too_large()(scope, receive, send)

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"error": f"request body larger than {self.max_bytes:,} bytes",
                             "status": 413}, 413)


class _BodyTooLarge(Exception):
    pass


class ClientCookie:
    """Gives every browser a signed, random client id in a long-lived first-party cookie,
    set by the pages (HTML responses) only. Routes read it as `request.state.client_id`:
    None when the request came without a valid one (a forged cookie is ignored), so that
    a request without it counts no view."""

    def __init__(self, secret_key: str, secure: bool = False) -> None:
        self.signer = URLSafeSerializer(secret_key, salt="client-id")
        self.secure = secure

    async def __call__(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        cookie = request.cookies.get(CLIENT_COOKIE)
        try:
            request.state.client_id = self.signer.loads(cookie) if cookie else None
        except BadSignature:
            request.state.client_id = None
        response = await call_next(request)
        if (request.state.client_id is None
                and response.headers.get("content-type", "").startswith("text/html")):
            response.set_cookie(CLIENT_COOKIE, self.signer.dumps(secrets.token_urlsafe(12)),
                                max_age=CLIENT_COOKIE_DAYS * 86400, httponly=True,
                                samesite="lax", secure=self.secure)
        return response
