"""Embedding throughput and what it costs in relevance: the three embedding profiles
(`plain` PyTorch and `default` int8 ONNX at 256 tokens, `fast` int8 ONNX at 160: the
token counts are `MAX_TOKENS` in `search/_embed.py`, printed with the results) embed the
same corpus in the same run, and each one's nDCG@10 (semantic and hybrid) is measured on it.

Corpus: SciFact train (5,183 abstracts, 809 judged claims) where `../shared/data`
exists; otherwise the small BEIR fixture shipped with the tests. Throughput is measured
again on arXiv abstracts (the real sample's first N papers, shorter texts than SciFact's,
as a harvest day brings them; generated ones without the sample), each profile in the
same run, in the chunks `embed_pending` hands the model.

    python bench/bench_embed.py [plain default fast] [N]     # N arXiv papers, default 2000
    python bench/bench_embed.py plain default 2000 --arxiv   # the arXiv throughput only
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SCIFACT, generated_records, real_records  # noqa: E402

from papertide.catalog import readable  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.intake import IngestReport, ingest_records  # noqa: E402
from papertide.search._embed import MAX_TOKENS, Embedder, embedding_text  # noqa: E402
from papertide.search._eval import evaluate, read_beir  # noqa: E402
from papertide.search._semantic import CHUNK  # noqa: E402
from papertide.services import open_services  # noqa: E402

FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "beir-mini"


def run_profile(folder: Path, profile: str, modes: tuple[str, ...]) -> dict:
    papers, queries, qrels = read_beir(folder)
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(data_dir=Path(tmp), embed_profile=profile))
        ingest_records(services.catalog, papers, IngestReport())
        services.search.catch_up()
        services.search.semantic.embedder.embed(
            ["warm up the model"]
        )  # load/export outside the clock
        started = time.perf_counter()
        embedded = services.search.semantic.embed_pending()
        seconds = time.perf_counter() - started
        services.search.semantic.catch_up()
        result = {"docs_per_s": embedded / seconds}
        for mode in modes:
            def run(q, mode=mode):
                return [p for p, _ in services.search.ranked_ids(q, mode=mode, depth=100)]

            metrics = evaluate(run, queries, qrels)
            result[mode] = metrics["ndcg@10"]
        return result


def arxiv_throughput(profiles: list[str], n: int) -> dict[str, float]:
    """Papers per second embedding n arXiv abstracts, as `embed_pending` does it (chunks
    of `CHUNK`, batched by length inside each), for each profile and for `unsorted`:
    `default` in batches of 32 in the papers' own order, each padded to its longest text
    (the baseline batching by length is measured against). The profiles take turns chunk
    by chunk, so that a change in the machine's load falls on all of them alike."""
    rows = (real_records() or generated_records(n))[:n]
    texts = [embedding_text(readable(r["title"]), readable(r["summary"])) for r in rows]
    runs = [(p, Embedder(p), CHUNK) for p in profiles]  # type: ignore[arg-type]
    runs.append(("unsorted", Embedder("default"), 32))  # the embedder sorts only within one call
    for _, embedder, _ in runs:
        embedder.embed(["warm up the model"])  # load/export outside the clock
    seconds = dict.fromkeys((name for name, _, _ in runs), 0.0)
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start:start + CHUNK]
        for name, embedder, step in runs:
            started = time.perf_counter()
            for at in range(0, len(chunk), step):
                embedder.embed(chunk[at:at + step])
            seconds[name] += time.perf_counter() - started
    return {name: len(texts) / s for name, s in seconds.items()}


def main(profiles: list[str], n: int, scifact: bool = True) -> None:
    rates = arxiv_throughput(profiles, n)
    plain = rates.get("plain")
    unsorted = rates["unsorted"]
    source = "arXiv sample" if real_records() else "generated papers"
    print(f"embedding {n:,} abstracts of the {source}: papers/s, same run")
    # `unsorted`: `default` in batches of 32 in arrival order, each padded to its longest.
    for profile, rate in rates.items():
        speed = f"{rate / plain:.2f}× plain" if plain else f"{rate / unsorted:.2f}× unsorted"
        print(f"  {profile:<9} {rate:>8.1f} {speed:>16}   a 2,000-paper day: "
              f"{2000 / rate:5.0f} s")
    if not scifact:
        return
    folder = SCIFACT if SCIFACT.exists() else FIXTURE
    results = {p: run_profile(folder, p, ("semantic", "hybrid")) for p in profiles}
    base = results.get("plain", {}).get("docs_per_s")
    print(f"embedding {folder.name}: throughput and nDCG@10, same run")
    print(
        f"  {'profile':<9} {'tokens':>6} {'docs/s':>8} {'speed-up':>9} {'semantic':>9} {'hybrid':>8} {'Δ hybrid':>9}"
    )
    for profile, r in results.items():
        speed = f"{r['docs_per_s'] / base:.2f}×" if base else "—"
        delta = (
            f"{(r['hybrid'] - results['plain']['hybrid']) * 100:+.2f} pt"
            if "plain" in results
            else "—"
        )
        print(
            f"  {profile:<9} {MAX_TOKENS[profile]:>6} {r['docs_per_s']:>8.1f} {speed:>9} {r['semantic']:>9.4f} {r['hybrid']:>8.4f} {delta:>9}"
        )
    print("  goals: default ≥ 2× plain at ≤ 0.5 pt hybrid nDCG@10; fast ≥ 3× at ≤ 1.5 pt")


if __name__ == "__main__":
    # `plain` runs on PyTorch: measured only where the `torch` extra is installed.
    torch_installed = importlib.util.find_spec("torch") is not None
    args = [a for a in sys.argv[1:] if a != "--arxiv"]
    sizes = [int(a) for a in args if a.isdigit()]
    every = ["plain", "default", "fast"][0 if torch_installed else 1:]
    main([a for a in args if not a.isdigit()] or every,
         sizes[0] if sizes else 2000, scifact="--arxiv" not in sys.argv)
