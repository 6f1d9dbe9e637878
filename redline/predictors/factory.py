"""Choose the backend a model setting names."""

from __future__ import annotations

from redline.config import Settings
from redline.predictors.base import Predictor
from redline.predictors.discovery import is_local_model, resolve_gguf


def make_predictor(settings: Settings) -> Predictor:
    """A llama.cpp predictor for a local GGUF, a litellm predictor for anything else.

    Nothing is loaded or imported here beyond the backend's own module: the
    llama.cpp model loads on first use, litellm is imported on first call.
    """
    if is_local_model(settings.model):
        from redline.predictors.llama import LlamaPredictor

        return LlamaPredictor(
            resolve_gguf(settings.model),
            gpu_layers=settings.gpu_layers,
            threads=settings.threads,
            context_size=settings.context_size,
        )
    from redline.predictors.providers import configured_key
    from redline.predictors.remote import LiteLLMPredictor

    key = configured_key(settings.api_key, settings.api_key_env)
    return LiteLLMPredictor(settings.model, settings.api_base, key)
