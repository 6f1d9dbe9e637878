"""The Preferences screen: what redline learned, searchable; edit, disable, delete, export."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label

from redline.memory import private
from redline.tui.widgets.busy import BusyBar
from redline.tui.widgets.dialogs import AskText, Confirm
from redline.tui.widgets.nav import ScreenTabs

if TYPE_CHECKING:
    from redline.tui.app import RedlineApp

COLUMNS = (("id", 4), ("preference", 34), ("support", 7), ("ctx", 4), ("last used", 11))
EXPORT_NAME = "redline-preferences.json"


def when(stamp: float | None) -> str:
    """A timestamp as month-day hour:minute, or "never"."""
    return datetime.fromtimestamp(stamp).strftime("%m-%d %H:%M") if stamp else "never"


def matches(preference: Any, query: str) -> bool:
    """Whether a preference's words, rule or status contain every word of ``query``."""
    haystack = " ".join(
        (preference.text, preference.status, preference.rule.kind if preference.rule else "")
    ).lower()
    return all(word in haystack for word in query.lower().split())


class PreferencesScreen(Screen[None]):
    """Every preference (active, disabled, superseded) with its evidence."""

    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("e", "edit", "Edit"),
        Binding("space", "toggle", "On/off"),
        Binding("delete,x", "delete", "Delete"),
        Binding("n", "add", "Add"),
        Binding("ctrl+e", "export", "Export"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.all: list[Any] = []
        self.shown: list[Any] = []

    @property
    def redline(self) -> RedlineApp:
        return cast("RedlineApp", self.app)

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def compose(self) -> ComposeResult:
        yield Header()
        yield ScreenTabs("preferences")
        yield BusyBar()
        yield Input(placeholder="search preferences (/)", id="search")
        yield DataTable(id="preferences", cursor_type="row", zebra_stripes=True)
        yield Label("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Preferences"
        for name, width in COLUMNS:
            self.table.add_column(name, width=width, key=name)
        self.table.add_column("status", key="status")
        self.table.focus()
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.sub_title = "Preferences"
        self.action_reload()

    def action_reload(self) -> None:
        """Read the preferences again."""
        prefs = self.redline.assistant.preferences
        self.redline.background(prefs.list, done=self._loaded, group="prefs", exclusive=True)

    def _loaded(self, preferences: list[Any]) -> None:
        self.all = preferences
        self._fill()

    def _fill(self) -> None:
        query = self.query_one("#search", Input).value
        row = self.table.cursor_row
        self.shown = [p for p in self.all if matches(p, query)]
        self.table.clear()
        for p in self.shown:
            text = p.text if len(p.text) <= 34 else p.text[:33] + "…"
            support = f"{p.support}" + (f" -{p.against}" if p.against else "")
            self.table.add_row(
                str(p.id),
                text,
                support,
                str(len(p.contexts)),
                when(p.last_used),
                p.status,
                key=str(p.id),
            )
        if self.shown:
            self.table.move_cursor(row=min(row, len(self.shown) - 1))
        else:
            empty = "no preferences yet: draft in Write (F3), edit the draft, Ctrl+S"
            self.query_one("#detail", Label).update(empty if not self.all else "no match")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        p = self.current()
        if p is not None:
            rule = p.rule.kind if p.rule else "none: used in the prompt"
            self.query_one("#detail", Label).update(
                f"#{p.id} {p.text}\nrule: {rule}; from {p.origin}; against {p.against}"
            )

    def current(self) -> Any | None:
        """The highlighted preference."""
        row = self.table.cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    def action_search(self) -> None:
        """Focus the search box."""
        self.query_one("#search", Input).focus()

    def _then_reload(self, job: Any, label: str, note: str) -> None:
        def done(_: Any) -> None:
            self.notify(note)
            self.action_reload()

        self.redline.background(job, label, done=done)

    def action_edit(self) -> None:
        """Correct the highlighted preference's words."""
        p = self.current()
        if p is None:
            return
        prefs = self.redline.assistant.preferences

        def edited(text: str | None) -> None:
            if text and text.strip() != p.text:
                self._then_reload(lambda: prefs.edit(p.id, text), "saving ...", f"#{p.id} edited")

        self.app.push_screen(AskText(f"Preference #{p.id}:", p.text), edited)

    def action_toggle(self) -> None:
        """Disable the highlighted preference, or enable it again."""
        p = self.current()
        if p is None:
            return
        status = "disabled" if p.status == "active" else "active"
        prefs = self.redline.assistant.preferences
        verb = "disabled" if status == "disabled" else "enabled"
        self._then_reload(lambda: prefs.set_status(p.id, status), "", f"#{p.id} {verb}")

    def action_delete(self) -> None:
        """Delete the highlighted preference after asking."""
        p = self.current()
        if p is None:
            return
        prefs = self.redline.assistant.preferences

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._then_reload(lambda: prefs.delete(p.id), "deleting ...", f"#{p.id} deleted")

        self.app.push_screen(Confirm(f"Delete preference #{p.id}?\n{p.text}"), confirmed)

    def action_add(self) -> None:
        """Add a preference in your own words (it holds for every document)."""
        prefs = self.redline.assistant.preferences

        def given(text: str | None) -> None:
            if text and text.strip():
                self._then_reload(lambda: prefs.add(text), "saving ...", "preference added")

        self.app.push_screen(AskText("A preference in your own words:"), given)

    def action_export(self) -> None:
        """Write every preference and its contexts as JSON to a file."""
        prefs = self.redline.assistant.preferences

        def write(name: str | None) -> None:
            if not name:
                return
            path = Path(name).expanduser()

            def job() -> None:
                text = json.dumps(prefs.export(), indent=1, ensure_ascii=False)
                private.write_text(path, text + "\n")

            self._then_reload(job, "exporting ...", f"wrote {path}")

        self.app.push_screen(AskText("Export to:", str(Path.cwd() / EXPORT_NAME)), write)
