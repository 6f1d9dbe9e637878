"""The Write screen: an editor with ghost-text suggestions and commands to draft from the text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from redline.predictors.base import Cancellation
from redline.tui.review import ReviewScreen
from redline.tui.widgets.busy import BusyBar
from redline.tui.widgets.dialogs import AskText, PickTask
from redline.tui.widgets.editor import SuggestingTextArea
from redline.tui.widgets.nav import ScreenTabs

if TYPE_CHECKING:
    from redline.tui.app import RedlineApp

SCRATCH_URI = "redline-tui:write"


class WriteScreen(Screen[None]):
    """Write with suggestions; draft, rewrite or summarise the text or the selection."""

    BINDINGS = [
        Binding("ctrl+t", "draft", "Draft..."),
        Binding("ctrl+r", "draft('rewrite')", "Rewrite"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+g", "toggle_suggestions", "Suggest on/off"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cancel: Cancellation | None = None

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    @property
    def editor(self) -> SuggestingTextArea:
        return self.query_one(SuggestingTextArea)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScreenTabs("write")
        yield BusyBar()
        yield SuggestingTextArea(id="editor")
        yield Footer()

    def on_mount(self) -> None:
        self._title()
        path = self.redline.document
        if path is not None and path.exists():
            self.editor.load_text(path.read_text(encoding="utf-8"))
            self.editor.move_cursor(self.editor.document.end)
        self.editor.focus()

    def on_screen_resume(self) -> None:
        self._title()

    def _title(self) -> None:
        document = self.redline.document
        self.sub_title = f"Write: {document.name}" if document else "Write"

    # -- suggestions ------------------------------------------------------------------

    def on_suggesting_text_area_suggestion_wanted(
        self, event: SuggestingTextArea.SuggestionWanted
    ) -> None:
        if self.cancel is not None:
            self.cancel.cancel()
        cancel = self.cancel = Cancellation()
        uri = self.redline.document.resolve().as_uri() if self.redline.document else SCRATCH_URI
        prefix, suffix = event.prefix, event.suffix

        def job() -> str:
            detail = self.redline.assistant.complete_detail(
                prefix, suffix, uri, cancel=cancel, typed_by_hand=True
            )  # Tab takes a whole suggestion: text that grew into one was typed
            return detail["suggestion"]

        self.redline.background(
            job,
            done=lambda suggestion: event.editor.offer(prefix, suggestion),
            group="suggest",
            exclusive=True,
        )

    def action_toggle_suggestions(self) -> None:
        """Turn ghost-text suggestions off or on."""
        self.editor.suggesting = not self.editor.suggesting
        self.editor.suggestion = ""
        self.notify(f"suggestions {'on' if self.editor.suggesting else 'off'}")

    # -- drafting ---------------------------------------------------------------------

    def action_draft(self, task: str | None = None) -> None:
        """Draft from the selection (or the whole text) for ``task``, asking which if not given."""
        if not self.editor.text.strip():
            self.notify("write or paste some text first", severity="warning")
            return
        if task is None:
            self.app.push_screen(PickTask(), lambda picked: picked and self.action_draft(picked))
            return
        selection = self.editor.selection
        start, end = sorted((selection.start, selection.end))
        if start == end:
            start, end = (0, 0), self.editor.document.end
        source = self.editor.get_text_range(start, end)
        self.redline.background(
            lambda: self.redline.assistant.draft(source, task=task),
            "drafting ...",
            done=lambda draft: self._review(draft, start, end),
            group="draft",
            exclusive=True,
        )

    def _review(self, draft: Any, start: tuple[int, int], end: tuple[int, int]) -> None:
        def place(text: str | None) -> None:
            if text is None:
                return
            if draft.task == "rewrite":
                self.editor.replace(text, start, end)
            else:
                self.editor.insert("\n\n" + text, end)
            self.editor.focus()

        self.app.push_screen(ReviewScreen(draft), place)

    # -- saving -----------------------------------------------------------------------

    def action_save(self) -> None:
        """Save to the document's file (asking for one) and remember the writing as yours."""
        if self.redline.document is None:
            self.app.push_screen(
                AskText("Save as:", placeholder="notes.md"),
                lambda name: name and self._save_as(Path(name).expanduser()),
            )
            return
        text, path = self.editor.text, self.redline.document

        def job() -> None:
            path.write_text(text, encoding="utf-8")
            self.redline.assistant.observe_writing(text, uri=path.resolve().as_uri())

        self.redline.background(job, "saving ...", done=lambda _: self.notify(f"saved {path}"))

    def _save_as(self, path: Path) -> None:
        self.redline.document = path
        self._title()
        self.action_save()
