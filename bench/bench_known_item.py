"""Known-item search: does the paper a researcher means come first when they type its short
name or a few words of its title they remember?

Papers are drawn at random (fixed seeds) from the real arXiv sample; two kinds of query:
- short name: the part of the title before its colon (titles with a colon only);
- span: four consecutive words of the title;
both lower-cased, as typed. success@1 is the share of queries whose paper is listed first:
in keyword mode over all 74,728 papers, in the default hybrid mode over 6,000 of them
(their precomputed embeddings from the data folder, so nothing is embedded but the
queries). The draws are split in two halves: weights are chosen on the first ("tune") and
reported on the second ("held"), and the whole.

Beside papertide, in the same run: plain BM25 over titles only (`bm25s`, English stemming
and stop words), and the ceiling — the share of queries that only their paper's title
contains (the rest name several papers: no ranking can put the right one first every
time). `--baseline-src DIR` also measures another source tree (an export of an earlier
commit, e.g. `git archive main | tar -x -C bench/.cache/baseline-src`) in a child process
on stores of its own, and prints it beside.

    python bench/bench_known_item.py [--draws 1000] [--baseline-src DIR] [--data DIR]

Needs ../shared/data beside the repository (or `--data`) (the sample and its embeddings); without it,
it says so and stops. Stores are kept in bench/.cache/known-*.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import _common  # noqa: E402
from _common import CACHE, write_jsonl  # noqa: E402

HYBRID_PAPERS = 6000
KINDS = ("short name", "span")


def sample() -> Path:
    return _common.SAMPLE


def embeddings() -> Path:
    return _common.SAMPLE.parent / "embeddings-minilm-default-f16.npy"


def real_records() -> list[dict]:
    return _common.real_records()


def title_of(record: dict) -> str:
    return re.sub(r"\s+", " ", record["title"]).strip()


def draw(records: list[dict], among: list[int], n: int, seed: int) -> dict[str, list]:
    """n (query, arXiv id) pairs of each kind, drawn from these papers. Each kind walks
    its own fixed shuffle of the papers, so the first n of a larger draw are the n of a
    smaller one: the tune half of any draw lies inside the tune half of a larger one."""
    out: dict[str, list] = {kind: [] for kind in KINDS}
    named = [i for i in among if ":" in title_of(records[i])[1:]]
    random.Random(seed).shuffle(named)
    for i in named:
        name = title_of(records[i]).split(":", 1)[0].strip().lower()
        if name:
            out["short name"].append((name, records[i]["id"]))
        if len(out["short name"]) == n:
            break
    spans = list(among)
    rng = random.Random(seed + 1000)
    rng.shuffle(spans)
    for i in spans:
        words = title_of(records[i]).split()
        if len(words) < 4:
            continue
        start = random.Random(f"{seed}-{i}").randint(0, len(words) - 4)
        out["span"].append((" ".join(words[start:start + 4]).lower(), records[i]["id"]))
        if len(out["span"]) == n:
            break
    return out


def halves(pairs: list) -> dict[str, list]:
    mid = len(pairs) // 2
    return {"tune": pairs[:mid], "held": pairs[mid:], "all": pairs}


def success(first_of, pairs: list) -> float:
    return sum(first_of(q) == pid for q, pid in pairs) / max(len(pairs), 1)


# ---- the stores ------------------------------------------------------------------------

def store(label: str, records: list[dict], with_vectors: bool):
    from papertide.config import Settings
    from papertide.intake import IngestReport, ingest_records
    from papertide.services import open_services
    from papertide.sources import read_file

    data = CACHE / f"known-{label}-{len(records)}"
    settings = Settings(data_dir=data, database_url=None, index_dir=None, queue_url=None,
                        search_mode="hybrid" if with_vectors else "keyword",
                        embed_on_ingest=False)
    services = open_services(settings)
    if services.catalog.stats()["papers"] < len(records):
        path = write_jsonl(records, data / "papers.jsonl")
        print(f"  [{label}] storing {len(records):,} papers …", file=sys.stderr, flush=True)
        with services.search.feeding() as feed:
            ingest_records(services.catalog, read_file(path, "auto"), IngestReport(),
                           on_changed=feed)
        path.unlink()
    if with_vectors and services.search.semantic.store.count() < len(records):
        save_vectors(services, records)
    print(f"  [{label}] catching the indexes up …", file=sys.stderr, flush=True)
    services.search.catch_up()
    return services


def save_vectors(services, records: list[dict]) -> None:
    """The sample's precomputed embeddings (row i: line i of the sample) under the
    configured profile's name, so the semantic index takes them as its own."""
    import numpy as np
    from sqlalchemy import select

    from papertide.db.tables import papers

    semantic = services.search.semantic
    line = {r["id"]: i for i, r in enumerate(real_records())}
    matrix = np.load(embeddings())
    with services.catalog.engine.connect() as conn:
        rows = conn.execute(select(papers.c.id, papers.c.arxiv_id, papers.c.text_hash)).all()
    vectors = [(r.id, semantic.embedder.name, r.text_hash,
                matrix[line[r.arxiv_id]].astype(np.float32)) for r in rows]
    for start in range(0, len(vectors), 5000):
        semantic.store.save(vectors[start:start + 5000])


# ---- measuring -------------------------------------------------------------------------

def measure(label: str, draws_n: int) -> dict:
    """success@1 of this source tree's search: {mode: {kind: {half: share}}}."""
    records = real_records()
    everyone = list(range(len(records)))
    subset = sorted(random.Random(6000).sample(everyone, HYBRID_PAPERS))
    out: dict = {}
    for mode, among, seed in (("keyword", everyone, 20), ("hybrid", subset, 21)):
        services = store(label, [records[i] for i in among], mode == "hybrid")
        search = services.search
        id_of = {r["id"]: pid for r, pid in zip(
            (records[i] for i in among), _catalog_ids(services, [records[i]["id"] for i in among]),
            strict=True)}

        def first(q: str, m: str = mode, search=search) -> str | None:
            ranked = search.ranked_ids(q, mode=m, depth=1)
            return ranked[0][0] if ranked else None

        out[mode] = {}
        started = time.perf_counter()
        for kind, pairs in draw(records, among, draws_n, seed).items():
            pairs = [(q, id_of[a]) for q, a in pairs]
            out[mode][kind] = {half: success(first, p) for half, p in halves(pairs).items()}
        out[mode]["seconds"] = time.perf_counter() - started
    return out


def _catalog_ids(services, arxiv_ids: list[str]) -> list[str]:
    from sqlalchemy import select

    from papertide.db.tables import papers

    with services.catalog.engine.connect() as conn:
        found = dict(conn.execute(select(papers.c.arxiv_id, papers.c.id)).all())
    return [found[a] for a in arxiv_ids]


def references(draws_n: int) -> dict:
    """Title-only BM25 and the ceiling, on the same draws (ids are arXiv ids here)."""
    import bm25s
    import Stemmer

    records = real_records()
    everyone = list(range(len(records)))
    subset = sorted(random.Random(6000).sample(everyone, HYBRID_PAPERS))
    stemmer = Stemmer.Stemmer("english")
    out: dict = {}
    for mode, among, seed in (("keyword", everyone, 20), ("hybrid", subset, 21)):
        titles = [title_of(records[i]) for i in among]
        ids = [records[i]["id"] for i in among]
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(titles, stopwords="en", stemmer=stemmer,
                                       show_progress=False), show_progress=False)
        lowered = [t.lower() for t in titles]
        joined = "\n".join(lowered)

        def bm25_first(q: str, r=retriever, ids=ids) -> str | None:
            tokens = bm25s.tokenize([q], stopwords="en", stemmer=stemmer, show_progress=False)
            if not tokens.vocab:
                return None
            docs, _ = r.retrieve(tokens, k=1, show_progress=False)
            return ids[docs[0][0]]

        names = Counter(t.split(":", 1)[0].strip() for t in lowered if ":" in t[1:])

        def only_one(q: str, kind: str, names=names, joined=joined) -> bool:
            # A short name no other paper has; words no other title contains.
            return names[q] == 1 if kind == KINDS[0] else joined.count(q) == 1

        bm25, ceiling = {}, {}
        for kind, pairs in draw(records, among, draws_n, seed).items():
            bm25[kind] = {h: success(bm25_first, p) for h, p in halves(pairs).items()}
            ceiling[kind] = {h: sum(only_one(q, kind) for q, _ in p) / max(len(p), 1)
                             for h, p in halves(pairs).items()}
        out[mode] = {"bm25s titles only": bm25, "ceiling (no other title has it)": ceiling}
    return out


def baseline(src: Path, draws_n: int) -> dict:
    """The same measure with another source tree, in a child process."""
    env = dict(os.environ, PYTHONPATH=str(Path(src).resolve() / "src"))
    done = subprocess.run([sys.executable, __file__, "--draws", str(draws_n), "--json",
                           "--label", "baseline", "--data", str(sample().parent.parent)], env=env, check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000, help="queries of each kind")
    parser.add_argument("--baseline-src", type=Path)
    parser.add_argument("--data", type=Path, help="the data folder (default ../shared/data)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="this", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.data:
        _common.SAMPLE = args.data / "arxiv-sample" / "daily_arxiv_papers.jsonl.gz"
    if not sample().exists() or not embeddings().exists():
        print(f"skipped: {sample()} and its embeddings are not there")
        return
    if args.json:
        print(json.dumps(measure(args.label, args.draws)))
        return
    rows: list[tuple[str, dict]] = []
    if args.baseline_src:
        base = baseline(args.baseline_src, args.draws)
        rows += [(f"baseline ({args.baseline_src.name})", base)]
    rows.append(("papertide (this tree)", measure(args.label, args.draws)))
    refs = references(args.draws)
    print(f"known-item search, success@1 ({args.draws} draws of each kind; "
          "halves: tune / held / all)")
    for mode, size in (("keyword", "74,728 papers"), ("hybrid", f"{HYBRID_PAPERS:,} papers")):
        print(f"  {mode} mode over {size}:")
        print(f"    {'':<36} {'short name':<24} {'4-word span':<24}")
        table = [(name, result[mode]) for name, result in rows]
        table += list(refs[mode].items())
        for name, result in table:
            cells = "   ".join(" / ".join(f"{result[k][h]:.3f}" for h in ("tune", "held", "all"))
                               for k in KINDS)
            print(f"    {name:<36} {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
