"""The relevance harness: a BEIR-format directory in, nDCG@10, Recall@100 and MRR@10 out.

    corpus.jsonl      {"_id", "title", "text"}
    queries.jsonl     {"_id", "text"}
    qrels/test.tsv    query-id  corpus-id  score   (a header line)

The corpus goes into a throw-away store and every query runs through the same search
code the API uses (`SearchService.ranked_ids`). Metrics follow trec_eval as BEIR computes
them (pytrec_eval): nDCG with linear gains and log2 discounts, the ideal ranking built
from all judged-relevant documents; only queries with at least one relevant judgment
count; Recall@100 is the share of relevant documents in the top 100; MRR@10 the
reciprocal rank of the first relevant document in the top 10 (0 if none).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

from papertide.catalog import Paper


def read_beir(folder: Path) -> tuple[list[Paper], dict[str, str], dict[str, dict[str, int]]]:
    folder = Path(folder)
    papers = []
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                doc = json.loads(line)
                text = " ".join(str(doc.get("text") or "").split())
                title = " ".join(str(doc.get("title") or "").split()) or text[:120] or doc["_id"]
                papers.append(
                    Paper(id=str(doc["_id"]), title=title, abstract=text, sources=["beir"])
                )
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                queries[str(q["_id"])] = q["text"]
    qrels: dict[str, dict[str, int]] = {}
    qrels_file = folder / "qrels" / "test.tsv"
    with open(qrels_file, encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        for row in reader:
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return papers, queries, qrels


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    wanted = {doc for doc, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(run: Callable[[str], list[str]], queries: dict[str, str],
             qrels: dict[str, dict[str, int]],
             on_progress: Callable[[int, int], None] | None = None) -> dict[str, float]:
    judged = [qid for qid in qrels if qid in queries and any(g > 0 for g in qrels[qid].values())]
    totals = {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    for i, qid in enumerate(judged, start=1):
        ranked = run(queries[qid])
        totals["ndcg@10"] += ndcg_at(ranked, qrels[qid])
        totals["recall@100"] += recall_at(ranked, qrels[qid])
        totals["mrr@10"] += mrr_at(ranked, qrels[qid])
        if on_progress and (i % 20 == 0 or i == len(judged)):
            on_progress(i, len(judged))
    n = max(len(judged), 1)
    return {**{name: round(value / n, 4) for name, value in totals.items()}, "queries": len(judged)}
