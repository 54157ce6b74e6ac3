"""Relevance on SciFact train beside a plain BM25 baseline measured in the same run:
nDCG@10, Recall@100 and MRR@10 of papertide's keyword, semantic and hybrid modes (the
search code the API runs, `SearchService.ranked_ids`) and of `bm25s` (one title + abstract
field, English Snowball stemming and stop words, k1 1.5, b 0.75).

    python bench/bench_relevance.py            # the table
    python bench/bench_relevance.py --sweep    # also: fusion variants, rare-term guard, floor

Reads ../shared/data/scifact-train beside the repository; without it, it says so and
stops. The store (with its embeddings: minutes of CPU) is kept in bench/.cache/scifact.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SCIFACT, scifact_services  # noqa: E402

from papertide.search import Filters  # noqa: E402
from papertide.search._eval import evaluate, read_beir  # noqa: E402
from papertide.search._hybrid import fuse, guard, rare_share  # noqa: E402
from papertide.search._query import Clause, parse, positive_text  # noqa: E402


def bm25s_run(papers, k: int = 100):
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    ids = [p.id for p in papers]
    corpus = [f"{p.title} {p.abstract}" for p in papers]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)

    def run(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
        docs, _ = retriever.retrieve(tokens, k=k, show_progress=False)
        return [ids[i] for i in docs[0]]

    return run


def row(name: str, result: dict, seconds: float | None = None) -> None:
    took = f"   {seconds:6.1f} s" if seconds is not None else ""
    print(f"  {name:<34} {result['ndcg@10']:.4f}    {result['recall@100']:.4f}     "
          f"{result['mrr@10']:.4f}{took}", flush=True)


def table(services, papers, queries, qrels) -> None:
    print(f"SciFact train: {len(papers):,} abstracts, {len(qrels)} judged claims")
    print(f"  {'':<34} nDCG@10   Recall@100   MRR@10")
    started = time.perf_counter()
    row("bm25s (baseline)", evaluate(bm25s_run(papers), queries, qrels),
        time.perf_counter() - started)
    for mode in ("keyword", "semantic", "hybrid"):
        started = time.perf_counter()
        result = evaluate(lambda q, m=mode: [pid for pid, _ in services.search.ranked_ids(
            q, mode=m, depth=100)], queries, qrels)
        row(f"papertide {mode}", result, time.perf_counter() - started)


def sweep(services, papers, queries, qrels) -> None:
    """Fusion variants on the same two candidate lists, the rare-term guard, and the
    cosine of judged-relevant abstracts against the rest (to calibrate the floor)."""
    import numpy as np

    search = services.search
    keyword, semantic, weights = {}, {}, {}
    cos_relevant, cos_top_irrelevant = [], []
    for qid, text in queries.items():
        if qid not in qrels:
            continue
        clauses = parse(text)
        query = search.keyword.text_query(clauses)
        # As the product ranks: the best 100, re-ordered by feedback (RM3).
        keyword[qid] = search._keyword_head(query, clauses, Filters()) if query else []
        semantic[qid] = search.semantic.search(positive_text(text), 100)
        weights[qid] = search.keyword.term_weights(clauses)
        vector = search.semantic.query_vector(positive_text(text))
        for doc in qrels[qid]:
            row_vector = search.semantic.vectors.vector_of(doc)
            if row_vector is not None:
                cos_relevant.append(float(row_vector @ vector))
        irrelevant = [s for pid, s in semantic[qid] if pid not in qrels[qid]]
        if irrelevant:
            cos_top_irrelevant.append(irrelevant[0])
    n = search.keyword.num_docs()
    qs = {qid: queries[qid] for qid in keyword}

    def measure(fused_of) -> dict:
        by_text = {queries[qid]: qid for qid in keyword}
        return evaluate(lambda q: [pid for pid, _ in fused_of(by_text[q])], qs, qrels)

    print("fusion on the same candidates (100 a side; keyword with RM3), no similarity floor:")
    row("rrf k=60", measure(lambda q: fuse(keyword[q], semantic[q], "rrf")))
    for alpha in (0.3, 0.4, 0.5, 0.6):
        row(f"min-max convex alpha {alpha}",
            measure(lambda q, a=alpha: fuse(keyword[q], semantic[q], "convex", a)))
    for low in (0.0, 0.2, 0.3):
        for alpha in (0.3, 0.4, 0.5, 0.6):
            row(f"tmm alpha {alpha} cosine low {low}",
                measure(lambda q, a=alpha, lo=low: fuse(keyword[q], semantic[q], "tmm", a, lo)))

    def guarded(q: str, share_min: float, alpha: float) -> list:
        fused = fuse(keyword[q], semantic[q], "tmm", alpha, 0.3)
        rare, share = rare_share(weights[q], n)
        if rare and share >= share_min:
            exact = search.keyword.text_query([Clause(t, None, "must") for t in rare])
            if exact is not None:
                return guard(fused, search.keyword.matching(exact, [p for p, _ in fused]))
        return fused

    print("rare-term guard (all rare terms must match; tmm, cosine low 0.3):")
    for share_min in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01):
        on = sum(1 for q in keyword if (lambda r: r[0] and r[1] >= share_min)(
            rare_share(weights[q], n)))
        row(f"share >= {share_min} (on for {on} claims)",
            measure(lambda q, s=share_min: guarded(q, s, 0.5)))
    print("cosine of query and abstract (floor calibration):")
    rel = np.array(cos_relevant)
    top = np.array(cos_top_irrelevant)
    print(f"  judged relevant: p5 {np.percentile(rel, 5):.3f}  p10 {np.percentile(rel, 10):.3f}  "
          f"median {statistics.median(rel):.3f}  share below 0.30: {(rel < 0.30).mean():.3f}")
    print(f"  best irrelevant neighbour: p5 {np.percentile(top, 5):.3f}  "
          f"median {statistics.median(top):.3f}")
    for nonsense in ("zzzzqqq", "asdkjh qwpoeiru", "xylophone tangerine skateboard"):
        best = search.semantic.search(nonsense, 1)
        print(f"  nonsense {nonsense!r}: nearest cosine {best[0][1]:.3f}")


def main(argv: list[str]) -> None:
    if not SCIFACT.exists():
        print(f"skipped: {SCIFACT} is not there (SciFact train, laid out as a BEIR directory)")
        return
    papers, queries, qrels = read_beir(SCIFACT)
    services = scifact_services(papers)
    table(services, papers, queries, qrels)
    if "--sweep" in argv:
        sweep(services, papers, queries, qrels)


if __name__ == "__main__":
    main(sys.argv[1:])
