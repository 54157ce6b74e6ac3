"""What browsers and proxies may keep: versioned static files for a year, personal pages
never.

- `static_url(request, path)`, which the templates' `url_for('static', …)` goes through,
  appends `?v=` and a hash of the file's bytes: a new release changes the address, so
  the file itself can be cached as `public, max-age=31536000, immutable` (htmx alone is
  52 KB). An address without the current hash is answered with `no-cache` (the browser
  revalidates with the ETag the static files carry).
- Personal pages (account, library, for-you, onboarding, outbox, admin, preferences, the
  digest preview and `/api/me/…`) are `private, no-store`: a shared cache must not keep
  them, and the browser's back button asks again rather than show a signed-out reader
  the last one's library.

Compression (gzip of HTML, JSON, CSS and JavaScript) is Starlette's `GZipMiddleware`,
added beside this in `_app.py`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
PERSONAL = "private, no-store"
# Paths (and everything under them) that show one reader's own data.
PERSONAL_PATHS = ("/account", "/library", "/for-you", "/onboarding", "/outbox", "/admin",
                  "/preferences", "/digest/preview", "/not-interested", "/api/me")


@cache
def static_version(name: str) -> str | None:
    """A short hash of a static file's bytes (None for a file that is not there)."""
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC.resolve()) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versioned(url: str, name: str) -> str:
    """The static file's address with its version, so that it may be cached for good."""
    version = static_version(name)
    return f"{url}?v={version}" if version else url


def personal(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PERSONAL_PATHS)


def _policy(scope: Scope) -> str | None:
    path = scope["path"]
    if path.startswith("/static/"):
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [None])[0]
        current = static_version(path.removeprefix("/static/"))
        return IMMUTABLE if current is not None and asked == current else REVALIDATE
    if personal(path):
        return PERSONAL
    return None


class CachePolicy:
    """Sets `Cache-Control` by path (see the module docstring); a response that names its
    own keeps it. Plain ASGI: no task of its own per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = _policy(scope)
        if policy is None:
            return await self.app(scope, receive, send)

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers or policy == PERSONAL:
                    headers["Cache-Control"] = policy
            await send(message)

        await self.app(scope, receive, send_with_policy)
