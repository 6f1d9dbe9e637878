"""A progress report that can start before the client's progress bar exists.

The models begin to load the moment the client says ``initialized``, but a
``$/progress`` token needs a round trip to the client first: steps reported
meanwhile are kept, and the latest is shown once the bar is there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Report = Callable[[str, int], None]


class ProgressRelay:
    """A thread-safe ``report(message, percent)`` forwarding to a report attached later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: Report | None = None
        self._latest: tuple[str, int] | None = None

    def __call__(self, message: str, percent: int) -> None:
        with self._lock:
            self._latest = (message, percent)
            target = self._target
        if target is not None:
            target(message, percent)

    def attach(self, target: Report) -> None:
        """Send the steps to ``target`` from now on, starting with the latest one."""
        with self._lock:
            self._target, latest = target, self._latest
        if latest is not None:
            target(*latest)
