"""Deep offsets on the browsing lists: `/api/papers?sort=trending&offset=…` and
`sort=new` over 60,000 papers (SQLite), as the API serves them, against a baseline in the
same run: the query the catalog ran before (every column of every row through the sort),
at the same offsets. Median of 7 runs each.

    python bench/bench_offsets.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, records, timed, write_jsonl  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.db.tables import papers  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.services import open_services  # noqa: E402
from papertide.web import create_app  # noqa: E402

RUNS = 7


def old_newest(engine, limit: int, offset: int) -> int:
    """The catalog's browsing query before: whole rows sorted, then cut."""
    query = (select(papers)
             .order_by(papers.c.listed.desc().nulls_last(), papers.c.published.desc().nulls_last(),
                       papers.c.rank_hint.asc().nulls_last(), papers.c.first_seen.desc(),
                       papers.c.id)
             .limit(limit).offset(offset))
    with engine.connect() as conn:
        return len(conn.execute(query).all())


def median_ms(fn) -> float:
    fn()  # warm the page cache and the app
    return statistics.median(timed(fn)[1] for _ in range(RUNS)) * 1000


def main(n: int = 60_000) -> None:
    rows, origin = records(n)
    path = write_jsonl(rows, CACHE / f"offsets-{n}.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embed_on_ingest=False, search_mode="keyword")
        services = open_services(settings)
        ingest_files(services.catalog, [path])
        ids = [p.id for p in services.catalog.newest(300)]
        for number, pid in enumerate(ids):  # some engagement, so trending ranks a few first
            for voter in range(number % 5 + 1):
                services.catalog.record_event(pid, "vote", f"bench-{voter}")
        engine = services.catalog.engine
        print(f"browsing offsets, {n:,} papers ({origin}), SQLite, median of {RUNS} runs")
        with TestClient(create_app(settings)) as client:
            for sort in ("trending", "new"):
                for offset in (0, 1_000, 10_000, 59_000, 100_000):
                    url = f"/api/papers?sort={sort}&limit=20&offset={offset}"

                    def get(url=url) -> None:
                        response = client.get(url)
                        assert response.status_code in (200, 400), response.text

                    status = client.get(url).status_code
                    api = median_ms(get)
                    before = median_ms(lambda offset=offset: old_newest(engine, 21, offset))
                    shown = f"{api:8.1f} ms" if status == 200 else f"{api:8.1f} ms (400: over the cap)"
                    print(f"  sort={sort:8} offset={offset:>7,}   API {shown}   "
                          f"baseline (old query alone) {before:8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60_000)
