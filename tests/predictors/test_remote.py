"""The litellm backend: chosen for model ids, imported lazily, failures reported clearly."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from redline import Assistant
from redline.config import load_settings
from redline.errors import ModelError
from redline.predictors.remote import LiteLLMPredictor


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_model_id_selects_litellm_which_reports_an_unreachable_server(tmp_path: Path) -> None:
    api_base = f"http://127.0.0.1:{closed_port()}"
    settings = load_settings(
        {"data_dir": str(tmp_path), "model": "openai/some-model", "api_base": api_base}
    )
    with Assistant(settings=settings) as assistant:
        predictor = assistant.predictor
        assert isinstance(predictor, LiteLLMPredictor)
        assert predictor.api_base == api_base
        with pytest.raises(ModelError) as caught:
            assistant.complete("Thanks for the quick")
    assert "openai/some-model" in caught.value.message
    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
