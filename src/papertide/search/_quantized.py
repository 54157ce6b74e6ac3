"""The shipped int8 graph as this CPU runs it without saturation.

The graph's matrix weights are signed int8, multiplied with uint8 activations. On x86 CPUs
without VNNI (AVX2, AVX-512 without VNNI) ONNX Runtime multiplies such pairs with an
instruction that adds two products into a 16-bit lane and saturates there, so large
products are cut off: on such a CPU (an AMD EPYC with AVX2) the shipped graph's vectors
were at cosine 0.988–0.994 to the ones it gives with VNNI. With the weights as uint8 (each
plus 128, and its zero point with it: the same numbers) ONNX Runtime takes its uint8 ×
uint8 kernels, which widen before they add: cosine 0.998–1.000 on that CPU
(tests/search/test_shipped_model.py). There a query embeds as fast either way (4.5 ms) and
a batch 9 % slower (8.2 against 9.0 arXiv abstracts a second).

    model = runnable(ONNX_FILE)   # the path itself, or the converted graph's bytes

VNNI CPUs, ARM and others keep the file as shipped (their kernels do not saturate, and
uint8 × uint8 would be slower on VNNI).
"""

from __future__ import annotations

import logging
import platform
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

# (op type, (weight input, weight zero point input)) of the graph's integer products.
_WEIGHTS = {"MatMulInteger": (1, 3), "QAttention": (1, 7)}


def saturates(machine: str | None = None, flags: str | None = None) -> bool:
    """Whether ONNX Runtime's int8 × uint8 products saturate on this CPU: an x86 CPU
    whose flags name no VNNI. Where the flags cannot be read, the safe answer (yes)."""
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return False
    if flags is None:
        flags = _cpu_flags()
    return not any(flag in flags.split() for flag in ("avx512_vnni", "avx_vnni", "amx_int8"))


def _cpu_flags() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1] for line in f if line.startswith("flags")), "")
    except OSError:
        return ""


@cache
def runnable(path: Path) -> str | bytes:
    """What to hand ONNX Runtime for the graph at `path` on this CPU."""
    if not saturates():
        return str(path)
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    initializers = {i.name: i for i in model.graph.initializer}
    shifted: set[str] = set()
    for node in model.graph.node:
        for index in _WEIGHTS.get(node.op_type, ()):
            name = node.input[index] if index < len(node.input) else ""
            tensor = initializers.get(name)
            if tensor is None or name in shifted:
                continue
            values = numpy_helper.to_array(tensor)
            if values.dtype != np.int8:
                continue
            tensor.CopyFrom(numpy_helper.from_array(
                (values.astype(np.int16) + 128).astype(np.uint8), name))
            shifted.add(name)
    log.info("embedding model: %d int8 weights as uint8 (this CPU has no VNNI)", len(shifted))
    return model.SerializeToString()
