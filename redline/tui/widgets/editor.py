"""A prose editor with ghost-text suggestions: Tab accepts, Esc dismisses, typing through keeps."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

# Seconds of quiet after a keystroke before a suggestion is asked for.
DEBOUNCE = 0.15


class SuggestingTextArea(TextArea):
    """A TextArea that asks for a suggestion when the user pauses at the end of a line.

    It posts :class:`SuggestionWanted`; the owner answers with :meth:`offer`,
    which shows the suggestion only if the text and cursor are still where
    they were asked about.
    """

    class SuggestionWanted(Message):
        """The text before and after the cursor, for which a suggestion is wanted."""

        def __init__(self, editor: SuggestingTextArea, prefix: str, suffix: str) -> None:
            super().__init__()
            self.editor, self.prefix, self.suffix = editor, prefix, suffix

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", **kwargs)
        self._timer = None
        self._at: tuple[int, int] | None = None
        self.suggesting = True

    def offer(self, prefix: str, suggestion: str) -> None:
        """Show ``suggestion`` as ghost text if the text before the cursor is still ``prefix``."""
        if suggestion and self.selection.is_empty and self._prefix() == prefix:
            self.suggestion = suggestion
            self._at = self.cursor_location

    def _prefix(self) -> str:
        return self.get_text_range((0, 0), self.cursor_location)

    def edit(self, edit):  # type: ignore[no-untyped-def]
        """Apply an edit; a suggestion typed through stays, anchored at the new cursor."""
        result = super().edit(edit)
        self._at = self.cursor_location if self.suggestion else None
        return result

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.suggesting and not self.suggestion:
            self._timer = self.set_timer(DEBOUNCE, self._want)

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        if self.suggestion and (not self.selection.is_empty or self.cursor_location != self._at):
            self.suggestion = ""

    def _want(self) -> None:
        self._timer = None
        row, column = self.cursor_location
        at_line_end = column == len(self.document.get_line(row))
        if self.selection.is_empty and at_line_end and self.text.strip():
            suffix = self.get_text_range(self.cursor_location, self.document.end)
            self.post_message(self.SuggestionWanted(self, self._prefix(), suffix))

    async def _on_key(self, event: events.Key) -> None:
        if self.suggestion and event.key == "tab":
            event.stop()
            event.prevent_default()
            self.insert(self.suggestion)
            return
        if self.suggestion and event.key == "escape":
            event.stop()
            event.prevent_default()
            self.suggestion = ""
            return
        await super()._on_key(event)
