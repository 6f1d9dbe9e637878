"""Shared fixtures: the real embedder (loaded once per session) and fresh data dirs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from redline.memory.embedder import Embedder
from redline.memory.store import Store

# Never read the developer's own config.toml or write to their data dir.
_ISOLATION = Path(tempfile.mkdtemp(prefix="redline-tests-"))
os.environ["REDLINE_CONFIG"] = str(_ISOLATION / "no-config.toml")
os.environ["REDLINE_DATA_DIR"] = str(_ISOLATION / "default-data")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "redline" / "data" / "sample"


def sample_texts() -> list[str]:
    """The writing sample bundled with redline (a lab manager's mails, notes and posts)."""
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DIR.glob("*.md"))]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 embedder on CPU, loaded once for the whole session."""
    model = Embedder(device="cpu")
    model.load()
    return model


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory of its own for each test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A real SQLite store in the test's data dir, closed afterwards."""
    opened = Store(data_dir)
    yield opened
    opened.close()
