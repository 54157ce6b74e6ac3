"""Prometheus metrics: what an operator watches (`GET /metrics`, see README "Deployment").

    from papertide import metrics
    metrics.observe_search("hybrid", 0.012)        # as the search service does
    metrics.count_delivery("sent")                 # as a digest sender does
    body, content_type = metrics.exposition(snapshot)   # what GET /metrics answers
    metrics.serve(9101, snapshot=snapshot)         # the same, from a thread (workers)

Multi-process aware: with the environment variable PROMETHEUS_MULTIPROC_DIR set (to an
empty folder, the same for every web and worker process of a machine, before they
start), each process writes its counts to files there and `/metrics` sums them
(prometheus_client's multiprocess mode); without it, `/metrics` shows this process only.
The queue depth and the index lag are read when scraped, so every process tells the
same.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from papertide.metrics._series import (
    DELIVERIES,
    FETCHED,
    REQUEST_SECONDS,
    REQUESTS,
    SEARCH_SECONDS,
    SOURCE_RUNS,
)

__all__ = ["Snapshot", "count_delivery", "count_fetched", "exposition", "multiprocess",
           "observe_request", "observe_search", "serve"]

UNMATCHED = "(unmatched)"  # the route label of a request no route took: never the raw path


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    REQUEST_SECONDS.labels(method, route).observe(seconds)


def observe_search(mode: str, seconds: float) -> None:
    SEARCH_SECONDS.labels(mode).observe(seconds)


def count_delivery(outcome: str) -> None:
    DELIVERIES.labels(outcome).inc()


def count_fetched(source: str, status: str, counts: dict[str, int]) -> None:
    """One live-source run: its status and the papers it brought, by what became of them."""
    SOURCE_RUNS.labels(source, status).inc()
    for outcome, count in counts.items():
        FETCHED.labels(source, outcome).inc(count)


class Snapshot(Collector):
    """Gauges read at scrape time: `readings` maps a gauge's name to (help, labels, a
    function returning {label values: value}); a reading that fails is left out, so a
    queue that is down does not take the other series with it."""

    def __init__(self, readings: dict[str, tuple[str, list[str],
                                                 Callable[[], dict[tuple[str, ...], float]]]]
                 ) -> None:
        self.readings = readings

    def collect(self) -> Iterable[Any]:
        for name, (help_text, labels, read) in self.readings.items():
            try:
                values = read()
            except Exception:  # one source down (the queue): the rest still scrape
                continue
            family = GaugeMetricFamily(name, help_text, labels=labels)
            for label_values, value in values.items():
                family.add_metric(list(label_values), value)
            yield family


class _ThisProcess(Collector):
    """This process's series, as the default registry holds them."""

    def collect(self) -> Iterable[Any]:
        return REGISTRY.collect()


def _registry(snapshot: Collector | None) -> CollectorRegistry:
    """Every process's series (multi-process mode) or this one's, and the snapshot."""
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    if snapshot is not None:
        registry.register(snapshot)
    return registry


def exposition(snapshot: Collector | None = None) -> tuple[bytes, str]:
    """The text exposition: every process's series (or this one's) and the snapshot."""
    return generate_latest(_registry(snapshot)), CONTENT_TYPE_LATEST


def serve(port: int, host: str = "127.0.0.1", snapshot: Collector | None = None) -> None:
    """Serve the exposition at http://host:port/ from a thread (`papertide worker
    --metrics-port`: a machine that runs workers and no web process)."""
    start_http_server(port, addr=host, registry=_registry(snapshot))
