"""Start-up: both servers answer `initialize` over stdio, nothing heavy is imported, and the
first suggestion does not wait for the models."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from redline.assistant import Assistant
from redline.bench.lsp import (
    BARE_SERVER,
    FirstSuggestion,
    LspBench,
    format_lsp_table,
    phrase_prefix,
    time_first_suggestion,
    time_initialize,
)
from tests.conftest import sample_texts

HEAVY = ("torch", "sentence_transformers", "litellm", "llama_cpp", "transformers", "langgraph")


def test_both_servers_answer_initialize_and_the_table_shows_ratios(tmp_path: Path) -> None:
    env = {**os.environ, "REDLINE_DATA_DIR": str(tmp_path / "data")}
    bare, bare_rss = time_initialize([sys.executable, "-c", BARE_SERVER], env)
    redline, redline_rss = time_initialize([sys.executable, "-m", "redline", "lsp"], env)
    assert 0 < bare < 30 and 0 < redline < 30
    assert bare_rss > 0 and redline_rss > 0
    assert not (tmp_path / "data").exists()  # initialize loads nothing, opens nothing
    paths = ["model", "cache"]
    first = [FirstSuggestion(1.5, "phrases", 9.0, 1)]
    result = LspBench(
        [redline], [bare], [0.2, 0.003], [0.2, 0.001], paths, {"model": 1}, 1, 1, first
    )
    table = format_lsp_table(result)
    assert table.row_count == 8 and "model 1" in str(table.caption)
    assert "first suggestions from: phrases" in str(table.caption)


def test_a_fresh_server_suggests_from_phrases_before_its_models_are_loaded(
    tmp_path: Path,
) -> None:
    history = sample_texts()
    with Assistant(data_dir=tmp_path / "data") as assistant:
        for text in history:
            assistant.observe_writing(text)
    env = {**os.environ, "REDLINE_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "redline", "lsp"]
    first = asyncio.run(time_first_suggestion(command, env, phrase_prefix(history)))
    assert first.source == "phrases", first
    assert first.seconds < first.models_loaded, first


def test_the_server_imports_no_model_library_before_the_first_request() -> None:
    code = (
        "import sys\n"
        "from redline.cli import lsp_cmd\n"
        "from redline.config import Settings\n"
        "from redline.lsp.server import build_server\n"
        "build_server(Settings())\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
