"""The litellm backend: chosen for model ids, imported lazily and quietly, its key found from the
settings, its endpoint from the model id, failures reported clearly (tests/remote runs it
against a real model server)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from redline import Assistant
from redline.config import load_settings
from redline.errors import ConfigError, ModelError
from redline.predictors.base import Prompt, generate
from redline.predictors.providers import NO_KEY, configured_key, has_text_endpoint, key_to_send
from redline.predictors.remote import LiteLLMPredictor


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_model_id_selects_litellm_which_reports_an_unreachable_server(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}/v1"
    settings = load_settings(
        {"data_dir": str(tmp_path), "model": "openai/some-model", "api_base": api_base}
    )
    with Assistant(settings=settings) as assistant:
        predictor = assistant.predictor
        assert isinstance(predictor, LiteLLMPredictor)
        assert predictor.api_base == api_base
        with pytest.raises(ModelError) as caught:
            assistant.complete("Thanks for the quick")
    assert caught.value.message.startswith(f"cannot reach {api_base} for the model openai/some")
    assert "start the model server" in caught.value.hint
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    # No banner, debug hint or log line of litellm's on the terminal.
    out, err = capfd.readouterr()
    assert out == "" and "Give Feedback" not in err and "LiteLLM" not in err


def test_the_key_is_the_setting_else_the_variable_it_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MY_SERVER_KEY", "from-the-variable")
    assert configured_key("given", "MY_SERVER_KEY") == "given"
    assert configured_key("", "MY_SERVER_KEY") == "from-the-variable"
    assert configured_key("", "") == ""
    monkeypatch.delenv("MY_SERVER_KEY")
    with pytest.raises(ConfigError) as caught:
        configured_key("", "MY_SERVER_KEY")
    assert "MY_SERVER_KEY" in caught.value.message and "export MY_SERVER_KEY" in caught.value.hint


def test_an_unset_key_variable_is_reported_when_the_predictor_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VARIABLE", raising=False)
    monkeypatch.setenv("REDLINE_API_KEY_ENV", "NO_SUCH_KEY_VARIABLE")
    settings = load_settings({"data_dir": str(tmp_path), "model": "openai/some-model"})
    with Assistant(settings=settings) as assistant, pytest.raises(ConfigError):
        assistant.predictor  # noqa: B018


def test_a_server_without_a_configured_key_gets_a_placeholder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    base = "http://127.0.0.1:8080/v1"
    assert key_to_send("openai/smollm2", base, "") == NO_KEY
    assert key_to_send("openai/smollm2", base, "secret") == "secret"
    assert key_to_send("openai/gpt-4o-mini", None, "") is None  # the provider's API: its own
    monkeypatch.setenv("OPENAI_API_KEY", "the-users-own")
    assert key_to_send("openai/smollm2", base, "") is None  # litellm sends the user's variable


@pytest.mark.parametrize(
    ("model", "continues"),
    [
        ("openai/smollm2", True),  # llama.cpp's server, any OpenAI-compatible server
        ("hosted_vllm/Qwen/Qwen2.5-1.5B", True),
        ("ollama/llama3.2", True),
        ("openai/gpt-4o-mini", False),  # OpenAI's chat models have no completions endpoint
        ("anthropic/claude-3-5-haiku-20241022", False),
    ],
)
def test_the_model_id_says_whether_suggestions_continue_the_text(
    model: str, continues: bool
) -> None:
    assert has_text_endpoint(model) is continues


def test_an_unknown_provider_is_named_with_the_fix() -> None:
    predictor = LiteLLMPredictor("nosuchprovider/model", "http://127.0.0.1:1/v1")
    with pytest.raises(ModelError) as caught:
        generate(predictor, Prompt("Hi all, quick update on the"), max_tokens=4)
    assert "nosuchprovider/model" in caught.value.message
    assert "openai/" in caught.value.hint and "hosted_vllm/" in caught.value.hint
