"""Acronym expansion (`papertide.search._acronyms`) measured with and without, in the same
run: SciFact train nDCG@10 per mode on its two halves, and acronym queries on the real
arXiv sample; then what mining costs beside indexing.

    python bench/bench_acronyms.py                       # SciFact, then the arXiv sample
    python bench/bench_acronyms.py --papers 20000        # a slice of the sample
    python bench/bench_acronyms.py --data DIR --no-scifact

SciFact train: the judged claims sorted by numeric id, A the first half, B the second.
Nothing in `_acronyms` was tuned on SciFact; it is there to show that nothing is lost.

The arXiv sample (keyword mode; the store is kept in bench/.cache): the queries are
acronyms drawn at random (fixed seed) among those the sample defines in at least
`MIN_DEFINED` papers with a single expansion kept, plus `VLA`. A paper *uses* the acronym
when its title or abstract has it as a word (case as defined, plural too) and *uses* the
expansion when it has the expansion's words in order (any case, hyphens or spaces): plain
regular expressions, independent of the index. Per direction, with and without expansion:
- recall@100 and @1000 of the papers that use only the other form (acronym query: papers
  that write the expansion and never the acronym; expansion query: the other way round);
  expansion weighs less than the literal, so where more than 100 papers have the literal
  the others come after them, and @1000 says whether they are found at all;
- precision@10: the share of the top 10 that use the acronym or the expansion.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _common  # noqa: E402
from _common import CACHE, write_jsonl  # noqa: E402

from papertide.catalog import Paper  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.intake import ingest_files  # noqa: E402
from papertide.mathtext import to_plain  # noqa: E402
from papertide.search._acronyms import paper_pairs  # noqa: E402
from papertide.search._schwartz_hearst import mine, short_key  # noqa: E402
from papertide.services import open_services  # noqa: E402

MIN_DEFINED = 20
QUERIES = 12
SEED = 11


class Toggle:
    """Acronym expansion on or off for one search service (rankings kept are dropped)."""

    def __init__(self, search) -> None:
        self.search, self.acronyms = search, search.keyword.acronyms

    def __call__(self, on: bool) -> None:
        self.search.keyword.acronyms = self.acronyms if on else None
        self.search._rankings.clear()


# ---- SciFact --------------------------------------------------------------------------

def scifact(folder: Path) -> None:
    import bench_relevance

    from papertide.search._eval import ndcg_at, read_beir

    papers, queries, qrels = read_beir(folder)
    services = bench_relevance.services_for(papers)
    search = services.search
    table = search.acronyms.table()
    print(f"SciFact train: {len(papers):,} abstracts; acronyms that count: "
          f"{len(table.expansions)} ({sum(map(len, table.expansions.values()))} expansions)")
    judged = sorted((q for q in qrels if q in queries and any(g > 0 for g in qrels[q].values())),
                    key=lambda q: (int(q) if q.isdigit() else 0, q))
    half = len(judged) // 2
    parts = {"A": judged[:half], "B": judged[half:], "all": judged}
    toggle = Toggle(search)
    print(f"  nDCG@10 without → with    {'A (' + str(half) + ')':<22}"
          f"{'B (' + str(len(judged) - half) + ')':<22}all ({len(judged)})")
    for mode in ("keyword", "semantic", "hybrid"):
        scores = {}
        for on in (False, True):
            toggle(on)
            scores[on] = {q: ndcg_at([pid for pid, _ in search.ranked_ids(
                queries[q], mode=mode, depth=100)], qrels[q]) for q in judged}
        cells = []
        for name in ("A", "B", "all"):
            off = statistics.fmean(scores[False][q] for q in parts[name])
            on_ = statistics.fmean(scores[True][q] for q in parts[name])
            cells.append(f"{off:.4f} → {on_:.4f}    ")
        changed = sum(1 for q in judged if abs(scores[True][q] - scores[False][q]) > 1e-9)
        print(f"  {mode:<25} " + "".join(cells) + f"({changed} claims change)")
    toggle(True)


# ---- the arXiv sample -----------------------------------------------------------------

def sample_store(n: int):
    """A keyword-only store of the first n sample papers, built once in bench/.cache."""
    data = CACHE / f"acronyms-sample-{n}"
    services = open_services(Settings(data_dir=data, database_url=None, index_dir=None,
                                      queue_url=None, search_mode="keyword",
                                      embed_on_ingest=False))
    if services.catalog.stats()["papers"] < n:
        rows = _common.real_records()[:n]
        path = write_jsonl(rows, CACHE / f"acronyms-sample-{n}.jsonl")
        print(f"  building the {n:,}-paper store …", flush=True)
        with services.search.feeding() as feed:
            ingest_files(services.catalog, [path], on_changed=feed)
        path.unlink()
    services.search.catch_up()
    return services


def _words(pattern_words: list[str], plural: bool = True) -> str:
    body = r"[\s\-]+".join(re.escape(w) for w in pattern_words)
    return r"(?<![A-Za-z0-9])" + body + (r"s?" if plural else "") + r"(?![A-Za-z0-9])"


def draw(papers: list[Paper], tokens, table) -> list[tuple[str, str, str]]:
    """(acronym as written, expansion as written, key): `QUERIES` drawn + VLA."""
    shorts: dict[str, Counter] = defaultdict(Counter)
    longs: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for paper in papers:
        for short, long in mine(to_plain(paper.abstract)):
            key = short_key(short)
            terms = " ".join(tokens("pt_english", long))
            shorts[key][short.rstrip("s") if short.endswith("s") and short[-2:-1].isupper()
                        else short] += 1
            longs[key, terms][long] += 1
    eligible = sorted(k for k, v in table.expansions.items()
                      if len(v) == 1 and sum(shorts[k].values()) >= MIN_DEFINED and k != "vla")
    chosen = ["vla"] + random.Random(SEED).sample(eligible, min(QUERIES, len(eligible)))
    out = []
    for key in chosen:
        expansion = " ".join(table.expansions[key][0])
        long = longs[key, expansion].most_common(1)[0][0]
        out.append((shorts[key].most_common(1)[0][0], long, key))
    return out


def arxiv(n: int) -> None:
    services = sample_store(n)
    search = services.search
    papers = list(services.catalog.iter_papers())
    texts = {p.id: to_plain(p.title) + " \n " + to_plain(p.abstract) for p in papers}
    table = search.acronyms.table()
    print(f"arXiv sample: {len(papers):,} papers; acronyms that count: {len(table.expansions)} "
          f"({sum(map(len, table.expansions.values()))} expansions)")
    toggle = Toggle(search)
    rows = []
    for acronym, long, _key in draw(papers, search.keyword.tokens, table):
        uses_a = re.compile(_words([acronym]))
        uses_e = re.compile(_words(re.split(r"[\s\-]+", long)), re.IGNORECASE)
        a = {pid for pid, t in texts.items() if uses_a.search(t)}
        e = {pid for pid, t in texts.items() if uses_e.search(t)}
        relevant = a | e
        query_e = long.lower()
        for direction, query, only in (("acronym", acronym, e - a),
                                       ("expansion", query_e, a - e)):
            result = {}
            for on in (False, True):
                toggle(on)
                ranked = [pid for pid, _ in search.ranked_ids(query, mode="keyword", depth=1000)]
                page = search.search(query, mode="keyword", limit=1)
                recall = [len(only & set(ranked[:k])) / len(only) if only else float("nan")
                          for k in (100, 1000)]
                precision = sum(1 for pid in ranked[:10] if pid in relevant) / 10
                result[on] = (*recall, precision, page.total)
            rows.append((direction, query, len(only), result))
    toggle(True)
    print(f"  {'query':<40} {'other form only':>15}   recall@100 off → on   "
          f"@1000 off → on   P@10 off → on   matches off → on")
    for direction, query, only, result in rows:
        (r0, q0, p0, t0), (r1, q1, p1, t1) = result[False], result[True]
        print(f"  {direction[:3]} {query[:36]:<36} {only:>15}   {r0:10.3f} → {r1:.3f}   "
              f"{q0:5.3f} → {q1:.3f}   {p0:5.2f} → {p1:.2f}   {t0:>7,} → {t1:,}")
    for direction in ("acronym", "expansion"):
        mine_rows = [r for d, _, only, r in rows if d == direction and only]
        if not mine_rows:
            continue
        means = [[statistics.fmean(r[on][i] for r in mine_rows) for i in range(3)]
                 for on in (False, True)]
        print(f"  mean over {len(mine_rows)} {direction} queries: recall@100 "
              f"{means[0][0]:.3f} → {means[1][0]:.3f}, @1000 {means[0][1]:.3f} → "
              f"{means[1][1]:.3f}, P@10 {means[0][2]:.3f} → {means[1][2]:.3f}")
    cost(search, papers[:10_000])


def cost(search, papers: list[Paper], runs: int = 3) -> None:
    """Mining a paper beside building its index documents (what indexing it costs here),
    medians of `runs` passes over the same papers."""
    tokens = search.keyword.tokens
    mining, indexing = [], []
    for _ in range(runs):
        started = time.perf_counter()
        for paper in papers:
            paper_pairs(paper, tokens)
        mining.append(time.perf_counter() - started)
        started = time.perf_counter()
        for paper in papers:
            search.keyword._document(paper)
        indexing.append(time.perf_counter() - started)
    per = 1000 / len(papers)
    print(f"  cost over {len(papers):,} papers (median of {runs}): mining "
          f"{statistics.median(mining) * per:.3f} ms a paper, building its index documents "
          f"{statistics.median(indexing) * per:.3f} ms a paper")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=_common.SCIFACT.parent,
                        help="the shared data folder (scifact-train/, arxiv-sample/)")
    parser.add_argument("--papers", type=int, default=0, help="sample papers (0: all)")
    parser.add_argument("--no-scifact", action="store_true")
    parser.add_argument("--no-arxiv", action="store_true")
    args = parser.parse_args()
    if not args.no_scifact:
        folder = args.data / "scifact-train"
        if folder.exists():
            scifact(folder)
        else:
            print(f"skipped SciFact: {folder} is not there")
    if not args.no_arxiv:
        _common.SAMPLE = args.data / "arxiv-sample" / "daily_arxiv_papers.jsonl.gz"
        if not _common.SAMPLE.exists():
            print(f"skipped the arXiv sample: {_common.SAMPLE} is not there")
            return
        arxiv(args.papers or len(_common.real_records()))


if __name__ == "__main__":
    main()
