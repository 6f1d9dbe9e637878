"""Small modal dialogs: ask for a line of text, confirm an action, pick a draft task."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 95%; height: auto; border: thick $accent; background: $surface;
    padding: 0 1;
}}
{name} Horizontal {{ height: auto; align-horizontal: right; }}
{name} Button {{ margin: 0 1; min-width: 10; }}
"""


class AskText(ModalScreen[str | None]):
    """Ask for one line of text; dismissed with the text, or None when cancelled."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AskText")
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(self.value, placeholder=self.placeholder)
            with Horizontal():
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one(Input).value if event.button.id == "ok" else None)


class Confirm(ModalScreen[bool]):
    """Ask a yes/no question; dismissed with True for yes."""

    DEFAULT_CSS = DIALOG_CSS.format(name="Confirm")
    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "No"),
        Binding("y", "dismiss(True)", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            with Horizontal():
                yield Button("Yes", variant="error", id="yes")
                yield Button("No", variant="primary", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


TASK_CHOICES = [
    ("summarize", "Summarize"),
    ("rewrite", "Rewrite with my preferences"),
    ("email", "Turn into an email"),
    ("continue", "Continue"),
    ("", "Your own instruction ..."),
]


class PickTask(ModalScreen[str | None]):
    """Pick a draft task; the empty task asks for an instruction in words afterwards."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PickTask") + "PickTask OptionList { height: auto; }"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Draft from the selection (or the whole text):")
            yield OptionList(*[Option(label, id=task or "-") for task, label in TASK_CHOICES])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        task = event.option.id or "-"
        if task != "-":
            self.dismiss(task)
            return

        def given(text: str | None) -> None:
            self.dismiss(text.strip() if text and text.strip() else None)

        self.app.push_screen(
            AskText("What should the draft do?", placeholder="e.g. make it shorter"), given
        )
