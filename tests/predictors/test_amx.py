"""Weights stay off llama.cpp's AMX kernels where the build has them, and only inside the block."""

from __future__ import annotations

import llama_cpp.llama_cpp as native

from redline.predictors.amx import has_amx_kernels, without_amx_kernels


def test_extra_buffer_types_are_off_inside_the_block_only_where_amx_is_built() -> None:
    assert native.llama_model_default_params().use_extra_bufts
    with without_amx_kernels():
        assert native.llama_model_default_params().use_extra_bufts is not has_amx_kernels()
    assert native.llama_model_default_params().use_extra_bufts


def test_the_default_is_restored_after_an_error() -> None:
    default = native.llama_model_default_params
    try:
        with without_amx_kernels():
            raise KeyError("inside")
    except KeyError:
        pass
    assert native.llama_model_default_params is default
