"""The polite HTTP client against a real local server: retries with back-off, Retry-After
(capped), truncated bodies, no retry on 4xx, the per-host interval, the User-Agent.

The interval is checked on the schedule the client keeps (`PoliteClient.turns`, the times
its requests took their turn at the host), not by timing arrivals: on a busy machine a
request may reach the server late after leaving on time, and the next one on time."""

import json
import socket

import pytest

from papertide.config import Settings
from papertide.sources import FetchError
from papertide.sources._http import PoliteClient, client_for, user_agent
from tests.sources.conftest import Reply


def test_a_truncated_body_and_a_5xx_are_retried_until_a_whole_answer_comes(server, client):
    server.route("/x", lambda p: Reply(body=b"<ok/>"))
    server.script("/x", Reply(body=b"<ok>" + b" " * 5000 + b"</ok>", truncate_at=100),
                  Reply(502, b"bad gateway", content_type="text/plain"))
    assert client.get(f"{server.url}/x").content == b"<ok/>"
    assert len(server.requests) == 3


def test_errors_that_outlast_the_retries_name_the_url_and_the_reason(server, client):
    server.route("/x", lambda p: Reply(500, b"boom", content_type="text/plain"))
    with pytest.raises(
        FetchError, match=r"/x\?q=1: HTTP 500 \(gave up after 3 attempts\)"
    ) as raised:
        client.get(f"{server.url}/x", {"q": "1"})
    assert raised.value.status == 500 and len(server.requests) == 3

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(FetchError, match="ConnectError.*gave up after 3 attempts"):
        client.get(f"http://127.0.0.1:{closed}/x")


def test_a_4xx_is_not_retried(server, client):
    server.route("/x", lambda p: Reply(404, b"no such page", content_type="text/plain"))
    with pytest.raises(FetchError, match="HTTP 404"):
        client.get(f"{server.url}/x")
    assert len(server.requests) == 1


def test_retry_after_is_honoured_but_capped(server):
    server.route("/x", lambda p: Reply(body=b"<ok/>"))
    server.script("/x", Reply(503, b"busy", {"Retry-After": "3600"}, "text/plain"))
    waits = []
    with PoliteClient(
        "t", min_interval=0, retries=2, backoff=0.01, max_wait=0.2, sleep=waits.append
    ) as polite:
        assert polite.get(f"{server.url}/x").status_code == 200
    assert waits == [0.2]


def _spacing(turns) -> list[float]:
    turns = sorted(turns)
    return [later - earlier for earlier, later in zip(turns, turns[1:], strict=False)]


# The turn file holds seconds since the epoch: a float of that size is exact to ~1e-6 s.
ROUNDING = 1e-5


def test_requests_to_one_host_keep_the_minimum_interval(server):
    server.route("/x", lambda p: Reply(body=b"<ok/>"))
    with PoliteClient("t", min_interval=0.25, retries=0) as polite:
        for _ in range(3):
            polite.get(f"{server.url}/x")
    assert len(polite.turns) == len(server.requests) == 3
    assert min(_spacing(polite.turns)) >= 0.25 - ROUNDING


def test_the_user_agent_names_papertide_and_the_contact_address(server, tmp_path):
    server.route("/x", lambda p: Reply(body=b"<ok/>"))
    settings = Settings(data_dir=tmp_path, contact_email="ops@lab.example", fetch_interval=0)
    with client_for(settings) as polite:
        polite.get(f"{server.url}/x")
    assert server.user_agents[0].startswith("papertide/")
    assert "mailto:ops@lab.example" in server.user_agents[0]
    assert "contact address not configured" in user_agent(None)


PACED_ELSEWHERE = """
import json, sys
from papertide.sources._http import PoliteClient
with PoliteClient("t", min_interval=0.4, retries=0) as polite:
    polite.get(sys.argv[1])
    print("first", flush=True)
    polite.get(sys.argv[1])
print(json.dumps(list(polite.turns)), flush=True)
"""


@pytest.mark.slow  # a second Python process starts
def test_processes_of_one_machine_share_the_interval(server):
    import subprocess
    import sys

    server.route("/x", lambda p: Reply(body=b"<ok/>"))
    other = subprocess.Popen([sys.executable, "-c", PACED_ELSEWHERE, f"{server.url}/x"],
                             stdout=subprocess.PIPE, text=True)
    assert other.stdout is not None and other.stdout.readline().strip() == "first"
    # The other process's second request and these two queue for the host's turns.
    with PoliteClient("t", min_interval=0.4, retries=0) as polite:
        for _ in range(2):
            polite.get(f"{server.url}/x")
    elsewhere = json.loads(other.stdout.readline())
    assert other.wait(60) == 0
    # Four requests to one host from two processes, each an interval after the one before.
    assert len(server.requests) == 4 and len(elsewhere) == len(polite.turns) == 2
    assert min(_spacing([*elsewhere, *polite.turns])) >= 0.4 - ROUNDING
