"""The daily view at scale: one announcement day of 2,000 papers among N (default 100,000,
50 days of 2,000), with Hugging Face upvotes on 50 of each day's papers and reader votes,
ranked trending first, whole and filtered to one category; beside it, in the same run,
the indexed "newest first" page (`Catalog.newest`) and the trending page of the week.
Medians and 95th percentiles of 30 requests each, SQLite in a fresh data dir.

    python bench/bench_daily.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import generated_records, ms  # noqa: E402

from papertide import trending  # noqa: E402
from papertide.catalog import Paper, Signal  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.daily import day_listing  # noqa: E402
from papertide.services import open_services  # noqa: E402

PER_DAY = 2000
RUNS = 30


def build(services, n: int) -> date:
    rng = random.Random(3)
    first = date(2025, 1, 1)
    rows = generated_records(n)
    for start in range(0, n, PER_DAY):
        day = first + timedelta(days=start // PER_DAY)
        papers, signals = [], []
        for i, row in enumerate(rows[start:start + PER_DAY]):
            papers.append(Paper(title=row["title"], abstract=row["summary"],
                                authors=row["authors"], categories=row["categories"],
                                arxiv_id=f"{2500 + start // 99999}.{start % 99999 + i:05d}",
                                announced=day))
            signals.append([Signal("hf-daily", "upvotes", rng.randint(1, 300))] if i < 50 else [])
        services.catalog.upsert(papers, signals)
    latest = first + timedelta(days=(n - 1) // PER_DAY)
    for entry in services.catalog.announced_on(latest)[:200]:
        for actor in range(rng.randint(1, 5)):
            services.catalog.record_event(entry.id, "vote", f"reader {actor}")
    return latest


def sample(fn) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(data_dir=Path(tmp), embed_on_ingest=False))
        started = time.perf_counter()
        latest = build(services, n)
        print(f"catalog: {n:,} papers, {PER_DAY:,} per announcement day "
              f"(built in {time.perf_counter() - started:.0f} s)")
        catalog = services.catalog
        rows = [
            ("daily view, a whole day (25 of 2,000)",
             sample(lambda: day_listing(catalog, latest, None, 25))),
            ("daily view, one category (25 of ~500)",
             sample(lambda: day_listing(catalog, latest, "cs.LG", 25))),
            ("baseline: newest first, 25 (indexed)", sample(lambda: catalog.newest(25))),
            ("baseline: trending this week, 25", sample(lambda: trending.trending(catalog,
                                                                                  "week", 25))),
        ]
        for name, samples in rows:
            print(f"{name:<42} {ms(samples)}")


if __name__ == "__main__":
    main()
