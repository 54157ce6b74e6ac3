"""The int8 graph on CPUs whose int8 products saturate: which CPUs, and what changes."""

import numpy as np
import pytest

from papertide.search._quantized import saturates

AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma"


def test_an_x86_cpu_without_vnni_saturates():
    assert saturates("x86_64", AVX2)
    assert saturates("AMD64", AVX2 + " avx512f avx512bw")  # AVX-512 alone: still no VNNI


@pytest.mark.parametrize("flags", [AVX2 + " avx512f avx512_vnni", AVX2 + " avx_vnni",
                                   AVX2 + " amx_int8"])
def test_vnni_does_not(flags):
    assert not saturates("x86_64", flags)


def test_other_architectures_and_unreadable_flags():
    assert not saturates("aarch64", "")
    assert not saturates("arm64", "")
    assert saturates("x86_64", "")  # flags unknown: the safe way


def test_a_vnni_name_inside_another_flag_does_not_count():
    assert saturates("x86_64", AVX2 + " not_avx512_vnni_really")


@pytest.mark.slow
def test_the_converted_graph_holds_the_same_numbers():
    pytest.importorskip("onnx", reason="the `semantic` extra is not installed")
    import onnx
    from onnx import numpy_helper

    from papertide.search._embed import ONNX_FILE
    from papertide.search._quantized import runnable

    converted = runnable(ONNX_FILE)
    if isinstance(converted, str):
        pytest.skip("this CPU runs the graph as shipped (VNNI or not x86)")
    shipped = {i.name: numpy_helper.to_array(i)
               for i in onnx.load(str(ONNX_FILE)).graph.initializer}
    model = onnx.load_from_string(converted)
    changed = 0
    for tensor in model.graph.initializer:
        values, before = numpy_helper.to_array(tensor), shipped[tensor.name]
        if values.dtype == np.uint8 and before.dtype == np.int8:
            np.testing.assert_array_equal(values.astype(np.int16) - 128, before)
            changed += 1
        else:
            np.testing.assert_array_equal(values, before)
    assert changed == 48  # 18 MatMulInteger and 6 QAttention weights, with their zero points
