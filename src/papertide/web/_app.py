"""Application assembly: settings, services, middleware, error handlers and the routes.

Routes (pages in `_pages.py`, JSON in `_api.py`, reader pages and API in `_readers.py`):

    GET  /                         trending papers, window tabs
    GET  /search                   search page with filters
    GET  /papers/{id}              paper page (counts a view), vote button
    POST /papers/{id}/vote         vote from the page (form or htmx; signed in)
    GET  /abs/{arxiv id}  /pdf/…  /html/…   301 to the paper page (arXiv's paths, host swapped)
    GET  /api/papers               GET /api/papers/{id}   GET /api/search   GET /api/trending
    POST /api/papers/{id}/vote     DELETE /api/papers/{id}/vote   (signed in)
    POST /subscribe  POST /api/subscribe        double opt-in subscription (queued mail)
    GET  /confirm  GET|POST /preferences  GET|POST /unsubscribe   (signed links from mails)
    GET  /digest/preview           the next edition, unsent
    GET|POST /login  POST /api/auth/login  GET|POST /auth/signin  POST /logout   (`_accounts.py`)
    GET  /account  …               sessions, API tokens, subscription;  GET /api/me
    GET  /admin  GET /outbox  GET /outbox/{name}    admins only (404 for everyone else)
    GET  /daily  GET /daily/{day}  one announcement day's papers   (`_daily.py`)
    GET  /api/daily  GET /api/daily/{day}
    GET  /feeds/trending.atom  /feeds/daily.atom  /feeds/search.atom   Atom (`_feeds.py`)
    GET  /feeds/private/{secret}.atom   a reader's private feeds, made on /library and at
         /api/me/feeds (`_private_feeds.py`)
    POST /fetch/arxiv              fetch a paper the catalog lacks from arXiv (`_fetch.py`)
    GET  /healthz                  GET /docs (OpenAPI, Swagger UI served from a package: `_docs.py`)
    GET  /metrics                  Prometheus, loopback or token only (`_metrics.py`)
    POST /mcp                      the MCP server for assistants, streamable HTTP (`_mcp.py`)

At the edge (outermost first): request metrics (`_metrics.py`), the body limit, the guard
that resolves the signed-in reader and refuses forged or cross-site requests
(`_security.py`), the rate-limit gate (`_ratelimits.py`, where each limited route is
declared) and the browser cookie.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import IO, Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide import __version__
from papertide._filelock import try_lock
from papertide.catalog import readable
from papertide.config import Settings
from papertide.jobs import Jobs
from papertide.library import apa, bibtex
from papertide.mathtext import to_html, to_plain
from papertide.services import Services, open_services
from papertide.startup import load_settings, settings_or_exit
from papertide.web import (
    _accounts,
    _admin,
    _api,
    _cards,
    _daily,
    _docs,
    _errors,
    _feeds,
    _fetch,
    _library,
    _mcp,
    _me,
    _metrics,
    _next,
    _pages,
    _private_feeds,
    _readers,
)
from papertide.web._caching import CachePolicy, versioned
from papertide.web._links import linkify
from papertide.web._middleware import BodyLimit, ClientCookie
from papertide.web._ratelimits import RateLimitGate, limit_for
from papertide.web._security import Guard

HERE = Path(__file__).parent
CONSUMER_LOCK = "embedded-consumer.lock"
log = logging.getLogger(__name__)


def _take_consumer_lock(settings: Settings) -> IO[str] | None:
    """The right to run the embedded job consumer, for one process of this data dir (with
    `serve --workers N` every web process starts here; one consumer is enough, and the
    SQLite queue wants no more). Held until the process exits; None if another has it."""
    return try_lock(settings.data_dir / CONSUMER_LOCK)


def _lifespan(services: Services, jobs: Jobs, embedded_worker: bool,
              mcp_sessions: Callable[[], AbstractAsyncContextManager[None]]
              ) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:  # repair anything a crash left between catalog and index
            await asyncio.to_thread(services.search.catch_up)
        except Exception:  # serve anyway: the follower below retries
            log.exception("catching the search indexes up at start-up failed")
        # Other processes and machines write to the catalog too: one process of this
        # machine keeps its indexes level with it, the others re-open what it wrote.
        follower = services.search.follower()
        follower.start()
        if services.search.semantic_ready():
            # Load the model now, in the background, not on the first reader's query.
            asyncio.get_running_loop().run_in_executor(
                None, services.search.semantic.embedder.embed, ["warm up"])
        consumer, held = None, None
        if embedded_worker and (held := _take_consumer_lock(services.settings)) is not None:
            consumer = jobs.consumer(workers=2, embedded=True)
            consumer.start()
        async with mcp_sessions():
            yield
        await asyncio.to_thread(follower.stop)
        if consumer is not None:
            consumer.stop(graceful=True)
        if held is not None:
            held.close()

    return lifespan


@pass_context
def _static_versioned_url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """The templates' `url_for`, with a static file's version in its address (see
    `_caching`). A path: the absolute URL takes its host from the request's Host header, so
    a forged one put another site's scripts in a page that a cache could keep."""
    url = context["request"].url_for(name, **params).path
    return versioned(url, params["path"]) if name == "static" and "path" in params else url


def create_app(settings: Settings | None = None, embedded_worker: bool = False,
               immediate_jobs: bool = False) -> FastAPI:
    """The app. With `embedded_worker` it also runs the job consumer in threads (the
    embedded default of `papertide serve`: schedule, deliveries, embedding, mails asked
    for on the pages); `immediate_jobs` runs each job inside the call that enqueues it
    (huey's immediate mode: tests of a web flow that ends in a mail)."""
    settings = settings or load_settings()
    services = open_services(settings)
    jobs = Jobs(services, immediate=immediate_jobs)
    mcp = _mcp.McpOverHttp(services)
    app = FastAPI(title="papertide", version=__version__,
                  lifespan=_lifespan(services, jobs, embedded_worker, mcp.sessions),
                  docs_url=None, redoc_url=None,  # FastAPI's load from a CDN: see _docs.py
                  description="Trending research papers, searched by keywords and by meaning.")
    app.state.services = services
    app.state.settings = settings
    app.state.jobs = jobs
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["readable"] = readable
    templates.env.filters["linkify"] = linkify
    templates.env.globals["in_library"] = _library.in_library
    templates.env.globals.update(signals_of=_cards.signals_of, hf_url=_cards.hf_url,
                                 arxiv_links=_cards.arxiv_links, count=_cards.count,
                                 has_voted=_cards.has_voted, cite_bibtex=bibtex, cite_apa=apa,
                                 category_name=_cards.category_name,
                                 login_url=_next.login_url)
    templates.env.filters["arxiv_categories"] = _cards.arxiv_categories
    templates.env.globals["url_for"] = _static_versioned_url_for
    # Titles and abstracts: math as MathML (`math`, `math_links` with linked addresses), or
    # as Unicode where markup cannot go (`plain`: <title>, truncated card text).
    templates.env.filters["math"] = to_html
    templates.env.filters["math_links"] = lambda text: to_html(text, linkify)
    templates.env.filters["plain"] = to_plain
    app.state.templates = templates

    _errors.install(app, rate_limited=limit_for)
    app.include_router(_api.router)
    app.include_router(_daily.api)
    app.include_router(_feeds.router)
    app.include_router(_private_feeds.feeds)
    app.include_router(_private_feeds.api)
    app.include_router(_private_feeds.pages)
    app.include_router(_daily.pages)
    app.include_router(_fetch.router)
    app.include_router(_me.router)
    app.include_router(_library.pages)
    app.include_router(_readers.router)
    app.include_router(_accounts.router)
    app.include_router(_pages.router)
    app.include_router(_readers.pages)
    app.include_router(_accounts.pages)
    app.include_router(_admin.pages)
    app.include_router(_metrics.router)
    mcp.install(app)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _docs.install(app)
    secure = settings.base_url.startswith("https://")
    app.add_middleware(ClientCookie, secret_key=settings.resolved_secret_key, secure=secure)
    app.add_middleware(RateLimitGate, limits=services.limits)
    app.add_middleware(Guard, accounts=services.readers.accounts, settings=settings)
    app.add_middleware(CachePolicy)
    # Level 6, not Starlette's 9: htmx compresses to 16,896 bytes at 6 and 16,873 at 9,
    # and the lower level costs less CPU on every page.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(_metrics.RequestMetrics)  # outermost: times every answer, 413s too
    return app


SWITCH_INTERVAL = 0.0002  # seconds


def serve_app() -> FastAPI:
    """The app as `papertide serve` runs it, in each of its web processes (uvicorn calls
    this factory in every worker): settings from the environment, the embedded consumer
    in one process at most.

    The event loop thread and the threads running requests share the GIL. A request
    thread gives it up at every database call, and a busy event loop (a flood) then keeps
    it for a whole switch interval before handing it back: 5 ms by default, which made a
    search under a subscribe flood 3-4× slower; at 0.2 ms it is under 2×
    (bench/bench_flood.py). Set here, not in the command, because each worker is a new
    interpreter."""
    sys.setswitchinterval(SWITCH_INTERVAL)
    settings = settings_or_exit()  # uvicorn run by hand: the same door as the CLI's
    app = create_app(settings, embedded_worker=settings.uses_embedded_worker)
    if os.environ.get(PID_HEADER_ENV):
        app.add_middleware(_ServedBy)
    return app


# Tests of many web processes need to see which process answered; nothing else does, so
# the header is there only when this variable is set (not a setting: not for operators).
PID_HEADER_ENV = "PAPERTIDE_TEST_PID_HEADER"


class _ServedBy:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_pid(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append(
                    (b"x-served-by", str(os.getpid()).encode()))
            await send(message)

        await self.app(scope, receive, send_with_pid)
