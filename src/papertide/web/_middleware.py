"""Middleware at the edge: the request body limit and the anonymous client cookie."""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import JSONResponse
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import MutableHeaders
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
    """Gives every browser a signed, random client id in a long-lived first-party cookie,
    set by the pages (HTML responses) only. Routes read it as `request.state.client_id`:
    None when the request came without a valid one (a forged cookie is ignored), so that
    a request without it counts no view. Plain ASGI: no task or stream of its own per
    request, which keeps the event loop's turns short when it is busy."""

    def __init__(self, app: ASGIApp, secret_key: str, secure: bool = False) -> None:
        self.app = app
        self.signer = URLSafeSerializer(secret_key, salt="client-id")
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        cookie = Request(scope).cookies.get(CLIENT_COOKIE)
        try:
            client_id = self.signer.loads(cookie) if cookie else None
        except BadSignature:
            client_id = None
        scope.setdefault("state", {})["client_id"] = client_id
        if client_id is not None:
            return await self.app(scope, receive, send)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", self._new_cookie())
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _new_cookie(self) -> str:
        carrier = Response()
        carrier.set_cookie(CLIENT_COOKIE, self.signer.dumps(secrets.token_urlsafe(12)),
                           max_age=CLIENT_COOKIE_DAYS * 86400, httponly=True, samesite="lax",
                           secure=self.secure)
        return carrier.headers["set-cookie"]
