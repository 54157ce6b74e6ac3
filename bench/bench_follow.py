"""Indexes on every machine: the time a new machine takes to build its keyword and vector
indexes from PostgreSQL at 100,000 papers, and the follow delay — from a paper's commit
on one machine to its being found by a search on another — over 100 papers.

Two "machines" are two index folders on the one database (`bench_load`'s PostgreSQL
store, built there if missing). The second runs the follower as `papertide index --follow`
and the web processes do (a thread, `PAPERTIDE_INDEX_FOLLOW_SECONDS` apart, default 2 s);
the first ingests one paper at a time, a few tenths of a second apart, and the second's
searcher is polled every 20 ms for each paper. Baseline in the same run: the same build
by `papertide index` in one go (`catch_up`), which is what a first follower round is, and
the delay that the follow interval alone explains (half of it on average).

    python bench/bench_follow.py [PAPERS] [--interval SECONDS]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE  # noqa: E402
from bench_load import build_store  # noqa: E402

from papertide.catalog import Paper  # noqa: E402
from papertide.services import open_services  # noqa: E402

FOLLOWED = 100


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("papers", nargs="?", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=None)
    args = parser.parse_args()
    source = build_store("postgres", args.papers)  # machine one: the bench store
    here = open_services(source)
    folder = CACHE / f"follow-{args.papers}"
    shutil.rmtree(folder, ignore_errors=True)
    extra = {"index_follow_seconds": args.interval} if args.interval else {}
    settings = source.model_copy(update={"data_dir": folder, "index_dir": None, **extra})
    settings.__dict__.pop("resolved_index_dir", None)  # a copy keeps the cached value
    there = open_services(settings)

    started = time.perf_counter()
    keyword = there.search.keyword.catch_up()
    keyword_s = time.perf_counter() - started
    vectors = there.search.semantic.catch_up()
    build = time.perf_counter() - started
    print(f"new machine, {args.papers:,} papers from PostgreSQL: indexes built in {build:.1f} s "
          f"(keyword index {keyword:,} papers in {keyword_s:.1f} s, vector index with its graph "
          f"{vectors:,} vectors in {build - keyword_s:.1f} s)", flush=True)

    follower = there.search.follower()
    follower.start()
    delays: list[float] = []
    try:
        pending: dict[str, float] = {}
        token = f"{time.time():.0f}"
        for i in range(FOLLOWED):
            word = f"zqfollow{token}x{i}"
            here.catalog.upsert([Paper(title=f"Followed paper {word}",
                                       abstract="A paper committed on another machine.")])
            pending[word] = time.perf_counter()
            deadline = time.perf_counter() + 0.3
            while time.perf_counter() < deadline or (i == FOLLOWED - 1 and pending):
                for w in list(pending):
                    if there.search.search(w, mode="keyword").hits:
                        delays.append(time.perf_counter() - pending.pop(w))
                time.sleep(0.02)
                if pending and time.perf_counter() - min(pending.values()) > 60:
                    raise RuntimeError("a paper was not followed within 60 s")
    finally:
        follower.stop()
    delays.sort()
    every = there.settings.index_follow_seconds
    print(f"follow delay over {len(delays)} papers (interval {every:g} s): "
          f"p50 {statistics.median(delays):.2f} s, max {delays[-1]:.2f} s "
          f"(the interval alone explains p50 ≈ {every / 2:.2f} s, max ≈ {every:.2f} s)")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
