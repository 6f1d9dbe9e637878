"""Helpers for the terminal UI tests: the real app over a fresh data dir, and waiting on it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from redline.config import load_settings
from redline.tui.app import RedlineApp


def make_app(data_dir: Path, **kwargs: object) -> RedlineApp:
    """The real app over ``data_dir``, on the embedded model."""
    return RedlineApp(settings=load_settings({"data_dir": str(data_dir)}), **kwargs)


async def wait_for(pilot: Pilot, condition: Callable[[], object], timeout: float = 180) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            shown = [n.message for n in pilot.app._notifications]
            raise AssertionError(f"timed out waiting for the app; notifications: {shown}")
        await pilot.pause(0.05)
        await asyncio.sleep(0)


def showing(app: RedlineApp, kind: type) -> bool:
    """Whether a screen of ``kind`` is on top and mounted (its widgets can be queried)."""
    return isinstance(app.screen, kind) and app.screen.is_mounted
