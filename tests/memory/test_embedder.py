"""The real all-MiniLM-L6-v2 embedder."""

from __future__ import annotations

import numpy as np
import pytest

from redline.errors import ModelError
from redline.memory.embedder import Embedder, torch_device


def test_embeddings_are_unit_rows(embedder: Embedder) -> None:
    vectors = embedder.embed(["Hello there.", "A second, longer sentence about tea."])
    assert vectors.shape == (2, Embedder.dimension)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_no_texts_give_an_empty_matrix(embedder: Embedder) -> None:
    vectors = embedder.embed([])
    assert vectors.shape == (0, Embedder.dimension)
    assert vectors.dtype == np.float32


def test_meaning_is_closer_than_words(embedder: Embedder) -> None:
    anchor, paraphrase, other = embedder.embed(
        [
            "The meeting is moved to Thursday afternoon.",
            "We rescheduled the call for Thursday after lunch.",
            "The meeting room has a broken projector lamp.",
        ]
    )
    assert float(anchor @ paraphrase) > float(anchor @ other)


def test_runs_on_the_device_asked(embedder: Embedder) -> None:
    assert embedder.device == "cpu"
    assert torch_device("cpu") == "cpu"
    assert torch_device("auto") in ("cpu", "cuda")


def test_cuda_without_a_gpu_is_a_model_error() -> None:
    import torch

    if torch.cuda.is_available():
        assert torch_device("cuda") == "cuda"
        return
    with pytest.raises(ModelError, match="embedding_device"):
        torch_device("cuda")
