"""A one-line bar that shows what long work is running (model load, drafting, learning)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class BusyBar(Horizontal):
    """Shows the app's ``busy`` label with an indeterminate progress bar; hidden when idle."""

    DEFAULT_CSS = """
    BusyBar { height: 1; display: none; background: $boost; }
    BusyBar.-active { display: block; }
    BusyBar Label { width: auto; padding: 0 1; color: $text-accent; }
    BusyBar ProgressBar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label()
        yield ProgressBar(total=None, show_eta=False, show_percentage=False)

    def on_mount(self) -> None:
        self.watch(self.app, "busy", self._show)

    def _show(self, busy: str) -> None:
        self.set_class(bool(busy), "-active")
        self.query_one(Label).update(busy)
