"""The series papertide records as it works, one place for their names, labels and buckets.

Counters and histograms live in this process (in files under PROMETHEUS_MULTIPROC_DIR
when it is set, so that every web and worker process on a machine adds to one view);
what can be read from the database or the queue at any moment (queue depth, index lag)
is not recorded here but read at scrape time (`papertide.metrics.Snapshot`).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Seconds: a page or API answer is milliseconds to a second; a search a few ms to ~100 ms.
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

REQUESTS = Counter(
    "papertide_http_requests", "HTTP requests answered, by route template and status.",
    ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "papertide_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.", ["method", "route"],
    buckets=_REQUEST_BUCKETS)
SEARCH_SECONDS = Histogram(
    "papertide_search_duration_seconds", "Time to run a search, by the mode that ran.",
    ["mode"], buckets=_SEARCH_BUCKETS)
DELIVERIES = Counter(
    "papertide_deliveries",
    "Digest deliveries by outcome: sent, skipped (nothing new), bounced (5xx), failed (4xx or "
    "no relay after every retry), already (another sender logged it), inactive.",
    ["outcome"])
FETCHED = Counter(
    "papertide_papers_fetched",
    "Papers brought by live-source runs, by source and what became of them "
    "(added, updated, unchanged, rejected).", ["source", "outcome"])
SOURCE_RUNS = Counter(
    "papertide_source_runs", "Live-source runs, by source and how they ended (ok, failed).",
    ["source", "status"])
