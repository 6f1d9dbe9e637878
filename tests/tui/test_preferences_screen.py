"""Preferences: search, disable and enable, edit, export (real store and embedder)."""

from __future__ import annotations

import json

from textual.widgets import DataTable, Input
from tui_support import make_app, wait_for

from redline.tui.widgets.dialogs import AskText


async def test_search_toggle_edit_and_export(data_dir, tmp_path) -> None:
    app = make_app(data_dir, warm=False)
    prefs = app.assistant.preferences
    ravi = prefs.add('Sign off with "Best," and the name "Ravi" below it.')
    prefs.add("Keep it under 100 words.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        screen = app.screen
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)

        await pilot.press("slash", *"ravi")
        assert table.row_count == 1
        await pilot.press("enter")
        assert table.has_focus

        await pilot.press("space")
        await wait_for(pilot, lambda: prefs.get(ravi.id).status == "disabled")
        await wait_for(pilot, lambda: table.get_row_at(0)[-1] == "disabled")
        await pilot.press("space")
        await wait_for(pilot, lambda: prefs.get(ravi.id).status == "active")

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        app.screen.query_one(Input).value = 'Sign off with "Cheers," and "Ravi".'
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Cheers" in prefs.get(ravi.id).text)

        target = tmp_path / "out.json"
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, AskText))
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists() and target.read_text().endswith("}\n"))
        exported = json.loads(target.read_text(encoding="utf-8"))
        assert {p["id"] for p in exported["preferences"]} == {p.id for p in prefs.list()}
