"""Sentence embeddings from the all-MiniLM-L6-v2 model shipped as a PyPI package."""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

from redline.errors import ModelError
from redline.predictors.discovery import embedding_model_dir


def torch_device(setting: str = "auto") -> str:
    """'cuda' when asked for or available (under 'auto'), else 'cpu'."""
    import torch

    if setting == "cuda" and not torch.cuda.is_available():
        raise ModelError(
            "embedding_device = 'cuda' but torch sees no CUDA device",
            "set embedding_device = 'auto' or 'cpu'",
        )
    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


class Embedder:
    """Normalised sentence embeddings; the model (and torch) load on first use."""

    dimension = 384

    def __init__(self, device: str = "auto") -> None:
        self.device_setting = device
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.logging.disable_progress_bar()

                # Embedding one paragraph gains nothing from more threads, and
                # torch's idle threads spin and starve llama.cpp's on small machines.
                torch.set_num_threads(1)

                self._model = SentenceTransformer(
                    str(embedding_model_dir()), device=torch_device(self.device_setting)
                )
            return self._model

    @property
    def device(self) -> str:
        return str(self.load().device)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.load().encode(
            texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)
