"""What math rendering costs: a paper card (title as MathML, 300 characters of abstract as
Unicode) against the card before it (title and abstract escaped as text), and the keyword
index's text (`to_plain` of title and abstract) against `readable` alone, in the same run.

Each figure is the quickest of three passes. Cold: every cache emptied first (a page of papers never seen); warm: the same papers again
(the lru caches answer). "with math" are the papers whose title or abstract has a formula
(about one in seven of the real sample).

    python bench/bench_math.py [N]      # default: the 74,728-paper sample (or 20,000 made up)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import generated_records, real_records  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402

from papertide import mathtext  # noqa: E402
from papertide.catalog import readable  # noqa: E402
from papertide.mathtext import to_html, to_plain  # noqa: E402

FORMULAS = ["$\\Omega(n^2 d)$", "$O(n \\log n)$", "$\\mathbb{R}^{d}$", "$2\\times$",
            "$\\alpha \\in (0,1)$", "$\\frac{1}{\\sqrt{T}}$", "$\\sim$90\\%"]


def papers(n: int | None) -> tuple[list[dict], str]:
    rows = real_records()
    if rows:
        return (rows[:n] if n else rows), "real arXiv sample"
    rows = generated_records(n or 20000)
    for i, row in enumerate(rows[::7]):  # one in seven with a formula, as in the sample
        row["summary"] += f" We prove a bound of {FORMULAS[i % len(FORMULAS)]} here."
    return rows, "generated (formulas added)"


def card(title: str, abstract: str) -> Markup:
    return to_html(title) + escape(to_plain(abstract)[:300])


def card_before(title: str, abstract: str) -> Markup:
    return escape(readable(title)) + escape(readable(abstract)[:300])


def clear() -> None:
    for cached in (mathtext._to_html, mathtext._to_plain, mathtext._math_plain,
                   mathtext._mathml):
        cached.cache_clear()


def per_item(fn, rows: list[dict], cold: bool = False,
             rounds: int = 3) -> tuple[float, float]:
    """(mean µs, median µs) of fn(title, abstract) over the rows: the quickest of `rounds`
    passes (a shared machine's other work only ever adds time), caches emptied before each
    pass when `cold`."""
    best: list[float] = []
    for _ in range(rounds):
        if cold:
            clear()
        times = []
        for row in rows:
            started = time.perf_counter()
            fn(row["title"], row["summary"])
            times.append(time.perf_counter() - started)
        if not best or sum(times) < sum(best):
            best = times
    return sum(best) / len(best) * 1e6, statistics.median(best) * 1e6


def line(label: str, new: tuple[float, float], old: tuple[float, float]) -> None:
    print(f"  {label:<34} mean {new[0]:8.1f} µs  median {new[1]:7.1f} µs   |  before: "
          f"mean {old[0]:6.1f} µs  median {old[1]:5.1f} µs   ({new[0] / old[0]:5.1f}× mean)")


def main(n: int | None) -> None:
    rows, origin = papers(n)
    with_math = [r for r in rows if any(m in r["title"] + r["summary"] for m in ("$", "\\(",
                                                                                "\\["))]
    print(f"{len(rows):,} papers ({origin}), {len(with_math):,} with a formula")

    print("a paper card: to_html(title) + to_plain(abstract)[:300]  vs  escaped text")
    old = per_item(card_before, rows)
    line("all papers, cold", per_item(card, rows, cold=True), old)
    line("all papers, warm (cached)", per_item(card, rows), old)
    old_math = per_item(card_before, with_math)
    cold_math = per_item(card, with_math, cold=True)
    line("papers with math, cold", cold_math, old_math)
    line("papers with math, warm", per_item(card, with_math), old_math)
    print(f"  a 20-card page of unseen papers with math: {20 * cold_math[0] / 1000:.1f} ms "
          f"(before: {20 * old_math[0] / 1000:.2f} ms)")

    print("keyword index text: to_plain(title) + to_plain(abstract)  vs  readable()")

    def index_text(title: str, abstract: str) -> None:
        to_plain(title), to_plain(abstract)

    def index_before(title: str, abstract: str) -> None:
        readable(title), readable(abstract)

    old = per_item(index_before, rows)
    new = per_item(index_text, rows, cold=True)
    line("all papers, cold", new, old)
    print(f"  throughput: {1e6 / new[0]:,.0f} papers/s (before: {1e6 / old[0]:,.0f} papers/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
