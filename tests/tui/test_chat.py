"""Chat: answers stream from the real model, stop on Esc, and persist across restarts."""

from __future__ import annotations

from textual.widgets import ListView, Markdown
from tui_support import make_app, wait_for

from redline.config import load_settings
from redline.tui.chat import ChatScreen


async def test_answer_streams_stops_on_escape_and_persists(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press(*"Write a long story about a dragon.", "enter")
        answer = lambda: screen.query("#messages Markdown.assistant").last(Markdown)  # noqa: E731
        await wait_for(pilot, lambda: len(screen.query("#messages Markdown.assistant")) == 1)
        await wait_for(pilot, lambda: len(answer().source.strip()) > 0)
        assert screen.answering, "the answer was shown only when it was complete"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.answering)
        assert answer().source.endswith("*(stopped)*")
        await wait_for(pilot, lambda: len(screen.query_one(ListView).children) == 1)

    again = make_app(data_dir, warm=False)
    async with again.run_test(size=(80, 24)) as pilot:
        screen = again.screen
        conversations = screen.query_one(ListView)
        await wait_for(pilot, lambda: len(conversations.children) == 1)
        conversations.focus()
        conversations.index = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.query("#messages Markdown")) == 2)
        user, reply = screen.query("#messages Markdown")
        assert user.source == "Write a long story about a dragon."
        assert reply.source.endswith("*(stopped)*")

        conversations.focus()
        await pilot.press("delete", "y")
        await wait_for(pilot, lambda: len(conversations.children) == 0)
        assert again.assistant.conversations().list() == []


async def test_newline_with_ctrl_j_and_draft_command(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"/summarize The board met on Monday.", "ctrl+j")
        await pilot.press(*"It approved the budget and hired two people.")
        assert "\n" in screen.query_one("#message").text
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.query("#messages Markdown")) == 2, 300)
        await wait_for(pilot, lambda: not screen.answering, 300)
        reply = screen.query("#messages Markdown").last(Markdown).source
        assert "preferences used: none yet" in reply
        assert "budget" in reply.lower() or "board" in reply.lower()


async def test_a_model_that_cannot_load_is_a_notification_not_a_crash(data_dir, tmp_path) -> None:
    app = make_app(data_dir, warm=False)
    app.settings = load_settings({"data_dir": str(data_dir), "model": str(tmp_path / "no.gguf")})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"Hello", "enter")
        await wait_for(pilot, lambda: app._notifications and not screen.answering, 60)
        assert any(n.severity == "error" for n in app._notifications)
        assert app.is_running
