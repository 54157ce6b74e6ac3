"""The shipped int8 ONNX model: it embeds without PyTorch and gives the vectors the
`default` profile gave when it exported the graph from the PyTorch weights itself."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.helpers import FIXTURES


@pytest.mark.slow
def test_shipped_model_gives_the_exported_models_vectors():
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    from papertide.search._embed import Embedder, embedding_text

    folder = FIXTURES / "beir-mini"
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open()]
    # Recorded one document at a time by the export the shipped graph replaces: int8
    # activations are scaled per batch, so only the same batching can be compared.
    reference = np.load(folder / "embeddings-default.npy")
    embedder = Embedder("default")
    vectors = np.concatenate([embedder.embed([embedding_text(d["title"], d["text"])])
                              for d in docs])
    cosines = (vectors * reference).sum(axis=1)
    # Recorded on a CPU with VNNI (≥ 0.999 there). Without VNNI the weights run as uint8
    # (`_quantized`): 0.998 on an AVX2 CPU, where the graph as shipped gave 0.988.
    assert cosines.min() >= 0.997, sorted(cosines)[:5]


@pytest.mark.slow
def test_default_profile_embeds_without_pytorch():
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    code = ("import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
            "from papertide.search._embed import Embedder\n"
            "v = Embedder('default').embed(['graph neural networks'])\n"
            "print(v.shape, round(float((v * v).sum()), 3))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "(1, 384) 1.0"
