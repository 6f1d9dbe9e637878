"""Start-up: both servers answer `initialize` over stdio, and nothing heavy is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from redline.bench.lsp import BARE_SERVER, LspBench, format_lsp_table, time_initialize

HEAVY = ("torch", "sentence_transformers", "litellm", "llama_cpp", "transformers", "langgraph")


def test_both_servers_answer_initialize_and_the_table_shows_ratios(tmp_path: Path) -> None:
    env = {**os.environ, "REDLINE_DATA_DIR": str(tmp_path / "data")}
    bare, bare_rss = time_initialize([sys.executable, "-c", BARE_SERVER], env)
    redline, redline_rss = time_initialize([sys.executable, "-m", "redline", "lsp"], env)
    assert 0 < bare < 30 and 0 < redline < 30
    assert bare_rss > 0 and redline_rss > 0
    assert not (tmp_path / "data").exists()  # initialize loads nothing, opens nothing
    paths = ["model", "cache"]
    result = LspBench([redline], [bare], [0.2, 0.003], [0.2, 0.001], paths, {"model": 1}, 1, 1)
    table = format_lsp_table(result)
    assert table.row_count == 7 and "model 1" in str(table.caption)


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
