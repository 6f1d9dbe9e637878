"""The Prompts screen: prompt versions arrive with the SPO optimisation issue."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from redline.tui.widgets.nav import ScreenTabs

NOT_YET = """\
# Prompt versions

**Not available yet.** Prompt versions per task, optimisation runs (SPO) with a
progress bar, side-by-side comparison, activation and roll-back arrive with the
prompt-optimisation issue; redline has no prompt versions to show until then.

Today redline uses its built-in prompts: version 1 ("notebook") for completion
and the built-in draft prompts for summarize, email, rewrite and continue.
"""


class PromptsScreen(Screen[None]):
    """Says honestly that prompt versions are not there yet."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScreenTabs("prompts")
        yield Markdown(NOT_YET, id="prompts")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Prompts"

    def on_screen_resume(self) -> None:
        self.sub_title = "Prompts"
