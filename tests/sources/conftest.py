"""A real HTTP server on 127.0.0.1 that plays recorded responses of the live sources (never
the internet), with failures on cue, and the settings and client that point papertide
at it.

    server.route("/oai", handler)                    # handler(params) -> Reply
    server.script("/oai", Reply(503, headers={"Retry-After": "1"}))   # the next answer
    server.requests                                   # [(path, params), …] as received
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from papertide.config import Settings
from papertide.services import open_services
from papertide.sources._http import PoliteClient, user_agent
from tests.helpers import FIXTURES

OAI = FIXTURES / "arxiv-oai"
API = FIXTURES / "arxiv-api"
HF = FIXTURES / "hf-daily"
# The recorded three-page harvest (trimmed to its first records, see the fixtures README):
# its real resumption tokens chain the pages.
OAI_PAGES = [(OAI / f"ListRecords_oai_dc_{i}.xml").read_bytes() for i in range(3)]
OAI_TOKENS = {"6511260|1001": 1, "6511260|2001": 2}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/xml; charset=utf-8"
    truncate_at: int | None = None  # announce the whole body, send this many bytes, hang up


Handler = Callable[[dict[str, str]], Reply]


class RecordedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.scripted: dict[str, list[Reply]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.user_agents: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handle(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the standard library names it so
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                reply = server._answer(parts.path, params, self.headers.get("User-Agent", ""))
                body = reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body if reply.truncate_at is None else body[:reply.truncate_at])
                if reply.truncate_at is not None:
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _answer(self, path: str, params: dict[str, str], agent: str) -> Reply:
        with self._lock:
            self.requests.append((path, params))
            self.user_agents.append(agent)
            queue = self.scripted.get(path)
            if queue:
                return queue.pop(0)
        handler = self.routes.get(path)
        return handler(params) if handler else Reply(404, b"not found", content_type="text/plain")

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with these, before its route answers again."""
        with self._lock:
            self.scripted.setdefault(path, []).extend(replies)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [params for p, params in self.requests if p == path]


@pytest.fixture
def server():
    recorded = RecordedServer()
    recorded.thread.start()
    yield recorded
    recorded.httpd.shutdown()
    recorded.httpd.server_close()


def oai_handler(pages: list[bytes] = OAI_PAGES, tokens: dict[str, int] = OAI_TOKENS) -> Handler:
    """arXiv's ListRecords as recorded: the first page for a new request, the page a
    resumption token names, badResumptionToken for any other token."""
    def handle(params: dict[str, str]) -> Reply:
        token = params.get("resumptionToken")
        if token is None:
            return Reply(body=pages[0])
        if token in tokens:
            return Reply(body=pages[tokens[token]])
        return Reply(body=(OAI / "error_badResumptionToken.xml").read_bytes())
    return handle


def live_settings(settings: Settings, server: RecordedServer, **extra) -> Settings:
    """`settings` with every live source's endpoint on the recorded server."""
    return settings.model_copy(update=dict(
        arxiv_oai_url=f"{server.url}/oai", arxiv_api_url=f"{server.url}/api/query",
        hf_api_url=f"{server.url}/api", contact_email="ops@example.org", fetch_interval=0,
        **extra))


@pytest.fixture
def live(settings, server):
    """Services (on each backend) pointed at the recorded server."""
    return open_services(live_settings(settings, server))


@pytest.fixture
def client():
    """The polite client with test-sized waits: retries back off 10 ms, not seconds."""
    with PoliteClient(
        user_agent("ops@example.org"), min_interval=0, retries=2, backoff=0.01
    ) as polite:
        yield polite
