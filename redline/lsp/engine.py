"""The Assistant behind the server: opened, then loaded, off the event loop; used from threads.

    load() ─▶ requests thread: open the memory (the Assistant; no model yet)
                 │
                 ▼
              loader thread: load the language model and the embedder, warm up ─▶ loaded

Requests (completions, drafts) run one at a time on the ``requests`` thread,
in order. A completion asked for while the models load is answered at once
from the user's phrases (``request(..., models=False)`` and ``loaded``); a
draft waits for them. Background work (observing writing, learning from
edits) runs on its own thread once the models are loaded and no request has
come for a moment, so it rarely competes with a keystroke's answer.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import replace
from typing import Any, TypeVar

from redline.config import Settings
from redline.errors import ModelError, RedlineError

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
        self.loaded = threading.Event()  # the models of the current Assistant are loaded
        self.last_request = 0.0
        self._closed = False
        self._loading: Future[None] | None = None
        self._requests = ThreadPoolExecutor(1, thread_name_prefix="redline-request")
        self._loader = ThreadPoolExecutor(1, thread_name_prefix="redline-loader")
        self._background = ThreadPoolExecutor(1, thread_name_prefix="redline-background")

    def load(self, report: Callable[[str, int], None]) -> Future[None]:
        """Open the memory, then load the models; the future ends when both are done.

        Call it from the event loop as soon as the settings are known: the
        opening is queued on the requests thread before any request that
        follows. ``report(message, percent)`` is called before each step. A
        failure is kept in :attr:`error` (and raised from the future); the
        server keeps serving, with empty completions, until the settings change.
        """
        self.loaded.clear()
        previous, done = self._loading, Future()
        self._loading = done
        self._requests.submit(self._open, previous, done, report)
        return done

    def _open(
        self, previous: Future[None] | None, done: Future[None], report: Callable[[str, int], None]
    ) -> None:
        if previous is not None:  # the models of the last Assistant finish loading first
            wait_for([previous])
        self.loaded.clear()
        self.error = None
        if self.assistant is not None:
            self.assistant.close()
            self.assistant = None
        try:
            report(LOAD_STEPS[0], 0)
            from redline.assistant import Assistant

            self.assistant = Assistant(settings=self.settings)
        except RedlineError as exc:
            self._failed(done, exc)
            return
        self._loader.submit(self._load_models, self.assistant, done, report)

    def _load_models(
        self, assistant: Any, done: Future[None], report: Callable[[str, int], None]
    ) -> None:
        try:
            report(LOAD_STEPS[1], 20)
            predictor = assistant.predictor
            if hasattr(predictor, "load"):
                predictor.load()
            if assistant.learning:
                report(LOAD_STEPS[2], 60)
                assistant.embedder.load()
            # One completion through the model: its first call costs more than later ones.
            # The Assistant's lock keeps it from running beside a request's completion.
            assistant.complete("Warm up", uri="redline:warm-up")
        except Exception as exc:  # a backend's own error too: the future says what it was
            self._failed(done, exc)
            return
        self.loaded.set()
        done.set_result(None)

    def _failed(self, done: Future[None], exc: Exception) -> None:
        if isinstance(exc, RedlineError):
            self.error = exc
        else:
            self.error = ModelError(f"the models could not be loaded: {exc}")
            self.error.__cause__ = exc
        self.loaded.set()  # nothing more will load: waiting requests get the error
        done.set_exception(self.error)

    def reload(self, report: Callable[[str, int], None], **changes: Any) -> Future[None]:
        """Load again with some settings changed (model, learning)."""
        self.settings = replace(self.settings, **changes)
        return self.load(report)

    async def request(self, call: Callable[..., T], *args: Any, models: bool = True) -> T:
        """Run ``call(assistant, *args)`` on the requests thread and await its result.

        With ``models=False`` the call runs as soon as the memory is open,
        whether or not the models are loaded yet (it checks :attr:`loaded`).
        """
        self.last_request = time.monotonic()
        run = self._with_models if models else self._with_assistant
        return await asyncio.wrap_future(self._requests.submit(run, call, *args))

    def background(self, call: Callable[..., T], *args: Any) -> Future[T]:
        """Run ``call(assistant, *args)`` on the background thread once requests are quiet."""
        return self._background.submit(self._quietly, call, *args)

    def _with_assistant(self, call: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise RedlineError("the language server is shutting down")
        if self.assistant is None:
            raise self.error or RedlineError("the models are not loaded")
        return call(self.assistant, *args)

    def _with_models(self, call: Callable[..., T], *args: Any) -> T:
        if self._loading is None:
            raise RedlineError("the models are not loaded")
        self.loaded.wait()
        if self.error is not None:
            raise self.error
        return self._with_assistant(call, *args)

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
        self._loader.shutdown(wait=True, cancel_futures=True)
        self._requests.shutdown(wait=True, cancel_futures=True)
        if self.assistant is not None:
            self.assistant.close()
            self.assistant = None
