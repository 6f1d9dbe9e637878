"""`redline bench complete --model ... --api-base ...`: the remote path timed beside its
predictor alone on the same typing."""

from __future__ import annotations

from pathlib import Path

from redline.bench.latency import bench_remote
from redline.config import load_settings
from tests.remote.conftest import ModelServer

TARGET = "Hi all, quick update on the new schedule for the lab this week."


def test_the_remote_path_is_timed_beside_its_predictor_alone(
    model_server: ModelServer, tmp_path: Path
) -> None:
    settings = load_settings(
        {"data_dir": str(tmp_path), "model": model_server.model, "api_base": model_server.api_base}
    )
    before = model_server.requests("/v1/completions")
    path, alone, cached = bench_remote(settings, history=[], targets=[TARGET])
    assert path.name == f"redline, {model_server.model} (model ran)"
    assert path.calls == alone.calls > 0
    assert 0 < path.p50_ms <= path.p95_ms and 0 < alone.p50_ms <= alone.p95_ms
    assert model_server.requests("/v1/completions") > before + path.calls
