"""The terminal UI shows before any model library is imported."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "sentence_transformers", "litellm", "llama_cpp", "transformers")


def test_app_mounts_every_screen_without_model_libraries(data_dir) -> None:
    code = (
        "import asyncio, sys\n"
        "from redline.config import load_settings\n"
        "from redline.tui.app import RedlineApp\n"
        "async def main():\n"
        f"    app = RedlineApp(load_settings({{'data_dir': {str(data_dir)!r}}}), warm=False)\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        for key in ('f3', 'f4', 'f5', 'f2', 'f1'):\n"
        "            await pilot.press(key)\n"
        "        await pilot.pause(0.5)\n"
        "asyncio.run(main())\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
