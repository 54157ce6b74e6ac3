"""Search under a subscribe flood: the p50 of a keyword search while 60 clients post to
`POST /api/subscribe` as fast as they can for 20 s, beside the same search at rest, in
the same run; and the answer time of a subscribe for a subscribed address beside one for
a new address (it must not tell them apart).

`papertide serve` runs in a process of its own (the embedded setup: SQLite, the job
consumer inside, mail to the outbox) over the demo corpus, and so does the flood (asyncio
+ httpx), so that neither shares a GIL with the other or with the probe that times the
searches. Everything stays on loopback, bounded in time and in requests.

Two floods: from one address (the rate limit on subscribe requests per IP turns it away
after a few), and from a new address every request (a spread-out flood: every request
passes the IP limit and queues a mail job, which the per-address cap then drops or
sends). The server trusts 127.0.0.1 as a proxy so that the second flood and the timing
probe can name their client in X-Forwarded-For; the search limit is raised so that the
probe itself is never turned away.

    python bench/bench_flood.py [SECONDS]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import percentiles  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.services import open_services  # noqa: E402

CLIENTS = 60
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
MAX_REQUESTS = 400_000  # the flood stops at this count if the time has not run out
PROBES_AT_REST = 200
QUERIES = ["multi-agent reinforcement learning", "diffusion models", "instruction tuning",
           "graph neural networks", "speculative decoding", "model merging"]

FLOOD = r"""
import asyncio, json, random, sys, time
import httpx

url, clients, seconds, limit, spread = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
counts, sent = {}, 0

async def client(http, n):
    global sent
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and sent < limit:
        sent += 1
        headers = {"X-Forwarded-For": f"10.{n}.{sent // 250 % 250}.{sent % 250}"} if spread else {}
        body = {"email": f"victim{sent % 50}@example.org", "topics": [{"query": "spam"}]}
        try:
            r = await http.post(url + "/api/subscribe", json=body, headers=headers)
            counts[r.status_code] = counts.get(r.status_code, 0) + 1
        except httpx.HTTPError as exc:
            counts[type(exc).__name__] = counts.get(type(exc).__name__, 0) + 1

async def main():
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(http, n) for n in range(clients)))
        print(json.dumps({"counts": counts, "seconds": time.monotonic() - started}))

asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(data), "PAPERTIDE_SECRET_KEY": "bench",
           "PAPERTIDE_SEARCH_MODE": "keyword", "PAPERTIDE_TRUSTED_PROXIES": "127.0.0.1",
           "PAPERTIDE_LIMIT_SEARCHES": "1000000/minute", "PAPERTIDE_EMBED_ON_INGEST": "false"}
    server = subprocess.Popen([sys.executable, "-m", "papertide.cli", "serve", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start: " + (server.stderr.read() if server.stderr
                                                         else ""))


def search_once(http: httpx.Client, url: str, i: int) -> float:
    started = time.perf_counter()
    response = http.get(url + "/api/search", params={"q": QUERIES[i % len(QUERIES)],
                                                     "mode": "keyword", "limit": 10})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed


def probe_during(http: httpx.Client, url: str, flood: subprocess.Popen) -> list[float]:
    samples, i = [], 0
    time.sleep(1.0)  # let the flood reach full speed
    while flood.poll() is None:
        samples.append(search_once(http, url, i))
        i += 1
        time.sleep(0.02)
    return samples[:-5]  # the last ones may fall after the flood ended


def run_flood(url: str, spread: bool, target: str | None = None) -> tuple[list[float], dict]:
    """Flood `target` (by default the server searched) while timing searches on `url`."""
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, target or url, str(CLIENTS),
                              str(SECONDS), str(MAX_REQUESTS), "1" if spread else "0"],
                             stdout=subprocess.PIPE, text=True)
    with httpx.Client(timeout=60) as http:
        samples = probe_during(http, url, flood)
    out, _ = flood.communicate(timeout=SECONDS + 60)
    return samples, json.loads(out)


def subscribe_timing(url: str, known: str, rounds: int = 150) -> tuple[list[float], list[float]]:
    """Alternate a subscribed address and new ones, each from its own client address."""
    times: dict[bool, list[float]] = {True: [], False: []}
    with httpx.Client(timeout=30) as http:
        for i in range(rounds * 2):
            is_known = i % 2 == 0
            email = known if is_known else f"new{i}@example.net"
            headers = {"X-Forwarded-For": f"192.0.2.{i % 250}" if i < 250 else
                       f"198.51.100.{i % 250}"}
            started = time.perf_counter()
            r = http.post(url + "/api/subscribe", json={"email": email}, headers=headers)
            times[is_known].append(time.perf_counter() - started)
            assert r.status_code == 202, r.text
    return times[True], times[False]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="papertide-flood-"))
    data = work / "data"
    services = open_services(Settings(data_dir=data, secret_key="bench", embed_on_ingest=False))
    from importlib import resources

    demo = Path(str(resources.files("papertide") / "demo" / "trending-listing.txt"))
    ingest_files(services.catalog, [demo], "auto")
    services.search.catch_up()
    services.readers.subscribe("known@example.org", confirmed=True)
    port, other_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(data, port)
    # Another papertide process on the same machine: flooding it instead shows what the
    # flood costs the searches through the machine alone (CPU taken by the flood's
    # client and that server), as opposed to inside the server that is searched.
    other_data = work / "other"
    open_services(Settings(data_dir=other_data, secret_key="bench"))
    other = start_server(other_data, other_port)
    try:
        with httpx.Client(timeout=30) as http:
            for i in range(20):  # warm up
                search_once(http, url, i)
        print(f"server: papertide serve (embedded setup), demo corpus, keyword search; "
              f"flood: {CLIENTS} clients × {SECONDS:.0f} s on POST /api/subscribe; each "
              f"flood beside the same search at rest just before it")
        floods = (("one address", False, None), ("a new address each", True, None),
                  ("one address, at another server", False, f"http://127.0.0.1:{other_port}"))
        for label, spread, target in floods:
            with httpx.Client(timeout=30) as http:
                rest = [search_once(http, url, i) for i in range(PROBES_AT_REST)]
            rest_p50, _ = percentiles(rest)
            samples, report = run_flood(url, spread, target)
            p50, p95 = percentiles(samples)
            total = sum(v for v in report["counts"].values())
            print(f"flood from {label + ':':32s} search p50 {p50 * 1000:6.2f} ms (p95 "
                  f"{p95 * 1000:6.2f}) vs {rest_p50 * 1000:6.2f} ms at rest → "
                  f"{p50 / rest_p50:.2f}×; flood {total / report['seconds']:,.0f} req/s, "
                  f"answers {report['counts']}")
            time.sleep(2)
        known, new = subscribe_timing(url, "known@example.org")
        print(f"subscribe answer, subscribed address: p50 {statistics.median(known) * 1000:.2f} "
              f"ms; new address: p50 {statistics.median(new) * 1000:.2f} ms "
              f"({len(known)} each, alternating)")
        time.sleep(3)  # the consumer catches up with the queued mail
        mails = len(list((data / "outbox").glob("*.eml")))
        print(f"mails written to the outbox during the whole run: {mails}")
    finally:
        for process in (server, other):
            process.send_signal(signal.SIGINT)
        for process in (server, other):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
