"""Loading a model around llama.cpp's AMX kernels, which crash.

llama.cpp built for a CPU with Intel AMX (Sapphire Rapids and later; the
default build is native) repacks the weights for its AMX matrix kernels, and
the first decode then dies of a segmentation fault in
``ggml_backend_amx_mul_mat`` (ggml-org/llama.cpp#20824, open; seen here with
SmolLM2's Q4_1 weights). Where the build has them, models load without the
extra buffer types that route work to those kernels: AVX-512 does the work,
which for models of this size costs nothing measurable.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


def has_amx_kernels() -> bool:
    """Whether this llama.cpp build was compiled with its AMX kernels."""
    import llama_cpp.llama_cpp as native

    return b"AMX_INT8 = 1" in native.llama_print_system_info()


@contextlib.contextmanager
def without_amx_kernels() -> Iterator[None]:
    """Models loaded inside this block keep their weights off the AMX kernels.

    ``Llama`` takes its model parameters from ``llama_model_default_params``
    and offers no argument for extra buffer types, so the default is swapped
    for the block's duration.
    """
    import llama_cpp.llama_cpp as native

    if not has_amx_kernels():
        yield
        return
    default = native.llama_model_default_params

    def params() -> Any:
        chosen = default()
        chosen.use_extra_bufts = False
        return chosen

    native.llama_model_default_params = params
    try:
        yield
    finally:
        native.llama_model_default_params = default
