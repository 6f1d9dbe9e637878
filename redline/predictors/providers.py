"""litellm as redline uses it: imported quietly, asked which endpoint a model has, and its
failures told as a ModelError that says what to do.

litellm prints banners ("Give Feedback / Get Help"), debug hints and log lines to the
terminal, some of them to stdout, where the language server speaks its protocol: all of
that is switched off (``LITELLM_LOG`` set by the user turns its log back on).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from redline.errors import ConfigError, ModelError

# Seconds a request may wait for the server (a connection, the next token).
TIMEOUT = 120.0
# The key sent to a self-hosted server when none is configured: the OpenAI client refuses
# to send a request without one, and servers started without a key ignore it.
NO_KEY = "no-key"
# litellm's providers whose text completion endpoint is not an OpenAI-compatible one.
TEXT_PROVIDERS = frozenset({"text-completion-openai", "azure_text", "text-completion-codestral"})
_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy")
# litellm's prefixes before the provider's own message: "litellm.NotFoundError: NotFoundError:
# OpenAIException - ".
_PREFIXES = re.compile(r"^(?:litellm\.\w+: )?(?:\w+: )?(?:[\w-]+Exception - )?")


def import_litellm() -> Any:
    """litellm, without its network fetch of the model cost map, its telemetry or its output."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    if "LITELLM_LOG" not in os.environ:
        for name in _LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    return litellm


def provider_of(model: str) -> tuple[str, str]:
    """(the model's name at its provider, litellm's provider) for a litellm model id."""
    litellm = import_litellm()
    try:
        name, provider, _, _ = litellm.get_llm_provider(model=model)
    except Exception as exc:  # litellm raises its BadRequestError for an unknown provider
        raise ModelError(
            f"litellm does not know the provider of the model {model!r}",
            "prefix the model with its provider: openai/ (llama.cpp's server and other "
            "OpenAI-compatible servers), hosted_vllm/, ollama/ ... (see the README)",
        ) from exc
    return name, provider


def has_text_endpoint(model: str) -> bool:
    """Whether litellm sends a text completion for ``model`` to an endpoint that continues the
    prompt (``/v1/completions``, Ollama's ``/api/generate``), not to a chat endpoint.

    OpenAI's own chat models have none; any other name under ``openai/`` is taken for a model
    of an OpenAI-compatible server, as litellm does.
    """
    litellm = import_litellm()
    name, provider = provider_of(model)
    if provider == "openai":
        return name not in litellm.open_ai_chat_completion_models
    return (
        provider in TEXT_PROVIDERS
        or provider == "ollama"
        or provider in litellm.openai_text_completion_compatible_providers
    )


def configured_key(key: str, key_env: str) -> str:
    """The API key the settings give: ``key``, else the variable ``key_env`` names; "" for none."""
    if key or not key_env:
        return key
    value = os.environ.get(key_env, "")
    if not value:
        raise ConfigError(
            f"api_key_env = {key_env!r}, but no environment variable {key_env} is set",
            f"export {key_env}=<your key>, or set api_key_env to the variable that holds it",
        )
    return value


def key_to_send(model: str, api_base: str | None, key: str) -> str | None:
    """``key``; without one, a placeholder for a server at ``api_base`` when the provider's own
    variable is not set either; None lets litellm read that variable (OPENAI_API_KEY, ...)."""
    if key:
        return key
    if api_base and not import_litellm().validate_environment(model=model)["keys_in_environment"]:
        return NO_KEY
    return None


def model_error(exc: BaseException, model: str, api_base: str | None) -> ModelError:
    """What went wrong in a call of ``model``, and the fix, from a litellm exception."""
    where = api_base or "the provider's API"
    detail = _PREFIXES.sub("", str(exc).strip().splitlines()[0] if str(exc).strip() else "")[:300]
    chain = _causes(exc)
    status = getattr(exc, "status_code", None)
    names = {type(e).__name__ for e in chain}
    if "Missing credentials" in detail or status in (401, 403):
        return ModelError(
            f"{where} refused to serve {model} without a valid API key ({detail})",
            "set api_key_env to the name of an environment variable that holds the key "
            "(or api_key), or set the provider's own variable (OPENAI_API_KEY, ...)",
        )
    if names & {"Timeout", "APITimeoutError", "ReadTimeout", "ConnectTimeout"}:
        return ModelError(
            f"{where} did not answer for {model} within {TIMEOUT:.0f} s",
            "check that the server is up and not overloaded, or use a smaller model",
        )
    if names & {"ConnectError", "ConnectionRefusedError", "APIConnectionError"}:
        return ModelError(
            f"cannot reach {where} for the model {model} ({detail})",
            "start the model server, or set api_base to its URL "
            "(OpenAI-compatible servers' URLs end in /v1)",
        )
    if status == 404:
        listing = f"`curl {api_base}/models` lists the server's models" if api_base else ""
        return ModelError(
            f"{where} has no model {model}, or no such endpoint ({detail})",
            "check the model id and api_base (OpenAI-compatible servers' URLs end in /v1)"
            + (f"; {listing}" if listing else ""),
        )
    return ModelError(
        f"the model {model} at {where} failed: {detail or type(exc).__name__}",
        "check the model id, api_base and the server (redline doctor)",
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or during."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain
