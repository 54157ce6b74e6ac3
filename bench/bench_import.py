"""Importing a reference file into a library over the real arXiv sample (74,728 papers,
SQLite + keyword index): how many entries are matched right, wrongly or not at all, and
how long matching takes, against a baseline in the same run that matches ids and exact
titles only (what a plain normalised-title lookup gives).

The file: 1,000 BibTeX entries made from sample papers the way exporters write them —
400 with the arXiv id (Zotero style), 100 with arXiv's DataCite DOI only, 300 with the
title alone and one typo (a hand-typed entry), 200 title-only entries of papers held out
of the catalog (each must stay unmatched; a match is a false one). Title-only entries
are also scored at other fuzzy thresholds, to show what `TITLE_THRESHOLD` trades.

    python bench/bench_import.py [N]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, records, write_jsonl  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from papertide.catalog import title_key  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.library import (  # noqa: E402
    TITLE_THRESHOLD,
    Matcher,  # noqa: E402
    Reference,
)
from papertide.services import open_services  # noqa: E402


def typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(text) - 1)
    op = rng.choice("sdit")
    if op == "s":
        return text[:i] + rng.choice("aeiourstn") + text[i + 1:]
    if op == "d":
        return text[:i] + text[i + 1:]
    if op == "i":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def main(n: int = 74_728) -> None:
    rows, origin = records(n)
    rng = random.Random(5)
    rng.shuffle(rows)
    held_out, catalog_rows = rows[:200], rows[200:]
    path = write_jsonl(catalog_rows, CACHE / f"import-{len(catalog_rows)}.jsonl")
    picked = rng.sample(catalog_rows, 800)
    refs: list[tuple[Reference, str | None]] = []  # (entry, the paper it is, if any)
    for i, row in enumerate(picked[:400]):
        refs.append((Reference(f"id{i}", row["title"], arxiv_id=row["id"]), row["id"]))
    for i, row in enumerate(picked[400:500]):
        refs.append((Reference(f"doi{i}", "", arxiv_id=row["id"],
                               doi=f"10.48550/arxiv.{row['id']}"), row["id"]))
    for i, row in enumerate(picked[500:800]):
        refs.append((Reference(f"typo{i}", typo(row["title"], rng)), row["id"]))
    for i, row in enumerate(held_out):
        refs.append((Reference(f"absent{i}", row["title"]), None))
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(data_dir=Path(tmp), embed_on_ingest=False,
                                          search_mode="keyword"))
        started = time.perf_counter()
        ingest_files(services.catalog, [path], "jsonl")
        services.search.catch_up()
        print(f"catalog: {services.catalog.count():,} papers ({origin}), "
              f"built in {time.perf_counter() - started:.0f} s")
        matcher = Matcher(services.catalog, services.search)
        entries = [r for r, _ in refs]

        started = time.perf_counter()
        full = matcher.match(entries).matches
        full_s = time.perf_counter() - started

        # Baseline: ids, DOIs and exact normalised titles, no fuzzy candidates.
        started = time.perf_counter()
        base = matcher.match(entries[:500]).matches
        exact = services.catalog.ids_by_title(title_key(r.title) for r in entries[500:])
        base_ids = [m.paper_id for m in base] + [
            (exact.get(title_key(r.title)) or [None])[0] for r in entries[500:]]
        base_s = time.perf_counter() - started

        def tally(found: list[str | None]) -> tuple[int, int, int]:
            right = sum(f is not None and f == want for f, (_, want) in zip(found, refs, strict=True))
            wrong = sum(f is not None and f != want for f, (_, want) in zip(found, refs, strict=True))
            return right, wrong, sum(f is None and want is not None
                                     for f, (_, want) in zip(found, refs, strict=True))

        print(f"{'':28s} {'right':>6s} {'wrong':>6s} {'missed':>6s} {'ms/entry':>9s}")
        r, w, m = tally([x.paper_id for x in full])
        label = f"papertide (fuzzy ≥ {TITLE_THRESHOLD:.0f})"
        print(f"{label:28s} {r:6d} {w:6d} {m:6d} "
              f"{full_s / len(refs) * 1000:9.2f}")
        r, w, m = tally(base_ids)
        print(f"{'baseline: ids + exact title':28s} {r:6d} {w:6d} {m:6d} "
              f"{base_s / len(refs) * 1000:9.2f}")

        # Other thresholds, on the title-only entries (300 typo'd, 200 absent).
        best: list[tuple[float, str | None]] = []
        for ref, _ in refs[500:]:
            key = title_key(ref.title)
            ranked = services.search.ranked_ids(key, mode="keyword", depth=10)
            scored = [(fuzz.ratio(key, title_key(p.title)), p.id)
                      for p in services.catalog.get_many([pid for pid, _ in ranked])]
            best.append(max(scored) if scored else (0.0, None))
        print("title-only entries: threshold → typo'd found right / held-out matched wrongly")
        for threshold in (85, 90, 93, 95, 97, 99):
            found = sum(s >= threshold and pid == want
                        for (s, pid), (_, want) in zip(best[:300], refs[500:800], strict=True))
            false = sum(s >= threshold for s, _ in best[300:])
            print(f"  {threshold:>3d}: {found:3d}/300 · {false:3d}/200")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 74_728)
