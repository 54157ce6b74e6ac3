"""Ingest throughput on 100,000 records: papertide's `ingest_files` (parse, de-duplicate,
upsert into SQLite, index in tantivy) against a baseline in the same process that only
parses the same file. Median of 3 runs, each into a fresh data dir.

    python bench/bench_ingest.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, records, timed, write_jsonl  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.services import open_services  # noqa: E402
from papertide.sources import read_file  # noqa: E402


def main(n: int = 100_000, runs: int = 3) -> None:
    rows, origin = records(n)
    path = write_jsonl(rows, CACHE / f"ingest-{n}.jsonl")
    parse_only, catalog_only, end_to_end = [], [], []
    for _ in range(runs):
        _, seconds = timed(lambda: sum(1 for _ in read_file(path)))
        parse_only.append(n / seconds)
        with tempfile.TemporaryDirectory() as tmp:
            services = open_services(Settings(data_dir=Path(tmp)))
            report, seconds = timed(ingest_files, services.catalog, [path])
            assert report.added == n, report.as_dict()
            catalog_only.append(n / seconds)
        with tempfile.TemporaryDirectory() as tmp:
            services = open_services(Settings(data_dir=Path(tmp)))

            def full(services=services):
                with services.search.feeding() as feed:
                    return ingest_files(services.catalog, [path], on_changed=feed)

            report, seconds = timed(full)
            assert services.search.keyword.num_docs() == n
            end_to_end.append(n / seconds)
    med = statistics.median
    print(f"ingest, {n:,} records ({origin}), median of {runs} runs, papers/s")
    print(f"  baseline: parse only                    {med(parse_only):>10,.0f}")
    print(
        f"  papertide: catalog upsert (SQLite)      {med(catalog_only):>10,.0f}   ({med(catalog_only) / med(parse_only):.2f}× of parse only)"
    )
    print(f"  papertide: catalog + keyword index      {med(end_to_end):>10,.0f}   goal ≥ 5,000")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
