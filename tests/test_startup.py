"""Start-up stays light: nothing heavy is imported until a model is needed."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "litellm", "llama_cpp", "transformers")


def test_cli_and_assistant_construction_import_no_model_library(tmp_path) -> None:
    code = (
        "import sys\n"
        "from redline.cli import bench, config_cmd, core\n"
        "from redline import Assistant\n"
        f"Assistant(data_dir={str(tmp_path)!r}).close()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
