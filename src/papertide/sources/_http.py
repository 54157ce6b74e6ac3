"""The one HTTP client every live source uses, polite to the services it reads:

- a User-Agent naming papertide and the operator's contact address (`PAPERTIDE_CONTACT_EMAIL`),
- at least `PAPERTIDE_FETCH_INTERVAL` seconds between two requests to the same host (arXiv
  asks for 3 s), shared by every process of the machine (a lock file per host),
- timeouts, and bounded retries with exponential back-off on connection errors, 5xx and 429,
- 503 (or 429) with `Retry-After` honoured, capped at `max_wait` seconds,
- a cap on the size of a response.

    with client_for(settings) as client:
        response = client.get("https://oaipmh.arxiv.org/oai", {"verb": "Identify"})

Failures that outlast the retries raise `FetchError` with the URL and the reason.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from papertide.config import Settings
from papertide.sources._errors import FetchError, MalformedResponse

log = logging.getLogger("papertide.sources")

MAX_BYTES = 64 << 20  # an OAI-PMH page of 1,000 records is about 2.5 MB
RETRIED_STATUSES = {429, 500, 502, 503, 504}

# Per-host time of the last request, shared by all clients of this process.
_last_request: dict[str, float] = {}
_pace_lock = threading.Lock()


def user_agent(contact: str | None) -> str:
    try:
        version = metadata.version("papertide")
    except metadata.PackageNotFoundError:
        version = "dev"
    reach = f"mailto:{contact}" if contact else "contact address not configured"
    return f"papertide/{version} (self-hosted paper discovery; {reach})"


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def html_title(body: bytes) -> str:
    text = body[:4096].decode("utf-8", "replace")
    start, end = text.lower().find("<title>"), text.lower().find("</title>")
    return " ".join(text[start + 7:end].split()) if 0 <= start < end else text[:80].strip()


def refuse_html(url: str, response: httpx.Response, expected: str) -> None:
    """Raise when a service answered with an HTML page (a maintenance or error page) where
    it should have sent `expected`."""
    if looks_like_html(response.content, response.headers.get("content-type", "")):
        raise MalformedResponse(f"{url}: expected {expected}, got an HTML page "
                                f"({html_title(response.content)!r})")


class PoliteClient:
    def __init__(self, user_agent: str, min_interval: float = 3.0, retries: int = 4,
                 backoff: float = 2.0, max_wait: float = 120.0, timeout: float = 60.0,
                 max_bytes: int = MAX_BYTES, sleep: Callable[[float], None] = time.sleep,
                 budget: float | None = None) -> None:
        # `budget`: seconds for everything this client does, from its first request (a
        # web request's look-up must not wait on a third party for long); past it, the
        # request under way is cut and FetchError says the source did not answer.
        self.budget = budget
        self._deadline: float | None = None
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.requests = 0  # sent, retries included
        # When this client's latest requests took their turn at their host (the clock of
        # the turn file, `time.time`): the schedule the pacing keeps, for tests and logs.
        self.turns: deque[float] = deque(maxlen=100)
        self._http = httpx.Client(headers={"User-Agent": user_agent}, follow_redirects=True,
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)))

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        """The 2xx response for `url` (body read), after retries; FetchError otherwise."""
        shown = url + ("?" + str(httpx.QueryParams(params)) if params else "")
        if self.budget is not None and self._deadline is None:
            self._deadline = time.monotonic() + self.budget
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self._pace(url)
            self._check_budget(shown)
            try:
                response = self._fetch(url, params)
            except httpx.TransportError as exc:  # refused, reset, timed out, truncated body
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if last:
                    raise FetchError(
                        f"{shown}: {reason} (gave up after {attempt + 1} attempts)"
                    ) from exc
                self._wait(self.backoff * 2 ** attempt, f"{shown}: {reason}")
                continue
            status = response.status_code
            if status < 300:
                return response
            if status not in RETRIED_STATUSES:
                raise FetchError(f"{shown}: HTTP {status}", status, response.content)
            if last:
                raise FetchError(f"{shown}: HTTP {status} (gave up after {attempt + 1} attempts)",
                                 status, response.content)
            asked = retry_after_seconds(response.headers.get("retry-after"))
            if asked is not None and status in (429, 503):
                self._wait(
                    min(asked, self.max_wait), f"{shown}: HTTP {status}, Retry-After {asked:g} s"
                )
            else:
                self._wait(self.backoff * 2 ** attempt, f"{shown}: HTTP {status}")
        raise AssertionError("unreachable")

    def _left(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _check_budget(self, shown: str) -> None:
        left = self._left()
        if left is not None and left <= 0:
            raise FetchError(f"{shown}: no answer within {self.budget:g} s")

    def _fetch(self, url: str, params: Mapping[str, str] | None) -> httpx.Response:
        left = self._left()
        timeout = httpx.USE_CLIENT_DEFAULT if left is None else httpx.Timeout(max(left, 0.01))
        with self._http.stream("GET", url, params=params, timeout=timeout) as response:
            self.requests += 1
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url}: response larger than {self.max_bytes:,} bytes")
                self._check_budget(url)  # a body that trickles in does not stretch it
                chunks.append(chunk)
        # The body as read, already decoded from any compression, in a plain response.
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks),
                              request=response.request)

    def _wait(self, seconds: float, why: str) -> None:
        log.warning("%s; retrying in %.1f s", why, seconds)
        self.sleep(seconds)

    def _pace(self, url: str) -> None:
        """Sleep until `min_interval` has passed since the last request to this host from
        this machine: every process of it (web processes, workers, `papertide fetch`) waits
        its turn on one file per host, since a source counts requests by address, not by
        process. Where the file cannot be used, the pace is this process's own."""
        host = urlsplit(url).netloc
        if self.min_interval > 0:
            name = hashlib.sha256(host.encode()).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"papertide-pace-{os.getuid()}-{name}"
            try:
                with open(path, "a+") as turn:
                    fcntl.flock(turn.fileno(), fcntl.LOCK_EX)  # the next process queues here
                    turn.seek(0)
                    try:
                        last = float(turn.read().strip() or "-inf")
                    except ValueError:
                        last = float("-inf")
                    wait = last + self.min_interval - time.time()
                    left = self._left()
                    if left is not None and wait > left:
                        raise FetchError(f"{host}: no turn within {self.budget:g} s")
                    if wait > 0:
                        time.sleep(min(wait, self.min_interval))
                    now = time.time()
                    turn.seek(0)
                    turn.truncate()
                    turn.write(repr(now))
                    turn.flush()
                    self.turns.append(now)
                return
            except OSError:
                log.warning("pacing %s in this process only: %s is not usable", host, path)
        while True:
            with _pace_lock:
                now = time.monotonic()
                due = _last_request.get(host, float("-inf")) + self.min_interval
                if now >= due:
                    _last_request[host] = now
                    return
            time.sleep(due - now)


# What a look-up made inside a web request may spend on the source, all told.
REQUEST_BUDGET = 5.0


def request_client(settings: Settings) -> PoliteClient:
    """The client for a look-up inside a web request: no retries, everything (its turn
    behind other requests to the host included) within `REQUEST_BUDGET` seconds."""
    return client_for(settings, retries=0, budget=REQUEST_BUDGET - 0.5,
                      timeout=REQUEST_BUDGET)


def client_for(settings: Settings, **overrides: Any) -> PoliteClient:
    """The client with the settings' User-Agent and request interval (`overrides` for the
    retry and timing knobs, e.g. in tests)."""
    if not settings.contact_email:
        log.warning(
            "PAPERTIDE_CONTACT_EMAIL is not set: arXiv asks harvesters for a contact address"
        )
    options = {"min_interval": settings.fetch_interval, **overrides}
    return PoliteClient(user_agent(settings.contact_email), **options)
