"""Smoke test of the real `redline tui` in a tmux terminal of 80x24: it starts, types, quits."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

REDLINE = Path(sys.executable).with_name("redline")


def _screen(session: str) -> str:
    result = subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    )
    return result.stdout


def _wait_for(session: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen:\n{_screen(session)}")


def test_redline_tui_in_tmux(data_dir, tmp_path) -> None:
    session = f"redline-test-{uuid.uuid4().hex[:8]}"
    exit_file = tmp_path / "exit"
    command = (
        f"{shlex.quote(str(REDLINE))} --data-dir {shlex.quote(str(data_dir))} tui;"
        f" echo $? > {shlex.quote(str(exit_file))}"
    )
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command],
        check=True,
        env=env,
    )
    try:
        started = time.monotonic()
        screen = _wait_for(session, "Conversations")
        assert time.monotonic() - started < 15, "the app took too long to show"
        assert "F2 Chat" in screen and "Help" in screen

        subprocess.run(["tmux", "send-keys", "-t", session, "F3"], check=True)
        _wait_for(session, "Draft...")
        subprocess.run(
            ["tmux", "send-keys", "-t", session, "-l", "Dear team, the move"], check=True
        )
        _wait_for(session, "Dear team, the move")

        subprocess.run(["tmux", "send-keys", "-t", session, "F4"], check=True)
        _wait_for(session, "no preferences yet")

        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        deadline = time.monotonic() + 60
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
