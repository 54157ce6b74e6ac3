"""Digest fan-out over PostgreSQL + Redis with 1, 2 and 4 `papertide worker` processes:
every reader's delivery job is queued in Redis, the workers take them and send to a local
SMTP sink (aiosmtpd in its own process), and the run ends when the delivery log holds a
row per reader. Prints digests per second per worker count and the speed-up over one
worker; the baseline in the same run is one process sending the same edition without
the queue (`papertide digest run`'s path, one composer shared by all readers).

The catalog is the keyword benchmark's cached SQLite catalog, moved to a PostgreSQL
database of its own with `copy_store` (what `papertide migrate-store` runs; its time is
printed too); the workers read the cached keyword index. Keyword search composes the
topics (each worker would otherwise load the embedding model first). Readers have three
topics each from a pool of 300 queries made from real titles.

    python bench/bench_fanout_workers.py [READERS] [PAPERS]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import subscribe_readers  # noqa: E402
from bench_fanout import free_port, start_sink  # noqa: E402
from bench_keyword import catalog_of  # noqa: E402
from sqlalchemy import create_engine, delete, func, select, text  # noqa: E402

from papertide.catalog import utcnow  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.db import connect, copy_store, dispose_all  # noqa: E402
from papertide.db.tables import deliveries, readers, sent_papers  # noqa: E402
from papertide.jobs import Jobs  # noqa: E402
from papertide.services import open_services  # noqa: E402

ADMIN = os.environ.get("PAPERTIDE_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/postgres")
REDIS = os.environ.get("PAPERTIDE_BENCH_REDIS", "redis://127.0.0.1:6379/14")
DATABASE = "papertide_bench_fanout"
WORKERS = (1, 2, 4)


def fresh_database() -> str:
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}"


def delivered(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(deliveries)).scalar_one()


def forget_the_edition(engine) -> None:
    """The next run sends the same edition again: no delivery row, no paper sent."""
    with engine.begin() as conn:
        conn.execute(delete(sent_papers))
        conn.execute(delete(deliveries))
        conn.execute(readers.update().values(last_edition=None, last_sent_at=None))


def run_workers(settings: Settings, services, n_workers: int, n_readers: int) -> dict:
    jobs = Jobs(services)
    jobs.huey.flush()
    key = utcnow().date().isoformat()
    for reader_id, _ in services.digests.due(everyone=True):
        jobs.deliver_digest(reader_id, key)
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": settings.resolved_database_url,
           "PAPERTIDE_INDEX_DIR": str(settings.resolved_index_dir),
           "PAPERTIDE_SECRET_KEY": "bench", "PAPERTIDE_SMTP_URL": settings.smtp_url,
           "PAPERTIDE_SEND_RATE": "0", "PAPERTIDE_SEARCH_MODE": "keyword",
           "PAPERTIDE_QUEUE_URL": REDIS, "PAPERTIDE_QUEUE_NAME": settings.queue_name,
           "PAPERTIDE_BASE_URL": settings.base_url, "PAPERTIDE_EMBED_ON_INGEST": "0"}
    engine = services.catalog.engine
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-m", "papertide.cli", "worker", "--workers", "1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(n_workers)]
    first = None
    try:
        while (done := delivered(engine)) < n_readers:
            if done and first is None:
                first = (time.perf_counter(), done)
            if time.perf_counter() - started > 900:
                raise RuntimeError(f"only {done} of {n_readers} delivered in 900 s")
            time.sleep(0.05)
        ended = time.perf_counter()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert first is not None
    steady = (n_readers - first[1]) / (ended - first[0])
    return {"wall": ended - started, "rate": n_readers / (ended - started), "steady": steady,
            "start": first[0] - started}


def main(n_readers: int = 2000, n_papers: int = 20_000) -> None:
    base = catalog_of(n_papers)
    port = free_port()
    sink = start_sink(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_database()
            print(f"  copying the {n_papers:,}-paper catalog to PostgreSQL …", flush=True)
            started = time.perf_counter()
            report = copy_store(base.catalog.engine, connect(url), batch_size=1000)
            copy_seconds = time.perf_counter() - started
            assert not report.mismatches()
            settings = Settings(data_dir=Path(tmp), database_url=url,
                                index_dir=base.settings.resolved_index_dir, secret_key="bench",
                                smtp_url=f"smtp://127.0.0.1:{port}", send_rate=0,
                                search_mode="keyword", queue_url=REDIS,
                                queue_name=f"papertide-bench-{os.getpid()}",
                                base_url="https://papers.example.org")
            services = open_services(settings)
            subscribe_readers(services, n_readers)
            # Baseline: one process, no queue, one composer for the whole edition.
            started = time.perf_counter()
            counts = services.digests.run(utcnow(), everyone=True)
            single = time.perf_counter() - started
            assert counts.get("sent", 0) + counts.get("skipped", 0) == n_readers, counts
            services.digests.close()
            results = {}
            for n in WORKERS:
                forget_the_edition(services.catalog.engine)
                print(f"  {n} worker(s) …", flush=True)
                results[n] = run_workers(settings, services, n, n_readers)
            Jobs(services).huey.flush()
    finally:
        sink.terminate()
        dispose_all()
    print(f"digest fan-out over PostgreSQL + Redis: {n_readers:,} readers × 3 topics (pool of 300), "
          f"{n_papers:,} papers, keyword topics, SMTP sink on loopback, {os.cpu_count()} cores")
    print(f"  baseline: one process without the queue (digest run): {n_readers / single:,.0f} digests/s "
          f"({single:.1f} s; outcomes {counts})")
    one = results[1]["rate"]
    for n, r in results.items():
        print(f"  {n} worker process(es): {r['rate']:,.0f} digests/s = {r['rate'] / one:.2f}× one worker "
              f"(wall {r['wall']:.1f} s, first delivery after {r['start']:.1f} s; "
              f"steady state {r['steady']:,.0f}/s = {r['steady'] / results[1]['steady']:.2f}×)")
    print("  goal: ≥ 1.7× from 1 to 2 workers")
    rows = sum(t.source_rows for t in report.tables)
    print(f"  migrate-store (copy_store) SQLite → PostgreSQL: {rows:,} rows in {copy_seconds:.1f} s "
          f"= {rows / copy_seconds:,.0f} rows/s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
