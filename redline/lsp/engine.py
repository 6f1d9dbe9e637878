"""The Assistant behind the server: built and loaded off the event loop, used from two threads.

Requests (completions, drafts) run one at a time on the ``requests`` thread,
in order, so a completion asked for while the models load simply waits for
them. Background work (observing writing, learning from edits) runs on its
own thread and starts only once no request has come for a moment, so it
rarely competes with a keystroke's answer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from redline.config import Settings
from redline.errors import RedlineError

T = TypeVar("T")
# Background work waits until no request has come for this long (seconds).
QUIET_SECONDS = 1.0
LOAD_STEPS = ("opening your memory", "loading the language model", "loading the embedder")


class Engine:
    """Owns the Assistant; every call to it goes through :meth:`request` or :meth:`background`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.assistant: Any = None
        self.error: RedlineError | None = None
        self.loaded = threading.Event()
        self.last_request = 0.0
        self._closed = False
        self._requests = ThreadPoolExecutor(1, thread_name_prefix="redline-request")
        self._background = ThreadPoolExecutor(1, thread_name_prefix="redline-background")

    def load(self, report: Callable[[str, int], None]) -> Future[None]:
        """Build the Assistant and load its models on the requests thread.

        ``report(message, percent)`` is called before each step. A failure is
        kept in :attr:`error` (and raised from the future); the server keeps
        serving, with empty completions, until the settings change.
        """
        return self._requests.submit(self._load, report)

    def _load(self, report: Callable[[str, int], None]) -> None:
        self.loaded.clear()
        self.error = None
        if self.assistant is not None:
            self.assistant.close()
            self.assistant = None
        try:
            report(LOAD_STEPS[0], 0)
            from redline.assistant import Assistant

            assistant = Assistant(settings=self.settings)
            self.assistant = assistant
            report(LOAD_STEPS[1], 20)
            predictor = assistant.predictor
            if hasattr(predictor, "load"):
                predictor.load()
            if assistant.learning:
                report(LOAD_STEPS[2], 60)
                assistant.embedder.load()
                assistant.writing.phrases()
            assistant.complete("Warm up", uri="redline:warm-up")
        except RedlineError as exc:
            self.error = exc
            raise
        finally:
            self.loaded.set()

    def reload(self, report: Callable[[str, int], None], **changes: Any) -> Future[None]:
        """Load again with some settings changed (model, learning)."""
        self.settings = replace(self.settings, **changes)
        return self.load(report)

    async def request(self, call: Callable[..., T], *args: Any) -> T:
        """Run ``call(assistant, *args)`` on the requests thread and await its result."""
        self.last_request = time.monotonic()
        return await asyncio.wrap_future(self._requests.submit(self._with_assistant, call, *args))

    def background(self, call: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``call(assistant, *args)`` on the background thread once requests are quiet."""
        return self._background.submit(self._quietly, call, *args)

    def _with_assistant(self, call: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RedlineError("the language server is shutting down")
        if self.assistant is None:
            raise self.error or RedlineError("the models are not loaded")
        return call(self.assistant, *args)

    def _quietly(self, call: Callable[..., T], *args: Any) -> T:
        self.loaded.wait()
        while time.monotonic() - self.last_request < QUIET_SECONDS and not self._closed:
            time.sleep(0.1)
        return self._with_assistant(call, *args)

    def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for queued background work."""
        self._background.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        """Stop both threads and release the Assistant."""
        self._closed = True
        self.loaded.set()  # background work waiting for the models gives up
        self._background.shutdown(wait=True, cancel_futures=True)
        self._requests.shutdown(wait=True, cancel_futures=True)
        if self.assistant is not None:
            self.assistant.close()
            self.assistant = None
