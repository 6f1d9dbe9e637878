"""The redline terminal UI: one App, a mode per screen, every blocking call in a thread worker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import Worker, get_current_worker

from redline.config import Settings, load_settings
from redline.errors import RedlineError
from redline.tui.chat import ChatScreen
from redline.tui.help import HelpScreen
from redline.tui.preferences import PreferencesScreen
from redline.tui.prompts import PromptsScreen
from redline.tui.write import WriteScreen


def describe_error(exc: BaseException) -> str:
    """A user-facing line for an error: a RedlineError's message and hint, else its type."""
    if isinstance(exc, RedlineError):
        return exc.message + (f"\nfix: {exc.hint}" if exc.hint else "")
    return f"{type(exc).__name__}: {exc}"


class RedlineApp(App[None]):
    """Chat, write with suggestions, review what was learned, manage preferences."""

    TITLE = "redline"
    CSS_PATH = "app.tcss"
    MODES = {
        "chat": ChatScreen,
        "write": WriteScreen,
        "preferences": PreferencesScreen,
        "prompts": PromptsScreen,
    }
    DEFAULT_MODE = "chat"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "switch_mode('chat')", "Chat", show=False),
        Binding("f3", "switch_mode('write')", "Write", show=False),
        Binding("f4", "switch_mode('preferences')", "Prefs", show=False),
        Binding("f5", "switch_mode('prompts')", "Prompts", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    busy: reactive[str] = reactive("")

    def __init__(
        self,
        settings: Settings | None = None,
        document: Path | None = None,
        warm: bool = True,
        chat_tokens: int | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or load_settings({})
        self.document = document
        self.warm = warm
        self.chat_tokens = chat_tokens
        self._assistant: Any = None
        self._lock = threading.RLock()
        self._busy: list[str] = []

    @property
    def assistant(self) -> Any:
        """The Assistant, made on first use (light: its models load later, in workers)."""
        with self._lock:
            if self._assistant is None:
                from redline.assistant import Assistant

                self._assistant = Assistant(settings=self.settings)
            return self._assistant

    def on_mount(self) -> None:
        if self.document is not None:
            self.switch_mode("write")
        if self.warm:
            self.background(self._warm_up, "loading the model ...")

    def _warm_up(self) -> None:
        self.assistant.complete("Hello", max_tokens=1)

    def action_help(self) -> None:
        """Show the key bindings of every screen."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- background work ----------------------------------------------------------

    def background(
        self,
        job: Callable[[], Any],
        label: str = "",
        done: Callable[[Any], Any] | None = None,
        group: str = "default",
        exclusive: bool = False,
    ) -> Worker[None]:
        """Run ``job`` in a thread; ``done(result)`` runs on the UI thread unless the worker was
        cancelled; errors become notifications."""

        def body() -> None:
            worker = get_current_worker()
            try:
                with self.busy_with(label):
                    result = job()
            except Exception as exc:
                self.from_thread(self.report, exc)
                return
            if done is not None and not worker.is_cancelled:
                self.from_thread(done, result)

        return self.run_worker(
            body, thread=True, group=group, exclusive=exclusive, exit_on_error=False
        )

    def from_thread(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback`` on the UI thread from a worker (nothing once the app has closed)."""
        if self.is_running:
            with suppress(RuntimeError):
                self.call_from_thread(callback, *args)

    @contextmanager
    def busy_with(self, label: str) -> Iterator[None]:
        """Show ``label`` in the busy bar while the block runs (from any thread)."""
        if not label:
            yield
            return
        self.from_thread(self._set_busy, label, True)
        try:
            yield
        finally:
            self.from_thread(self._set_busy, label, False)

    def _set_busy(self, label: str, on: bool) -> None:
        if on:
            self._busy.append(label)
        elif label in self._busy:
            self._busy.remove(label)
        self.busy = self._busy[-1] if self._busy else ""

    def report(self, exc: BaseException) -> None:
        """Show an error as a notification; the app carries on."""
        self.notify(describe_error(exc), title="error", severity="error", timeout=8)

    def on_unmount(self) -> None:
        if self._assistant is not None:
            self._assistant.close()
