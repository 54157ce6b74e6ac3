"""Exactly once under races: four senders over the same 200 readers — four `papertide
digest run --now` started together, or four `papertide worker` processes taking every
reader's delivery job four times over from Redis — leave each reader with one digest.

What makes it hold is the delivery log's unique key per (reader, edition), written before
the final dot of the SMTP transaction: the sender that loses the insert drops its
connection without the dot, so the relay throws its copy away."""

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from papertide.db.tables import deliveries
from papertide.jobs import Jobs
from papertide.services import open_services
from tests.helpers import HANG, eventually, mail_settings

pytestmark = pytest.mark.slow  # 30-60 s each on a busy 2-core machine: process start-ups
READERS = 200
SENDERS = 4


def _env(settings):
    return {**os.environ, "PAPERTIDE_DATA_DIR": str(settings.data_dir),
            "PAPERTIDE_DATABASE_URL": settings.resolved_database_url,
            "PAPERTIDE_SECRET_KEY": "test-secret", "PAPERTIDE_SMTP_URL": settings.smtp_url,
            "PAPERTIDE_SEND_RATE": "0", "PAPERTIDE_SEARCH_MODE": "keyword",
            "PAPERTIDE_BASE_URL": settings.base_url, "PAPERTIDE_EMBED_ON_INGEST": "0",
            "PAPERTIDE_QUEUE_URL": settings.queue_url or "",
            "PAPERTIDE_QUEUE_NAME": settings.queue_name}


def _papertide(settings, *args):
    env = _env(settings)
    if not settings.queue_url:
        del env["PAPERTIDE_QUEUE_URL"]
    return subprocess.Popen([sys.executable, "-m", "papertide.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _readers(settings, demo_snapshot):
    services = demo_snapshot.restore(open_services(settings))
    for i in range(READERS):
        services.readers.subscribe(f"racer{i:03d}@example.org", confirmed=True)
    return services


def _assert_each_reader_got_one(services, smtp_server):
    messages = smtp_server.recorder.messages
    recipients = [m["To"] for m in messages]
    assert len(recipients) == READERS, f"{len(recipients)} messages for {READERS} readers"
    assert len(set(recipients)) == READERS
    assert len({m["Message-ID"] for m in messages}) == READERS
    with services.catalog.engine.connect() as conn:
        rows = dict(conn.execute(select(deliveries.c.status, func.count())
                                 .group_by(deliveries.c.status)).all())
    assert rows == {"sent": READERS}


def test_four_digest_runs_started_together_send_each_digest_once(settings, smtp_server,
                                                                 demo_snapshot):
    settings = mail_settings(settings, smtp_server)
    services = _readers(settings, demo_snapshot)
    senders = [_papertide(settings, "digest", "run", "--now") for _ in range(SENDERS)]
    outputs = [s.communicate(timeout=2 * HANG)[0].decode() for s in senders]
    assert [s.returncode for s in senders] == [0] * SENDERS, outputs
    _assert_each_reader_got_one(services, smtp_server)
    # Every reader was handled by one sender or found done by the others.
    assert sum(int(out.rsplit("sent: ", 1)[1].split()[0].rstrip(","))
               for out in outputs if "sent: " in out) == READERS


def test_four_workers_racing_over_redis_send_each_digest_once(settings, smtp_server,
                                                              demo_snapshot, redis_url):
    settings = mail_settings(settings, smtp_server, queue_url=redis_url)
    services = _readers(settings, demo_snapshot)
    jobs = Jobs(services)
    due = services.digests.due(everyone=True)
    assert len(due) == READERS
    for reader_id, key in due:  # each reader's job four times in a row: they race
        for _ in range(SENDERS):
            jobs.deliver_digest(reader_id, key)
    workers = [_papertide(settings, "worker", "--workers", "1") for _ in range(SENDERS)]
    try:
        eventually(lambda: not jobs.queue_depth()
                   and len(smtp_server.recorder.messages) >= READERS,
                   "the workers took every job", within=2 * HANG, every=0.2)
    finally:
        # SIGINT stops a worker gracefully: the jobs it runs end first, so a late
        # duplicate would have reached the relay by the time every worker has exited.
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            try:
                worker.wait(timeout=HANG)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert jobs.queue_depth() == 0
    _assert_each_reader_got_one(services, smtp_server)
