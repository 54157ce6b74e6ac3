"""Does the shipped int8 ONNX model give the vectors of the graph exported from the
PyTorch weights? Embeds a whole corpus with both, in the same batches, and prints the
per-document cosine (least, mean, share below 0.999). For scale it also prints how far
the same graph moves when only the batch size changes (int8 activations are scaled per
batch, so a document's vector depends a little on its batch mates).

The reference graph is exported afresh (needs the `torch` extra) or read from a file:

    python bench/bench_embed_identity.py                 # export, then compare
    python bench/bench_embed_identity.py --reference old.onnx
    python bench/bench_embed_identity.py --export        # also write it over the shipped one

Corpus: SciFact train (5,183 abstracts) where `../shared/data` exists, else the small
BEIR fixture shipped with the tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import SCIFACT  # noqa: E402

from papertide.search._embed import MAX_TOKENS, ONNX_FILE, _OnnxBackend, embedding_text, export_onnx  # noqa: E402

FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "beir-mini"


def texts(folder: Path) -> list[str]:
    with (folder / "corpus.jsonl").open() as lines:
        docs = [json.loads(line) for line in lines]
    return [embedding_text(d.get("title", ""), d.get("text", "")) for d in docs]


def report(name: str, a: np.ndarray, b: np.ndarray) -> None:
    cosines = (a * b).sum(axis=1)
    print(f"{name:<44} least {cosines.min():.6f}  mean {cosines.mean():.6f}  "
          f"below 0.999: {(cosines < 0.999).mean():.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, help="a reference ONNX graph (else export)")
    parser.add_argument("--export", action="store_true", help="write the export over the shipped graph")
    args = parser.parse_args()
    if args.reference is None and importlib.util.find_spec("torch") is None:
        print("the export needs the `torch` extra (pip install '.[torch]'), or pass --reference")
        return
    folder = SCIFACT if SCIFACT.exists() else FIXTURE
    corpus = texts(folder)
    threads = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        reference = args.reference or export_onnx(Path(tmp) / "exported.onnx")
        same_bytes = reference.read_bytes() == ONNX_FILE.read_bytes()
        print(f"{len(corpus):,} documents from {folder.name}; graphs byte-identical: {same_bytes}")
        shipped = _OnnxBackend(MAX_TOKENS["default"], threads, ONNX_FILE)(corpus, 32)
        exported = _OnnxBackend(MAX_TOKENS["default"], threads, reference)(corpus, 32)
        report("shipped vs reference, batches of 32", shipped, exported)
        rebatched = _OnnxBackend(MAX_TOKENS["default"], threads, reference)(corpus, 8)
        report("reference at 32 vs itself at 8 (scale)", exported, rebatched)
        if args.export and not same_bytes:
            shutil.copyfile(reference, ONNX_FILE)
            print(f"wrote {ONNX_FILE}")


if __name__ == "__main__":
    main()
