"""Write: ghost-text suggestions from the real model and memory; draft, edit, learn, review."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input, TextArea
from tui_support import make_app, showing, wait_for

from redline.tui.review import ReviewScreen
from redline.tui.widgets.editor import SuggestingTextArea
from tests.conftest import sample_texts

SOURCE = (
    "The lab move is set for Friday. Movers arrive at eight and take the freezers first.\n"
    "Label every box with your name and bench number. The network will be down until noon."
)


async def open_write(app, pilot) -> SuggestingTextArea:
    """The Write screen's editor (F3)."""
    await pilot.press("f3")
    return app.screen.query_one(SuggestingTextArea)


async def test_suggestion_typed_through_accepted_with_tab_dismissed_with_escape(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    for text in sample_texts():
        app.assistant.observe_writing(text)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_write(app, pilot)
        assert editor.has_focus
        await pilot.press(*"Shout if I")
        await wait_for(pilot, lambda: editor.suggestion)
        suggestion = editor.suggestion
        assert suggestion.startswith(" ") and len(suggestion.split()) >= 1
        await pilot.press("space")
        assert editor.suggestion == suggestion[1:], "typing the suggestion's letters keeps it"
        await pilot.press("tab")
        assert editor.text == "Shout if I" + suggestion
        assert editor.suggestion == ""

        await pilot.press("enter", *"Thanks for the")
        await wait_for(pilot, lambda: editor.suggestion)
        await pilot.press("escape")
        assert editor.suggestion == ""
        assert editor.text.endswith("Thanks for the")


async def test_the_word_being_typed_is_finished_and_tab_inserts_its_rest(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    for text in sample_texts():
        app.assistant.observe_writing(text)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_write(app, pilot)
        await pilot.press(*"Shout if I mis")
        await wait_for(pilot, lambda: editor.suggestion)
        assert editor.suggestion.startswith("sed anything.")
        await pilot.press("tab")
        assert editor.text.startswith("Shout if I missed anything.")


async def write_source(app, pilot) -> SuggestingTextArea:
    """Open the Write screen with suggestions off and the source text loaded."""
    editor = await open_write(app, pilot)
    editor.suggesting = False
    editor.load_text(SOURCE)
    return editor


async def test_draft_edited_learned_shown_in_preferences_and_deleted(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await write_source(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.press("enter")  # the first task: summarize
        await wait_for(pilot, lambda: showing(app, ReviewScreen), 300)
        review = app.screen
        draft = review.query_one("#draft", TextArea)
        draft.move_cursor((0, 0))
        await pilot.press(*"TL;DR: ")
        edited = draft.text
        assert edited.startswith("TL;DR: ")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: review.query_one("#learn-phase").display, 300)
        learned = [i.value for i in review.query("#learned Input").results(Input)]
        assert any("TL;DR" in text for text in learned), learned
        await pilot.click(review.query_one("#keep", Button))
        await wait_for(pilot, lambda: not isinstance(app.screen, ReviewScreen))
        assert editor.text == SOURCE + "\n\n" + edited

        await pilot.press("f4")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "TL;DR" in str(table.get_row_at(0)[1])
        table.focus()
        await pilot.press("delete", "y")
        await wait_for(pilot, lambda: table.row_count == 0)
        assert app.assistant.preferences.list() == []


async def test_discard_forgets_what_was_just_learned(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await write_source(app, pilot)
        await pilot.press("ctrl+t", "enter")
        await wait_for(pilot, lambda: showing(app, ReviewScreen), 300)
        review = app.screen
        review.query_one("#draft", TextArea).move_cursor((0, 0))
        await pilot.press(*"TL;DR: ", "ctrl+s")
        await wait_for(pilot, lambda: review.query_one("#learn-phase").display, 300)
        assert len(app.assistant.preferences.list()) >= 1
        await pilot.click(review.query_one("#discard", Button))
        await wait_for(pilot, lambda: not isinstance(app.screen, ReviewScreen))
        assert app.assistant.preferences.list() == []
