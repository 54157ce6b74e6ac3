"""Throughput under a mixed load: requests/s and p50/p95 of 50 clients doing searches
(hybrid, query embedding included), paper look-ups, trending pages and votes, against
`papertide serve` with 1 and 2 web processes, on SQLite and on PostgreSQL (+ Redis), at
100,000 papers.

Each configuration runs in its own server process tree, and the load in another process
(asyncio + httpx, bounded: a fixed duration and at most `MAX_REQUESTS`), all on loopback.
The machine has 2 cores and the load generator takes its share of them: the figures are
for the whole machine, load included. Each configuration runs `RUNS` short runs and the
median run (by requests/s) is reported, since the machine is shared with other work.

The baseline is measured in the same run: the same load against the source tree given
with `--baseline-src` (default `bench/.cache/baseline-src` when it exists; e.g. an export of the commit before this work: `git archive
d271562 | tar -x -C bench/.cache/baseline-src`), one process, on the same stores (the schema
revision recorded is set to the one that tree knows while it serves, and back after).

Data: the real arXiv sample repeated with perturbed ids to 100,000 papers (generated text
without `../shared/data`), with the sample's precomputed embeddings where present (the
copies reuse their original's vector), else generated vectors. The stores are built once
and kept: `bench/.cache/load-N-sqlite/` and the PostgreSQL database `papertide_bench_load_N`.

    python bench/bench_load.py [--seconds 10] [--runs 3] [--backends sqlite,postgres]
                               [--processes 1,2] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, SAMPLE, mixed_vectors, queries, records, seed_vectors  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.intake import IngestReport, ingest_records  # noqa: E402
from papertide.services import Services, open_services  # noqa: E402
from papertide.sources import read_file  # noqa: E402

CLIENTS = 50
MAX_REQUESTS = 200_000
PG_ADMIN = os.environ.get("PAPERTIDE_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("PAPERTIDE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
READERS = 200
# The mix: (kind, weight).
MIX = [("search", 40), ("paper", 25), ("trending", 20), ("vote", 15)]
EMBEDDINGS = SAMPLE.parent / "embeddings-minilm-default-f16.npy"

LOAD = r"""
import asyncio, json, random, sys, time
import httpx

url, clients, seconds, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
plan = json.loads(sys.stdin.read())
ids, qs, tokens, mix = plan["ids"], plan["queries"], plan["tokens"], plan["mix"]
kinds = [k for k, w in mix for _ in range(w)]
lat = {k: [] for k, _ in mix}
codes, pids = {}, set()
sent = 0

async def client(http, n):
    global sent
    rng = random.Random(n)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and sent < limit:
        sent += 1
        kind = rng.choice(kinds)
        # Queries repeat as real ones do: a few often, most rarely (Zipf-like).
        if kind == "search":
            q = qs[min(int(rng.paretovariate(1.0)) - 1, len(qs) - 1)]
            req = http.get(url + "/api/search", params={"q": q, "limit": 10})
        elif kind == "paper":
            req = http.get(url + "/api/papers/" + rng.choice(ids))
        elif kind == "trending":
            req = http.get(url + "/api/trending", params={"window": "week", "limit": 20})
        else:
            req = http.post(url + "/api/papers/" + rng.choice(ids) + "/vote",
                            headers={"Authorization": "Bearer " + rng.choice(tokens)})
        started = time.perf_counter()
        try:
            r = await req
            codes[r.status_code] = codes.get(r.status_code, 0) + 1
            if r.status_code == 200:
                lat[kind].append(time.perf_counter() - started)
        except httpx.HTTPError as exc:
            codes[type(exc).__name__] = codes.get(type(exc).__name__, 0) + 1

async def main():
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        started = time.monotonic()
        await asyncio.gather(*(client(http, n) for n in range(clients)))
        took = time.monotonic() - started
    print(json.dumps({"lat": lat, "codes": {str(k): v for k, v in codes.items()},
                      "seconds": took}))

asyncio.run(main())
"""


# ---- the stores ------------------------------------------------------------------------

def _pg_url(n: int) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"papertide_bench_load_{n}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def store_settings(backend: str, n: int) -> Settings:
    data = CACHE / f"load-{n}-{backend}"
    url = _pg_url(n) if backend == "postgres" else None
    return Settings(data_dir=data, database_url=url, search_mode="hybrid",
                    embed_on_ingest=False, secret_key="bench-secret")


def _store_vectors(services: Services, n: int) -> None:
    """The papers' vectors: the sample's precomputed embeddings (copies share their
    original's), else generated ones."""
    import numpy as np

    semantic = services.search.semantic
    with services.catalog.engine.connect() as conn:
        from sqlalchemy import select

        from papertide.db.tables import papers
        rows = conn.execute(select(papers.c.id, papers.c.arxiv_id, papers.c.text_hash)).all()
    base_ids = [r["id"] for r in records(min(n, 74_728))[0]] if EMBEDDINGS.exists() else []
    if base_ids:
        matrix = np.load(EMBEDDINGS).astype(np.float32)
        position = {pid: i for i, pid in enumerate(base_ids)}

        def vector_of(arxiv: str | None, i: int) -> np.ndarray:
            key = arxiv or ""
            if key in position:
                return matrix[position[key]]
            suffix = key.rsplit(".", 1)[-1]
            return matrix[int(suffix) % len(matrix)] if suffix.isdigit() else matrix[i % len(matrix)]
        vectors = [vector_of(r.arxiv_id, i) for i, r in enumerate(rows)]
    else:
        vectors = list(mixed_vectors(seed_vectors(), len(rows)))
    for start in range(0, len(rows), 10_000):
        chunk = list(zip(rows[start:start + 10_000], vectors[start:start + 10_000], strict=True))
        semantic.store.save([(r.id, semantic.embedder.name, r.text_hash, v) for r, v in chunk])


def build_store(backend: str, n: int) -> Settings:
    settings = store_settings(backend, n)
    services = open_services(settings)
    if services.catalog.stats()["papers"] < n:
        rows, origin = records(n)
        path = CACHE / f"load-{n}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
        print(f"  {backend}: building {n:,} papers from {origin} …", flush=True)
        started = time.perf_counter()
        with services.search.feeding() as feed:
            ingest_records(services.catalog, read_file(path, "auto"), IngestReport(),
                           on_changed=feed)
        path.unlink()
        print(f"  {backend}: catalog in {time.perf_counter() - started:.0f} s", flush=True)
    if services.search.semantic.store.count() < n:
        started = time.perf_counter()
        _store_vectors(services, n)
        print(f"  {backend}: vectors stored in {time.perf_counter() - started:.0f} s", flush=True)
    services.search.catch_up()
    tokens_file = settings.data_dir / "bench-tokens.json"
    if not tokens_file.exists():
        tokens = []
        for i in range(READERS):
            reader, _ = services.readers.subscribe(f"load{i}@example.org", [], confirmed=True)
            tokens.append(services.readers.accounts.create_api_token(reader.id, "bench"))
        tokens_file.write_text(json.dumps(tokens))
    return settings


def plan_for(settings: Settings) -> dict:
    from sqlalchemy import select

    from papertide.db import connect
    from papertide.db.tables import papers

    with connect(settings.resolved_database_url).connect() as conn:
        ids = list(conn.execute(select(papers.c.id).limit(20_000)).scalars())
    tokens = json.loads((settings.data_dir / "bench-tokens.json").read_text())
    return {"ids": ids, "queries": queries(3000, seed=23), "tokens": tokens, "mix": MIX}


def reset_engagement(settings: Settings) -> None:
    """Every run starts from the same engagement: none."""
    from sqlalchemy import text, update

    from papertide.db import connect
    from papertide.db.tables import events, papers

    engine = connect(settings.resolved_database_url)
    with engine.begin() as conn:
        conn.execute(events.delete())
        conn.execute(update(papers).where(papers.c.votes > 0).values(votes=0))
        conn.execute(text("DELETE FROM rate_limits"))


# ---- one run ---------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(settings: Settings, backend: str, processes: int, source: Path | None,
          port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update({
        "PAPERTIDE_DATA_DIR": str(settings.data_dir), "PAPERTIDE_SECRET_KEY": "bench-secret",
        "PAPERTIDE_SEARCH_MODE": "hybrid", "PAPERTIDE_EMBEDDED_WORKER": "false",
        "PAPERTIDE_LIMIT_SEARCHES": "1000000/minute", "PAPERTIDE_LIMIT_PAGES": "1000000/minute",
        "PAPERTIDE_LIMIT_VOTES": "1000000/minute", "HF_HUB_OFFLINE": "1",
    })
    if settings.database_url:
        env["PAPERTIDE_DATABASE_URL"] = settings.database_url
    if backend == "postgres":
        env["PAPERTIDE_QUEUE_URL"] = REDIS
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    command = [sys.executable, "-m", "papertide.cli", "serve", "--port", str(port)]
    if processes > 1:
        command += ["--workers", str(processes)]
    log = open(CACHE / "bench_load-server.log", "ab")  # noqa: SIM115 (the server's life)
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log,
                            start_new_session=True)


def wait_ready(url: str, proc: subprocess.Popen, plan: dict) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: see {CACHE / 'bench_load-server.log'}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    # Warm every process: the model loads, the first queries compile, pools fill.
    with httpx.Client(timeout=60) as http:
        for q in plan["queries"][:40]:
            http.get(url + "/api/search", params={"q": q + " warm", "limit": 10})
            http.get(url + "/api/trending")


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of this process group."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_load(url: str, plan: dict, seconds: float, pgid: int) -> dict:
    cpu_before = group_cpu(pgid)
    out = subprocess.run([sys.executable, "-c", LOAD, url, str(CLIENTS), str(seconds),
                          str(MAX_REQUESTS)], input=json.dumps(plan), capture_output=True,
                         text=True, check=True)
    cpu = group_cpu(pgid) - cpu_before
    result = json.loads(out.stdout)
    every = [t for kind in result["lat"].values() for t in kind]
    ok = len(every)
    ordered = sorted(every)
    return {
        "rps": ok / result["seconds"],
        "p50": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95": ordered[int(len(ordered) * 0.95)] * 1000 if ordered else float("nan"),
        "by_kind": {k: round(statistics.median(v) * 1000, 1) if v else None
                    for k, v in result["lat"].items()},
        "codes": result["codes"],
        # Requests per CPU second of the server processes: what the machine's other work
        # cannot change as much as it changes requests/s.
        "per_cpu_s": ok / cpu if cpu else float("nan"),
    }


@contextmanager
def schema_of(settings: Settings, source: Path | None) -> Iterator[None]:
    """While an older source tree serves the store: the schema revision it knows is the one
    recorded (newer tables are there, unused by it), and the current one again after."""
    if source is None:
        yield
        return
    from sqlalchemy import text

    from papertide.db import connect

    versions = sorted((source / "src/papertide/db/migrations/versions").glob("*.py"))
    head = re.search(r"^revision = '([^']+)'", versions[-1].read_text(), re.M)
    assert head is not None
    engine = connect(settings.resolved_database_url)
    with engine.begin() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head.group(1)})
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})


def measure(settings: Settings, backend: str, processes: int, source: Path | None,
            seconds: float, runs: int, plan: dict) -> dict:
    with schema_of(settings, source):
        return _measure(settings, backend, processes, source, seconds, runs, plan)


def _measure(settings: Settings, backend: str, processes: int, source: Path | None,
             seconds: float, runs: int, plan: dict) -> dict:
    results = []
    for _ in range(runs):
        reset_engagement(settings)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = serve(settings, backend, processes, source, port)
        try:
            wait_ready(url, proc, plan)
            results.append(run_load(url, plan, seconds, proc.pid))
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    results.sort(key=lambda r: r["rps"])
    median = results[len(results) // 2]
    median["all_rps"] = [round(r["rps"], 1) for r in results]
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--baseline-src", type=Path,
                        default=CACHE / "baseline-src" if (CACHE / "baseline-src").exists()
                        else None)
    parser.add_argument("--prepare-only", action="store_true")
    args = parser.parse_args()
    rows = []
    for backend in args.backends.split(","):
        settings = build_store(backend, args.papers)
        if args.prepare_only:
            continue
        plan = plan_for(settings)
        configs: list[tuple[str, int, Path | None]] = []
        if args.baseline_src:
            configs.append(("baseline", 1, args.baseline_src.resolve()))
        configs += [("papertide", int(p), None) for p in args.processes.split(",")]
        for label, processes, source in configs:
            r = measure(settings, backend, processes, source, args.seconds, args.runs, plan)
            rows.append((backend, label, processes, r))
            print(f"{backend:8} {label:9} {processes} proc: {r['rps']:7.1f} req/s  "
                  f"p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
                  f"{r['per_cpu_s']:5.1f} req/CPU-s  runs {r['all_rps']}  "
                  f"by kind p50 {r['by_kind']}  codes {r['codes']}", flush=True)
    for backend in args.backends.split(","):
        mine = {(label, p): r for b, label, p, r in rows if b == backend}
        base = mine.get(("baseline", 1))
        one, two = mine.get(("papertide", 1)), mine.get(("papertide", 2))
        if base and one:
            print(f"{backend}: 1 process {one['rps'] / base['rps']:.2f}× the baseline's req/s "
                  f"(p95 {one['p95']:.0f} vs {base['p95']:.0f} ms)")
        if one and two:
            print(f"{backend}: 2 processes {two['rps'] / one['rps']:.2f}× 1 process")
        if base and two:
            print(f"{backend}: 2 processes {two['rps'] / base['rps']:.2f}× the baseline")


if __name__ == "__main__":
    main()
