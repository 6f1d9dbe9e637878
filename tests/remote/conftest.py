"""A real model server on loopback: llama.cpp's OpenAI-compatible server (llama-cpp-python's
``server`` extra) serving the embedded GGUF, started once for the session.

Its access log tells the tests which endpoint each request reached.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from redline.assistant import Assistant
from redline.config import load_settings
from redline.predictors.discovery import embedded_model_path, physical_cores

ALIAS = "smollm2"
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class ModelServer:
    """A running server: its URL (``api_base``), the model's litellm id and its log."""

    api_base: str
    model: str
    log: Path

    def requests(self, path: str) -> int:
        """How many requests to ``path`` (``/v1/completions``, ...) the server has answered."""
        return self.log.read_text(encoding="utf-8", errors="replace").count(f'"POST {path} HTTP')


def free_port() -> int:
    """A loopback port free now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_serving(process: subprocess.Popen[bytes], api_base: str, log: Path) -> None:
    """Return once the server lists its model; fail with its log if it exits or hangs."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            pytest.fail(f"the model server exited ({process.returncode}):\n{tail}")
        try:
            with urllib.request.urlopen(f"{api_base}/models", timeout=2) as reply:
                if ALIAS in [m["id"] for m in json.load(reply)["data"]]:
                    return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the model server did not serve within {START_TIMEOUT:.0f} s (log: {log})")


# `python -m llama_cpp.server`, its weights kept off llama.cpp's AMX kernels as redline's own
# are (see redline.predictors.amx): where the CPU has AMX, the plain server crashes.
SERVE = """
import runpy
from redline.predictors.amx import without_amx_kernels
with without_amx_kernels():
    runpy.run_module("llama_cpp.server", run_name="__main__")
"""


@pytest.fixture(scope="session")
def model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServer]:
    """``python -m llama_cpp.server`` with the embedded model on a free loopback port."""
    log = tmp_path_factory.mktemp("model-server") / "server.log"
    port = free_port()
    threads = str(load_settings().threads or physical_cores())
    command = [sys.executable, "-c", SERVE, "--model", str(embedded_model_path()),
               "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
               "--n_threads", threads, "--n_threads_batch", threads]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    api_base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_serving(process, api_base, log)
        yield ModelServer(api_base, f"openai/{ALIAS}", log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def assistant(
    model_server: ModelServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    """An assistant with a blank memory (one per test module) whose model is the server's."""
    settings = load_settings(
        {"data_dir": str(tmp_path_factory.mktemp("remote")), "model": model_server.model,
         "api_base": model_server.api_base}
    )  # fmt: skip
    with Assistant(settings=settings) as made:
        yield made
