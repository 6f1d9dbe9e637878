"""Snapshots of each screen at 80x24 (pytest-textual-snapshot; Textual is pinned in pyproject).

Update them after a deliberate change with `pytest tests/tui --snapshot-update`.
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable
from tui_support import make_app, wait_for

from redline.tui.widgets.editor import SuggestingTextArea


def test_chat_screen(snap_compare, data_dir) -> None:
    assert snap_compare(make_app(data_dir, warm=False), terminal_size=(80, 24))


def test_help_screen(snap_compare, data_dir) -> None:
    assert snap_compare(make_app(data_dir, warm=False), press=["f1"], terminal_size=(80, 24))


def test_prompts_screen(snap_compare, data_dir) -> None:
    async def loaded(pilot: Pilot) -> None:
        await pilot.press("f5")
        table = pilot.app.screen.query_one("#versions", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.pause()

    app = make_app(data_dir, warm=False)
    assert snap_compare(app, run_before=loaded, terminal_size=(80, 24))


def test_write_screen(snap_compare, data_dir) -> None:
    async def type_text(pilot: Pilot) -> None:
        await pilot.press("f3")
        editor = pilot.app.screen.query_one(SuggestingTextArea)
        editor.suggesting = False
        await pilot.press(*"Dear team,", "enter", *"The move is on Friday.")

    app = make_app(data_dir, warm=False)
    assert snap_compare(app, run_before=type_text, terminal_size=(80, 24))


def test_preferences_screen(snap_compare, data_dir) -> None:
    app = make_app(data_dir, warm=False)
    app.assistant.preferences.add('Sign off with "Best," and the name "Ravi" below it.')
    app.assistant.preferences.add("Keep it under 100 words.")

    async def loaded(pilot: Pilot) -> None:
        await pilot.press("f4")
        table = pilot.app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        await pilot.pause()

    assert snap_compare(app, run_before=loaded, terminal_size=(80, 24))
