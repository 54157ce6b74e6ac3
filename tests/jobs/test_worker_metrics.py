"""`papertide worker --metrics-port`: a machine with workers and no web process still
shows Prometheus what its workers do (deliveries) and the queue depth."""

import os
import signal
import subprocess
import sys

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from papertide.jobs import Jobs
from papertide.services import open_services
from tests.helpers import HANG, eventually, free_port


def _series(port):
    text = httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.mark.slow  # a worker process starts: ~10 s on a busy machine
def test_a_worker_serves_its_metrics_on_loopback(settings, queue_url):
    settings = settings.model_copy(update={"queue_url": queue_url})
    jobs = Jobs(open_services(settings))
    for reader_id in (101, 102):  # no such readers: each job ends "inactive"
        jobs.deliver_digest(reader_id, "2026-11-24")
    port = free_port()
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": settings.resolved_database_url,
           "PAPERTIDE_SECRET_KEY": "test-secret", "PAPERTIDE_SEARCH_MODE": "keyword",
           "PAPERTIDE_QUEUE_NAME": settings.queue_name}
    if queue_url:
        env["PAPERTIDE_QUEUE_URL"] = queue_url
    worker = subprocess.Popen([sys.executable, "-m", "papertide.cli", "worker", "--workers", "1",
                               "--metrics-port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def both_delivered() -> dict:
            try:
                series = _series(port)
            except httpx.HTTPError:  # not listening yet
                return {}
            inactive = series.get(("papertide_deliveries_total", (("outcome", "inactive"),)))
            return series if inactive == 2 else {}

        series = eventually(both_delivered, "the worker counted both jobs", every=0.3)
        assert series.get(("papertide_deliveries_total", (("outcome", "inactive"),))) == 2
        assert series.get(("papertide_queue_depth", ())) == 0
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=HANG)
