"""The MCP server (`papertide.mcp_server`) over streamable HTTP at `/mcp`, for assistants
that connect to a URL.

    POST /mcp        JSON-RPC; `Authorization: Bearer <API token>` for a reader's tools

Stateless, with JSON answers: any web process can answer any call, as for the JSON API.
The guard at the edge has already refused a wrong token (401) and a cross-site request;
here the token's reader and scopes name the caller, and rate limits count per reader, else
per client address, as for the API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from papertide.mcp_server import Caller, build_server, token_caller
from papertide.services import Services
from papertide.web._identity import client_key

PATH = "/mcp"


def _caller_of(services: Services) -> Callable[[Context], Caller]:
    def caller(ctx: Context) -> Caller:
        request = ctx.request_context.request
        if not isinstance(request, Request):
            return Caller("mcp")
        key = client_key(request)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        found = (token_caller(services.readers.accounts, token, key)
                 if scheme.lower() == "bearer" else None)
        return found or Caller(key)

    return caller


class McpOverHttp:
    """The `/mcp` route (`install` adds it to the app) and what runs its sessions inside the
    app's lifespan (`sessions()`). The SDK's session manager runs once only, and an app may
    be started again (tests do): each start makes a new one."""

    def __init__(self, services: Services) -> None:
        self.server = build_server(services, _caller_of(services))
        self._manager: StreamableHTTPSessionManager | None = None

    def install(self, app: FastAPI) -> None:
        app.router.routes.append(Route(PATH, self, include_in_schema=False))

    @asynccontextmanager
    async def sessions(self) -> AsyncIterator[None]:
        if self._manager is not None:  # another start of this app runs them already
            yield
            return
        # Cross-site requests are the guard's to refuse, for every route alike: the SDK's
        # own host check would refuse any host but localhost.
        self.server.streamable_http_app(
            streamable_http_path=PATH, stateless_http=True, json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
        manager = self.server.session_manager
        async with manager.run():
            self._manager = manager
            try:
                yield
            finally:
                self._manager = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._manager is None:
            response = JSONResponse({"error": "starting up: try again", "status": 503}, 503)
            return await response(scope, receive, send)
        await self._manager.handle_request(scope, receive, send)
