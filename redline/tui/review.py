"""Review a draft: edit it, then see the diff and what redline learned; keep, correct or discard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static, TextArea

from redline.tui.diff import word_diff
from redline.tui.widgets.busy import BusyBar

if TYPE_CHECKING:
    from redline.tui.app import RedlineApp


def learned_from(assistant: Any, draft: Any, edited: str) -> tuple[Any, list[Any]]:
    """Learn from the edit; returns the Learned result and the preferences this edit backed."""
    learned = assistant.learn(draft, edited)
    backed = [p for p in assistant.preferences.list() if draft.id in p.contexts]
    return learned, backed


class ReviewScreen(Screen[str | None]):
    """Dismissed with the user's version of the draft, or None when they dropped it."""

    BINDINGS = [
        Binding("ctrl+s", "done", "Done: learn"),
        Binding("escape", "drop", "Drop draft"),
    ]

    def __init__(self, draft: Any) -> None:
        super().__init__()
        self.draft = draft
        self.edited = draft.text
        self.backed: list[Any] = []

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    def compose(self) -> ComposeResult:
        d = self.draft
        extract = " (the model strayed: this is an extract of the source)" * (d.origin == "extract")
        yield Header()
        yield BusyBar()
        with Vertical(id="edit-phase"):
            name = f"Draft {d.id}" if d.id is not None else "Draft (learning is off: not stored)"
            yield Label(f"{name} ({d.task}){extract}. Edit it, then Ctrl+S.", classes="title")
            yield TextArea(d.text, id="draft", soft_wrap=True)
            yield Label(f"preferences used: {d.preference or 'none yet'}", classes="dim")
        with VerticalScroll(id="learn-phase"):
            yield Label("Your edit (red: removed, green: added)", classes="title")
            yield Static(id="diff")
            yield Label("", id="learned-title", classes="title")
            yield Vertical(id="learned")
            with Horizontal(id="verdict"):
                yield Button("Keep", variant="primary", id="keep")
                yield Button("Correct", id="correct")
                yield Button("Discard", variant="error", id="discard")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Review draft"
        self.query_one("#learn-phase").display = False
        self.query_one("#draft", TextArea).focus()

    def action_drop(self) -> None:
        """Leave without inserting the draft or learning from it."""
        if self.query_one("#learn-phase").display:
            self.dismiss(self.edited)
        else:
            self.dismiss(None)

    def action_done(self) -> None:
        """Learn from the edited draft and show what was learned."""
        if self.query_one("#learn-phase").display:
            return
        self.edited = self.query_one("#draft", TextArea).text
        assistant, draft, edited = self.redline.assistant, self.draft, self.edited
        self.redline.background(
            lambda: learned_from(assistant, draft, edited),
            "learning from your edit ...",
            done=self._show,
            group="learn",
            exclusive=True,
        )

    def _show(self, result: tuple[Any, list[Any]]) -> None:
        learned, self.backed = result
        self.query_one("#edit-phase").display = False
        self.query_one("#learn-phase").display = True
        self.query_one("#diff", Static).update(word_diff(self.draft.text, self.edited))
        title = self.query_one("#learned-title", Label)
        box = self.query_one("#learned", Vertical)
        if learned.skipped or not self.backed:
            title.update(f"Nothing learned: {learned.skipped or 'no preference found'}")
            self.query_one("#correct").display = False
            self.query_one("#discard").display = False
        else:
            title.update("What redline learned (correct the words if they are wrong):")
            for p in self.backed:
                note = "new" if p.contexts == [self.draft.id] else f"support {p.support}"
                box.mount(Label(f"#{p.id} ({note})", classes="dim"))
                box.mount(Input(p.text, id=f"pref-{p.id}"))
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep":
            self.dismiss(self.edited)
        elif event.button.id == "correct":
            self._correct()
        elif event.button.id == "discard":
            self._discard()

    def _correct(self) -> None:
        changes = {
            p.id: text
            for p in self.backed
            if (text := self.query_one(f"#pref-{p.id}", Input).value.strip()) != p.text
        }
        if not changes:
            self.notify("change the words of a preference first, or Keep")
            return
        prefs = self.redline.assistant.preferences

        def job() -> None:
            for pid, text in changes.items():
                prefs.edit(pid, text)

        self.redline.background(job, "saving ...", done=lambda _: self._close("corrected"))

    def _discard(self) -> None:
        new = [p.id for p in self.backed if p.contexts == [self.draft.id]]
        prefs = self.redline.assistant.preferences

        def job() -> None:
            for pid in new:
                prefs.delete(pid)

        kept = len(self.backed) - len(new)
        note = f"; {kept} known before keep their earlier support" if kept else ""
        self.redline.background(
            job, "forgetting ...", done=lambda _: self._close(f"discarded {len(new)}{note}")
        )

    def _close(self, what: str) -> None:
        self.notify(what)
        self.dismiss(self.edited)
