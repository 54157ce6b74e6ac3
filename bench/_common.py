"""What the benchmarks share: where the data comes from, timing helpers, and cached
catalogs so that the 1,000,000-paper runs build once.

Data: the real arXiv sample (74,728 papers) where `../shared/data` exists beside the
repository (or in the folder `PAPERTIDE_BENCH_DATA` names, for a checkout elsewhere),
repeated with perturbed ids (and a shuffled title suffix) to reach larger sizes;
otherwise realistic generated text. Caches live in `bench/.cache` (git-ignored).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import statistics
import time
from pathlib import Path

HERE = Path(__file__).parent
CACHE = HERE / ".cache"
DATA = Path(os.environ.get("PAPERTIDE_BENCH_DATA") or HERE.parent.parent / "shared" / "data")
SAMPLE = DATA / "arxiv-sample" / "daily_arxiv_papers.jsonl.gz"
SCIFACT = DATA / "scifact-train"

_WORDS = [
    "model",
    "learning",
    "neural",
    "network",
    "data",
    "training",
    "graph",
    "language",
    "vision",
    "image",
    "robust",
    "efficient",
    "optimization",
    "reinforcement",
    "agent",
    "policy",
    "attention",
    "transformer",
    "diffusion",
    "generative",
    "retrieval",
    "benchmark",
    "evaluation",
    "dataset",
    "quantum",
    "physics",
    "protein",
    "molecular",
    "federated",
    "privacy",
    "causal",
    "inference",
    "bayesian",
    "sparse",
    "convex",
    "stochastic",
    "gradient",
    "adversarial",
    "alignment",
    "reasoning",
    "multimodal",
    "segmentation",
    "detection",
    "tracking",
    "speech",
]


def real_records() -> list[dict]:
    if not SAMPLE.exists():
        return []
    with gzip.open(SAMPLE, "rt") as f:
        return [json.loads(line) for line in f]


def generated_records(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    cats = ["cs.LG", "cs.CV", "cs.CL", "cs.AI", "stat.ML", "math.OC", "quant-ph", "cs.RO"]
    out = []
    for i in range(n):
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 12))).capitalize()
        abstract = ". ".join(" ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 20)))
                             for _ in range(rng.randint(5, 9)))
        out.append(
            {
                "id": f"{2400 + i // 99999 % 100}.{i % 99999:05d}",
                "title": title,
                "summary": abstract,
                "authors": [f"Author {rng.randint(1, 50000)}" for _ in range(4)],
                "categories": rng.sample(cats, 2),
                "listing_dates": [f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"],
            }
        )
    return out


def records(n: int) -> tuple[list[dict], str]:
    """n records: the real sample, repeated with perturbed ids, or generated ones."""
    base = real_records()
    if not base:
        return generated_records(n), "generated"
    out = []
    for i in range(n):
        rec = dict(base[i % len(base)])
        copy = i // len(base)
        if copy:
            rec["id"] = f"{9000 + copy}.{i % len(base):05d}"
            rec["title"] = f"{rec['title']} ({copy})"
        out.append(rec)
    return out, "real arXiv sample" + (" (repeated, perturbed ids)" if n > len(base) else "")


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def ms(samples: list[float]) -> str:
    """`p50 … ms   p95 … ms` of timings in seconds."""
    p50, p95 = percentiles(samples)
    return f"p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def queries(n: int, seed: int = 7) -> list[str]:
    """Realistic keyword queries: 2–5 content words from real titles."""
    rng = random.Random(seed)
    base = real_records() or generated_records(2000)
    stop = {
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "in",
        "on",
        "with",
        "to",
        "via",
        "from",
        "by",
        "is",
        "at",
    }
    out = []
    while len(out) < n:
        words = [w.strip(":,.()?!").lower() for w in rng.choice(base)["title"].split()]
        words = [w for w in words if w and w not in stop and w.isascii()]
        if len(words) >= 2:
            k = rng.randint(2, min(5, len(words)))
            start = rng.randint(0, len(words) - k)
            out.append(" ".join(words[start:start + k]))
    return out


def seed_vectors(count: int = 2000, profile: str = "fast"):
    """Real MiniLM embeddings of `count` real abstracts: the seeds generated vectors mix."""
    from papertide.search._embed import Embedder

    texts = [
        r["title"] + ". " + r["summary"]
        for r in (real_records() or generated_records(count))[:count]
    ]
    return Embedder(profile, cache_dir=CACHE).embed(texts)


def mixed_vectors(seeds, n: int, seed: int = 0):
    """n unit vectors, each two real seeds mixed plus a little noise: neighbourhoods and
    cosines like real abstract embeddings, at any scale."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(seeds), n), rng.integers(0, len(seeds), n)
    out = (
        seeds[a]
        + 0.5 * seeds[b]
        + rng.standard_normal((n, seeds.shape[1])).astype("float32") * 0.02
    )
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype("float32")


def subscribe_readers(services, n: int) -> None:
    """n confirmed readers, each with 3 topics drawn from 300 real-title queries (the same
    readers in every fan-out benchmark)."""
    from papertide.readers import Topic

    pool = queries(300, seed=3)
    rng = random.Random(5)
    print(f"  subscribing {n:,} readers …", flush=True)
    for i in range(n):
        services.readers.store.add(f"reader{i}@example.org",
                                   [Topic(q) for q in rng.sample(pool, 3)], confirmed=True)


def scifact_services(papers: list[dict], cache: Path = CACHE):
    """SciFact's corpus in a store of its own under `cache`, indexed and embedded (minutes
    the first time, moments after): the relevance benches all measure the same store."""
    from papertide.config import Settings
    from papertide.intake import IngestReport, ingest_records
    from papertide.services import open_services

    settings = Settings(data_dir=cache / "scifact", database_url=None, index_dir=None,
                        queue_url=None)
    services = open_services(settings)
    if services.catalog.stats()["papers"] < len(papers):
        ingest_records(services.catalog, papers, IngestReport())
    print("  indexing (embedding the corpus the first time: minutes) …", flush=True)
    services.search.catch_up(embed=True)
    return services
