"""Relevance on SciFact train measured out of sample: nDCG@10 on two fixed halves of the
train claims, the half settings may be tuned on and the half they are judged on, with
95 % bootstrap confidence intervals, per mode (keyword, semantic, hybrid).

The halves: the judged claims sorted by their numeric id, the first half `tune` (404
claims), the second `held` (405). Sorting is a fixed split anyone can redo without a seed.
`--split text` sorts the ids as text instead (1, 10, 100, …): the split of the feedback
figures in `papertide.search._keyword`. The two splits differ by more than any lever here
(keyword, by number: 0.717 / 0.710; by text: 0.730 / 0.698), which is what a half of 405
claims can tell apart: read the intervals.
A lever (a fusion method or weight, feedback parameters, an embedding model) is chosen on
`tune` alone; its figure on `held` is the one to believe, and the paired bootstrap of its
difference to today's setting on `held` says whether the gain is more than noise.

    python bench/bench_heldout.py                   # per mode: tune / held / all, with CIs
    python bench/bench_heldout.py --sweep           # + fusion and feedback levers
    python bench/bench_heldout.py --data DIR --cache DIR

`--data` is the BEIR folder (default ../shared/data/scifact-train beside the repository);
`--cache` keeps the store with its embeddings (minutes of CPU the first time; default
bench/.cache). Without the data it says so and stops.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import CACHE, SCIFACT, scifact_services  # noqa: E402

import papertide.search._keyword as keyword_module  # noqa: E402
from papertide.search import Filters  # noqa: E402
from papertide.search._eval import ndcg_at, read_beir  # noqa: E402
from papertide.search._hybrid import fuse, guard, rare_share  # noqa: E402
from papertide.search._query import Clause, parse, positive_text  # noqa: E402

RESAMPLES = 2000
Ranked = list[tuple[str, float]]


def halves(queries: dict[str, str], qrels: dict[str, dict[str, int]],
           by: str = "number") -> dict[str, list[str]]:
    """The judged claims sorted by id (as numbers, or as text with `by="text"`), cut in two."""
    judged = [q for q in qrels if q in queries and any(g > 0 for g in qrels[q].values())]
    if by == "number":
        judged.sort(key=lambda q: (int(q) if q.isdigit() else 0, q))
    else:
        judged.sort()
    middle = len(judged) // 2
    return {"tune": judged[:middle], "held": judged[middle:], "all": judged}


def interval(values: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """95 % percentile bootstrap interval of the mean (claims resampled with replacement)."""
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), (RESAMPLES, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def cell(values: np.ndarray) -> str:
    low, high = interval(values)
    return f"{values.mean():.4f} [{low:.3f}, {high:.3f}]"


def per_query(ranked_of: Callable[[str], list[str]], qids: list[str], qrels) -> np.ndarray:
    return np.array([ndcg_at(ranked_of(q), qrels[q]) for q in qids])


def report(name: str, scores: dict[str, float], split: dict[str, list[str]],
           baseline: dict[str, float] | None = None) -> None:
    """One row: the mean nDCG@10 with its interval on each half and on all; with a
    baseline, the paired difference on `held` and its interval."""
    cells = [cell(np.array([scores[q] for q in split[h]])) for h in ("tune", "held", "all")]
    line = f"  {name:<40} " + "   ".join(cells)
    if baseline is not None:
        diff = np.array([scores[q] - baseline[q] for q in split["held"]])
        low, high = interval(diff)
        line += f"   held Δ {diff.mean():+.4f} [{low:+.3f}, {high:+.3f}]"
    print(line, flush=True)


def header(split: dict[str, list[str]]) -> None:
    print(f"  {'nDCG@10 [95 % CI]':<40} " + "   ".join(
        f"{h} ({len(split[h])})".ljust(23) for h in ("tune", "held", "all")), flush=True)


def open_store(data: Path, cache: Path):
    papers, queries, qrels = read_beir(data)
    services = scifact_services(papers, cache)
    return services, papers, queries, qrels


def modes(services, queries, qrels, split) -> dict[str, dict[str, float]]:
    """What the API ranks (`SearchService.ranked_ids`), per mode."""
    out = {}
    header(split)
    for mode in ("keyword", "semantic", "hybrid"):
        started = time.perf_counter()
        scores = dict(zip(split["all"], per_query(
            lambda q, m=mode: [pid for pid, _ in services.search.ranked_ids(
                queries[q], mode=m, depth=100)], split["all"], qrels), strict=True))
        out[mode] = scores
        report(f"papertide {mode}", scores, split)
        print(f"    ({time.perf_counter() - started:.1f} s)", flush=True)
    return out


class Candidates:
    """Each claim's two candidate lists as the product builds them before fusing, kept so
    that fusion variants are compared on identical inputs."""

    def __init__(self, services, queries, qids) -> None:
        self.search = services.search
        self.queries = queries
        self.qids = qids
        self.semantic: dict[str, Ranked] = {}
        self.weights: dict[str, list] = {}
        self.n = self.search.keyword.num_docs()
        for q in qids:
            text = queries[q]
            self.semantic[q] = self.search.semantic.search(positive_text(text), 100)
            self.weights[q] = self.search.keyword.term_weights(parse(text))
        self.keyword = self.keyword_lists()

    def keyword_lists(self) -> dict[str, Ranked]:
        """The keyword side (best 100, re-ordered by feedback with the module's current
        feedback parameters)."""
        out = {}
        for q in self.qids:
            clauses = parse(self.queries[q])
            query = self.search.keyword.text_query(clauses)
            out[q] = self.search._keyword_head(query, clauses, Filters())[0][:100] if query else []
        return out

    def guarded(self, q: str, fused: Ranked, share_min: float = 0.5) -> Ranked:
        rare, share = rare_share(self.weights[q], self.n)
        if rare and share >= share_min:
            exact = self.search.keyword.text_query([Clause(t, None, "must") for t in rare])
            if exact is not None:
                return guard(fused, self.search.keyword.matching(exact, [p for p, _ in fused]))
        return fused


def hybrid_scores(c: Candidates, qrels, method: str, alpha: float, low: float,
                  floor: float = 0.30, share_min: float = 0.5,
                  keyword: dict[str, Ranked] | None = None,
                  semantic: dict[str, Ranked] | None = None) -> dict[str, float]:
    keyword = keyword or c.keyword
    semantic = semantic or c.semantic
    out = {}
    for q in c.qids:
        sem = [(p, s) for p, s in semantic[q] if s >= floor]
        fused = c.guarded(q, fuse(keyword[q], sem, method, alpha, low), share_min)
        out[q] = ndcg_at([p for p, _ in fused], qrels[q])
    return out


def sweep(services, queries, qrels, split, today: dict[str, float]) -> None:
    c = Candidates(services, queries, split["all"])
    tune = split["tune"]

    def mean_on(scores: dict[str, float], qids: list[str]) -> float:
        return float(np.mean([scores[q] for q in qids]))

    header(split)
    current = hybrid_scores(c, qrels, "tmm", 0.5, 0.30)
    # Unconstrained semantic lists: a claim with a quoted phrase (one, 810) is ranked here
    # where the API requires the phrase; the rest match `ranked_ids` exactly.
    report("hybrid as shipped, re-fused here", current, split, today)

    print("fusion (keyword with feedback as shipped; semantic floor 0.30):")
    grid = [("rrf", 0.5, 0.0)]
    grid += [("convex", a, 0.0) for a in (0.3, 0.4, 0.5, 0.6, 0.7)]
    grid += [("tmm", a, lo) for a in (0.3, 0.4, 0.5, 0.6, 0.7)
             for lo in (0.0, 0.2, 0.25, 0.3, 0.35, 0.4)]
    fused = {g: hybrid_scores(c, qrels, *g) for g in grid}
    for g, scores in fused.items():
        if g[0] != "tmm" or g[2] in (0.0, 0.3, 0.4):
            report(f"{g[0]} α {g[1]} low {g[2]}", scores, split, current)
    best = max(fused, key=lambda g: mean_on(fused[g], tune))
    report(f"best on tune: {best[0]} α {best[1]} low {best[2]}", fused[best], split, current)

    print("rare-term guard (tmm α 0.5 low 0.30), share of the query's weight to fire:")
    for share_min in (0.5, 0.7, 1.01):
        report(f"share ≥ {share_min}", hybrid_scores(c, qrels, "tmm", 0.5, 0.30,
                                                     share_min=share_min), split, current)

    print("feedback (RM3): papers, terms, weight — keyword alone, then hybrid (tmm α 0.5):")
    shipped = (keyword_module.FEEDBACK_DOCS, keyword_module.FEEDBACK_TERMS,
               keyword_module.FEEDBACK_WEIGHT)
    keyword_today = {q: ndcg_at([p for p, _ in c.keyword[q]], qrels[q]) for q in c.qids}
    results = {}
    try:
        for docs, terms, weight in itertools.product((3, 5, 10), (10, 20), (0.2, 0.3, 0.5)):
            keyword_module.FEEDBACK_DOCS = docs
            keyword_module.FEEDBACK_TERMS = terms
            keyword_module.FEEDBACK_WEIGHT = weight
            lists = c.keyword_lists()
            kw = {q: ndcg_at([p for p, _ in lists[q]], qrels[q]) for q in c.qids}
            results[(docs, terms, weight)] = (kw, lists)
    finally:
        (keyword_module.FEEDBACK_DOCS, keyword_module.FEEDBACK_TERMS,
         keyword_module.FEEDBACK_WEIGHT) = shipped
    report(f"keyword as shipped {shipped}", keyword_today, split)
    best_kw = max(results, key=lambda k: mean_on(results[k][0], tune))
    report(f"keyword best on tune {best_kw}", results[best_kw][0], split, keyword_today)
    hybrid = {k: hybrid_scores(c, qrels, "tmm", 0.5, 0.30, keyword=lists)
              for k, (_, lists) in results.items()}
    best_hy = max(hybrid, key=lambda k: mean_on(hybrid[k], tune))
    report(f"hybrid best on tune {best_hy}", hybrid[best_hy], split, current)


def candidate(services, queries, qrels, split, today: dict[str, float], folder: Path) -> None:
    """Another embedding model's vectors, made elsewhere (`docs.npy` + `ids.json`, one row
    a paper; `queries.npy` + `qids.json`, one row a claim, each unit length): its semantic
    side alone and fused with today's keyword side, weights and low chosen on `tune`."""
    import json

    docs = np.load(folder / "docs.npy").astype(np.float32)
    ids = json.loads((folder / "ids.json").read_text())
    vectors = dict(zip(json.loads((folder / "qids.json").read_text()),
                       np.load(folder / "queries.npy").astype(np.float32), strict=True))
    c = Candidates(services, queries, split["all"])
    semantic = {}
    for q in c.qids:
        scores = docs @ vectors[q]
        top = np.argsort(-scores)[:100]
        semantic[q] = [(ids[i], float(scores[i])) for i in top]
    tune = split["tune"]
    header(split)
    alone = {q: ndcg_at([p for p, _ in semantic[q]], qrels[q]) for q in c.qids}
    report(f"{folder.name} semantic alone", alone, split)
    cosines = np.concatenate([[s for _, s in semantic[q][:10]] for q in c.qids])
    lows = sorted({0.0, 0.2, 0.3, 0.4, *np.round(np.percentile(cosines, [1, 5, 10, 25, 50]), 2)})
    grid = [(a, lo) for a in (0.3, 0.4, 0.5, 0.6, 0.7) for lo in lows]
    fused = {g: hybrid_scores(c, qrels, "tmm", g[0], g[1], floor=g[1], semantic=semantic)
             for g in grid}
    best = max(fused, key=lambda g: float(np.mean([fused[g][q] for q in tune])))
    report(f"{folder.name} hybrid tmm α {best[0]} low {best[1]}", fused[best], split, today)
    for a, lo in ((0.4, best[1]), (0.5, best[1]), (0.6, best[1]), (0.5, 0.3)):
        report(f"  α {a} low {lo}", fused[(a, lo)], split, today)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SCIFACT)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--split", choices=("number", "text"), default="number",
                        help="sort the claim ids as numbers (the default) or as text")
    parser.add_argument("--vectors", type=Path, action="append", default=[],
                        help="a folder of another model's vectors (see `candidate`)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"skipped: {args.data} is not there (SciFact train, laid out as a BEIR directory)")
        return
    services, papers, queries, qrels = open_store(args.data, args.cache)
    split = halves(queries, qrels, args.split)
    print(f"SciFact train: {len(papers):,} abstracts; claims sorted by id ({args.split}), "
          f"tune = first {len(split['tune'])}, held = last {len(split['held'])}")
    today = modes(services, queries, qrels, split)
    if args.sweep:
        sweep(services, queries, qrels, split, today["hybrid"])
    for folder in args.vectors:
        candidate(services, queries, qrels, split, today["hybrid"], folder)


if __name__ == "__main__":
    main(sys.argv[1:])
