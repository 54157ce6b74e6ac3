"""The guard at the edge: who is signed in, and whether a state-changing request may go on.

For every request it resolves the reader, from `Authorization: Bearer <API token>` (a
wrong token is a 401) or from the session cookie, into `request.state.reader` and
`request.state.session`. Then, for POST, PUT, PATCH and DELETE:

- a request authenticated by an API token goes on if the token's scopes allow it
  (`_scopes.py`; else 403): no cookie is involved, so no forgery;
- a request from another site is refused (403): `Sec-Fetch-Site: cross-site`, or an
  `Origin` that is neither this host nor the base URL's;
- a request that carries a live session cookie must carry the session's CSRF token, as
  the header `X-CSRF-Token` (htmx sends it on every request) or the form field
  `csrf_token` (every form of a page has it, file uploads too); else 403, and nothing
  changes.

`GET /metrics` checks its own token (`_metrics.py`). Signed mail links (`/unsubscribe`,
`/preferences`, `/not-interested`) are authenticated by their token, not by a cookie, and a
mail client's RFC 8058 one-click POST carries no CSRF token and no same-site Origin: they
are left to their token.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncGenerator
from urllib.parse import parse_qs, urlsplit

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide.config import Settings
from papertide.readers import Accounts
from papertide.web._errors import http_error
from papertide.web._identity import SESSION_COOKIE
from papertide.web._scopes import CHANGE_METHODS, SAFE_METHODS, SESSION_ONLY, needed_scope

# Authenticated by the link's token: preferences, unsubscribe, "not interested" from a digest.
TOKEN_LINK_PATHS = {"/unsubscribe", "/preferences", "/not-interested"}
# Read-only paths with an Authorization scheme of their own: the metrics token is no API
# token, so it is left to the route (`_metrics.py`) instead of answered 401 here.
OWN_AUTH_PATHS = {"/metrics"}
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"


class Guard:
    def __init__(self, app: ASGIApp, accounts: Accounts, settings: Settings) -> None:
        self.app, self.accounts = app, accounts
        self.own_hosts = {urlsplit(settings.base_url).netloc.lower()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        state = scope.setdefault("state", {})
        state["reader"] = state["session"] = state["scopes"] = None
        if scope["path"] in OWN_AUTH_PATHS and request.method in SAFE_METHODS:
            return await self.app(scope, receive, send)
        # An empty header (some clients send one by default) is no credential: ignored.
        authorization = request.headers.get("authorization", "").strip() or None
        by_token = authorization is not None
        if by_token:
            scheme, _, token = (authorization or "").partition(" ")
            found = (await run_in_threadpool(self.accounts.api_token, token.strip())
                     if scheme.lower() == "bearer" else None)
            if found is None:
                return await self._deny(scope, receive, send, 401, "That API token is not "
                                        "valid: create one on your account page.")
            needed = needed_scope(request.method, scope["path"])
            if needed == SESSION_ONLY:
                return await self._deny(scope, receive, send, 403, "API tokens cannot do this: "
                                        "sign in with a browser (account changes, tokens "
                                        "and admin pages need a browser session).")
            if needed is not None and needed not in found[1]:
                return await self._deny(scope, receive, send, 403, f"This API token lacks the "
                                        f"'{needed}' scope: create one that has it on your "
                                        "account page.")
            state["reader"], state["scopes"] = found
        elif cookie := request.cookies.get(SESSION_COOKIE):
            session = await run_in_threadpool(self.accounts.session, cookie)
            if session is not None:
                state["reader"], state["session"] = session.reader, session
        if (request.method not in CHANGE_METHODS or by_token
                or scope["path"] in TOKEN_LINK_PATHS):
            return await self.app(scope, receive, send)
        if self._cross_site(request):
            return await self._deny(scope, receive, send, 403, "This request came from another "
                                    "site, so it was refused.")
        session = state["session"]
        if session is None:
            return await self.app(scope, receive, send)
        supplied = request.headers.get(CSRF_HEADER)
        body: list[Message] = []
        if supplied is None:
            body, supplied = await _form_field(request, receive, CSRF_FIELD)
        if not hmac.compare_digest((supplied or "").encode(), session.csrf_token.encode()):
            return await self._deny(scope, receive, send, 403, "This form has expired or did not "
                                    "come from papertide: reload the page and try again.")
        return await self.app(scope, _replay(body, receive), send)

    def _cross_site(self, request: Request) -> bool:
        if request.headers.get("sec-fetch-site") == "cross-site":
            return True
        origin = request.headers.get("origin")
        if origin is None:
            return False  # not a browser, or a browser on this very origin
        host = request.headers.get("host", "").lower()
        return origin == "null" or urlsplit(origin).netloc.lower() not in self.own_hosts | {host}

    async def _deny(self, scope: Scope, receive: Receive, send: Send, status: int,
                    message: str) -> None:
        scope.setdefault("router", scope["app"].router)  # error pages link the static files
        response = await http_error(Request(scope, receive), HTTPException(status, message))
        await response(scope, receive, send)


async def _form_field(request: Request, receive: Receive,
                      name: str) -> tuple[list[Message], str | None]:
    """Read the whole body (the body limit outside bounds it) and find one field of a
    URL-encoded form in it; the messages are kept to hand on to the app."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):  # a file upload's form (an import)
        return messages, await _multipart_field(request, b"".join(chunks), name)
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return messages, None
    try:
        values = parse_qs(b"".join(chunks).decode("latin-1"), max_num_fields=1000).get(name)
    except ValueError:  # more fields than any form of papertide has
        return messages, None
    return messages, values[0] if values else None


async def _multipart_field(request: Request, body: bytes, name: str) -> str | None:
    """One text field of a multipart form (the body limit outside bounds it)."""
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=10,
                                     max_fields=100).parse()
    except (MultiPartException, ValueError):
        return None
    value = form.get(name)
    await form.close()
    return value if isinstance(value, str) else None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed
