"""`papertide serve --workers 2` on PostgreSQL: two web processes behind one port, and
nothing a reader does depends on which one answers — a session signed in through one is
signed in on the other, a vote counts once whichever takes it, a rate limit counts the
requests both took, a sign-out ends the session everywhere, and the mail a page asks for
is sent by the one embedded job consumer."""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from papertide.jobs import Jobs
from papertide.services import open_services
from tests.helpers import (
    DEMO,
    HANG,
    eventually,
    free_port,
    load,
    make_settings,
    sign_in,
    start_serve,
)

pytestmark = pytest.mark.slow  # a server of three processes starts and stops
PAPER = "t6585e84c9ec5f39"  # the demo's first paper
# Enough that both processes answer a vote before the limit does, even when one process
# takes many connections in a row on a busy machine; at 8 one process sometimes took all 8
# and the other's first answer was a 429.
VOTES_PER_MINUTE = 40


class Serving:
    """`papertide serve --workers 2` in its own process group, stopped as an operator
    stops it (SIGTERM: each web process finishes its requests and its jobs)."""

    def __init__(self, base: str, services, server: subprocess.Popen) -> None:
        self.base, self.services, self.server = base, services, server

    def stop(self) -> None:
        if self.server.poll() is not None:
            return
        os.killpg(self.server.pid, signal.SIGTERM)
        try:
            self.server.wait(HANG)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
            raise AssertionError("the server did not stop on SIGTERM") from None


@pytest.fixture
def two_processes(tmp_path: Path, postgres):
    url = postgres.empty("procs")
    settings = make_settings(tmp_path / "data", url)
    services = open_services(settings)
    load(services, DEMO)
    port = free_port()
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": url, "PAPERTIDE_SECRET_KEY": "test-secret",
           "PAPERTIDE_SEARCH_MODE": "keyword", "PAPERTIDE_EMBEDDED_WORKER": "true",
           "PAPERTIDE_LIMIT_VOTES": f"{VOTES_PER_MINUTE}/minute",
           "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{port}",
           "PAPERTIDE_QUEUE_NAME": settings.queue_name,
           "PAPERTIDE_TEST_PID_HEADER": "1"}
    server = start_serve(port, env, "--workers", "2")
    serving = Serving(f"http://127.0.0.1:{port}", services, server)
    try:
        yield serving
    finally:
        serving.stop()


def _by_process(make_request, want: int = 2, tries: int = 200) -> dict[str, httpx.Response]:
    """One answer from each web process: requests on new connections, a few at a time, until
    both processes have answered."""
    answers: dict[str, httpx.Response] = {}
    with ThreadPoolExecutor(4) as pool:
        for _ in range(tries // 4):
            for response in pool.map(lambda _: make_request(), range(4)):
                answers.setdefault(response.headers["x-served-by"], response)
            if len(answers) >= want:
                return answers
    raise AssertionError(f"only processes {sorted(answers)} answered")


@pytest.mark.parametrize("backend", ["postgres"])  # the id names the store it runs on
def test_two_web_processes_share_sessions_votes_and_limits(two_processes, backend):
    base, services = two_processes.base, two_processes.services
    browser = httpx.Client(base_url=base, timeout=30)
    csrf = sign_in(browser, services, "ada@example.org")
    cookies = dict(browser.cookies)

    def fresh(method: str, path: str, **kwargs) -> httpx.Response:
        # A new connection each time, so that either process may take it.
        with httpx.Client(base_url=base, cookies=cookies, timeout=30,
                          headers={"X-CSRF-Token": csrf}) as client:
            return client.request(method, path, **kwargs)

    # Signed in through one process, signed in on both.
    me = _by_process(lambda: fresh("GET", "/api/me"))
    assert len(me) == 2
    assert {r.status_code for r in me.values()} == {200}
    assert {r.json()["email"] for r in me.values()} == {"ada@example.org"}

    # One vote, however many processes take it.
    votes = _by_process(lambda: fresh("POST", f"/api/papers/{PAPER}/vote"))
    assert {(r.status_code, r.json()["votes"]) for r in votes.values()} == {(200, 1)}
    assert services.catalog.get(PAPER).votes == 1

    # The vote limit counts the requests both processes took.
    statuses = [fresh("POST", f"/api/papers/{PAPER}/vote").status_code
                for _ in range(VOTES_PER_MINUTE)]
    assert statuses.count(429) >= len(votes)  # the limit was reached across processes
    assert services.catalog.get(PAPER).votes == 1

    # Signed out through one, signed out on both.
    assert fresh("POST", "/logout", follow_redirects=False).status_code == 303
    gone = _by_process(lambda: fresh("GET", "/api/me"))
    assert {r.status_code for r in gone.values()} == {401}

    # A mail asked for on a page is sent, once, by the one job consumer.
    assert fresh("POST", "/api/auth/login", json={"email": "bob@example.org"}).status_code == 202
    outbox = services.settings.outbox_dir
    eventually(lambda: outbox.exists() and list(outbox.glob("*.eml")), "the sign-in mail was sent",
               every=0.2)
    eventually(lambda: Jobs(services).queue_depth() == 0, "the queue was drained", every=0.2)
    two_processes.stop()  # a job still running (a second sending) ends first
    assert len(list(outbox.glob("*.eml"))) == 1
