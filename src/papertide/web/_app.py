"""Application assembly: settings, services, middleware, error handlers and the routes.

Routes (pages in `_pages.py`, JSON in `_api.py`):

    GET  /                         trending papers, window tabs
    GET  /search                   search page with filters
    GET  /papers/{id}              paper page (counts a view), vote button
    POST /papers/{id}/vote         vote from the page (form or htmx)
    GET  /api/papers               GET /api/papers/{id}   GET /api/search   GET /api/trending
    POST /api/papers/{id}/vote     DELETE /api/papers/{id}/vote
    POST /subscribe  POST /api/subscribe        double opt-in subscription
    GET  /confirm  GET|POST /preferences  GET|POST /unsubscribe   (signed links from mails)
    GET  /digest/preview           the next edition, unsent
    GET  /outbox  GET /outbox/{name}          mails written instead of sent (no SMTP relay)
    GET  /healthz                  GET /docs (OpenAPI)
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from papertide.catalog import readable
from papertide.config import Settings
from papertide.services import open_services

HERE = Path(__file__).parent
CLIENT_COOKIE = "pt_client"
INDEX_FOLLOW_SECONDS = 10.0
log = logging.getLogger(__name__)


async def _follow_catalog(services, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(services.search.catch_up)
        except Exception:  # keep following; the next round retries
            log.exception("catching the search indexes up failed")


class BodyLimit:
    """Refuse request bodies over the limit with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await _too_large(self.max_bytes)(scope, receive, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(self.max_bytes)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": f"request body larger than {limit:,} bytes", "status": 413}, 413)


def client_id(request: Request) -> str:
    """The anonymous client behind a request: an API client's X-Client-Id header, else the
    signed cookie the middleware sets (a forged cookie is ignored and replaced)."""
    header = request.headers.get("x-client-id", "").strip()
    if header:
        return "h:" + header[:100]
    return "c:" + request.state.client_id


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/healthz" or \
        "application/json" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, embedded_worker: bool = False) -> FastAPI:
    """The app. With `embedded_worker` it also runs the job consumer in threads (the
    embedded default of `papertide serve`: schedule, deliveries, embedding)."""
    settings = settings or Settings()
    services = open_services(settings)
    signer = URLSafeSerializer(settings.resolved_secret_key, salt="client-id")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services.search.catch_up()  # repair anything a crash left between catalog and index
        # Other processes and machines write to the catalog too: keep this machine's
        # indexes level with it.
        follower = asyncio.create_task(_follow_catalog(services, INDEX_FOLLOW_SECONDS))
        if services.search.semantic_ready():
            # Load the model now, in the background, not on the first reader's query.
            asyncio.get_running_loop().run_in_executor(None, services.search.semantic.query_vector, "")
        consumer = None
        if embedded_worker:
            from papertide.jobs import Jobs

            consumer = Jobs(services).consumer(workers=2, embedded=True)
            consumer.start()
        yield
        follower.cancel()
        if consumer is not None:
            consumer.stop(graceful=True)

    app = FastAPI(title="papertide", version="0.1.0", lifespan=lifespan,
                  description="Trending research papers, searched by keywords and by meaning.")
    app.state.services = services
    app.state.settings = settings
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["readable"] = readable
    app.state.templates = templates

    @app.middleware("http")
    async def anonymous_client(request: Request, call_next):
        cookie = request.cookies.get(CLIENT_COOKIE)
        try:
            request.state.client_id = signer.loads(cookie) if cookie else None
        except BadSignature:
            request.state.client_id = None
        fresh = request.state.client_id is None
        if fresh:
            request.state.client_id = secrets.token_urlsafe(12)
        response = await call_next(request)
        if fresh:
            response.set_cookie(CLIENT_COOKIE, signer.dumps(request.state.client_id),
                                max_age=400 * 86400, httponly=True, samesite="lax")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if _wants_json(request):
            return JSONResponse({"error": message, "status": exc.status_code}, exc.status_code,
                                headers=getattr(exc, "headers", None))
        return templates.TemplateResponse(request, "error.html",
                                          {"status": exc.status_code, "message": message},
                                          status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        # A bad query or path parameter is a bad request (400); a body that doesn't fit
        # the schema is a validation error (422).
        in_body = any(e.get("loc", ("",))[0] == "body" for e in errors)
        status = 422 if in_body else 400
        details = [{"field": ".".join(str(p) for p in e["loc"][1:]) or e["loc"][0],
                    "message": e["msg"]} for e in errors]
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details)
        if _wants_json(request):
            return JSONResponse({"error": message, "status": status, "details": details}, status)
        return templates.TemplateResponse(request, "error.html",
                                          {"status": status, "message": message}, status_code=status)

    from papertide.web import _api, _pages, _readers

    app.include_router(_api.router)
    app.include_router(_readers.router)
    app.include_router(_pages.router)
    app.include_router(_readers.pages)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
