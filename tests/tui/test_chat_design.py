"""Prompt design in the chat: /design runs Promptor turn by turn with the real model and stores."""

from __future__ import annotations

import time

from textual.pilot import Pilot
from textual.widgets import Markdown
from tui_support import make_app

from redline import Assistant
from redline.tui.app import RedlineApp
from redline.tui.chat import ChatScreen
from tests.conftest import sample_texts


def _said(screen: ChatScreen) -> list[str]:
    return [m.source for m in screen.query("#messages Markdown.assistant").results(Markdown)]


async def send(
    pilot: Pilot, text: str, expected: str, timeout: float = 60, typed: bool = True
) -> str:
    """Type ``text``, press Enter, and wait until the new answer is complete and holds
    ``expected``; the answer. ``typed=False``: the message was sent already."""
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    before = len(_said(screen)) - (0 if typed else 1)
    if typed:
        await pilot.press(*text, "enter")
    deadline = time.monotonic() + timeout
    while True:
        said = _said(screen)
        if len(said) > before and not screen.answering and expected in said[-1]:
            return said[-1]
        if time.monotonic() > deadline:
            shown = [n.message for n in pilot.app._notifications]
            raise AssertionError(f"no answer with {expected!r}: {said[before:]}; {shown}")
        await pilot.pause(0.05)


def _observe(app: RedlineApp, count: int = 5) -> None:
    for number, text in enumerate(sample_texts()[:count]):
        app.assistant.observe_writing(text, uri=f"file:///home/me/lab/{number}.md")


async def test_design_a_prompt_in_the_chat_and_keep_it_inactive(data_dir) -> None:
    app = make_app(data_dir, warm=False, chat_tokens=6)
    _observe(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        said = await send(pilot, "/design suggest the next words of my lab notes", "write with")
        assert "suggest the next words of my lab notes" in said
        assert "`replies` · `notes` · `prose` · `lists`" in said
        thread = screen.thread_id
        assert thread is not None and app.assistant.conversations().designing(thread)
        await send(pilot, "notes", "For which documents")
        await send(pilot, "all", "How long should a suggestion be")
        await send(pilot, "short", "How much of your own writing")
        await send(pilot, "a little", "tone or style")

        busy: list[str] = []
        screen.watch(app, "busy", lambda label: busy.append(label))
        await pilot.press(*"skip", "enter")
        await pilot.pause()
        assert screen.answering and screen.designing
        await pilot.press("escape")  # a design step cannot be stopped midway: it says so
        assert any("then /cancel stops the design" in n.message for n in app._notifications)
        report = await send(pilot, "", "Keep it with", 150, typed=False)
        assert "designing a prompt ..." in busy and "(stopped)" not in report
        assert "keystroke savings" in report and "with the active one" in report
        assert report.count("  - predicted: ") == 3 and report.count("  - you wrote: ") == 3
        assert "Suggest the next words of my lab notes." in report  # the template shown
        assert "`accept`" in report and "`shorter`" in report and "`cancel`" in report

        consent = await send(pilot, "accept", "Use it from now on?")
        assert "not active" in consent and "`yes` · `no`" in consent
        done = await send(pilot, "no", "is saved, not active")
        assert done.startswith("complete v2 is saved, not active.")
        assert not app.assistant.conversations().designing(thread)

        # The design is over: the next message is answered by the model as a chat message.
        after = await send(pilot, "Thanks", "", 90)
        assert "is saved" not in after and "Answer:" not in after

    with Assistant(data_dir=data_dir) as assistant:  # what was saved, seen after the app closed
        stored = assistant.prompts.list("complete")
        assert [(v.origin, v.active) for v in stored] == [("builtin", True), ("promptor", False)]
        assert stored[1].evidence["passages"] == 3
        assert stored[1].evidence["request"] == "suggest the next words of my lab notes"


async def test_cancel_ends_a_design_without_saving(data_dir) -> None:
    app = make_app(data_dir, warm=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await send(pilot, "/design", "Say what the suggestions should help you write")
        assert screen.thread_id is not None
        assert not app.assistant.conversations().designing(screen.thread_id)
        await send(pilot, "/design finish my sentences", "What do you write with it")
        asked = await send(pilot, "poems", "please answer with one of")
        assert "What do you write with it" in asked  # a wrong answer asks again
        await send(pilot, "prose", "For which documents")
        assert await send(pilot, "/cancel", "Stopped") == "Stopped: nothing was saved."
        assert not app.assistant.conversations().designing(screen.thread_id)
        await send(pilot, "/cancel", "There is no prompt design to stop")
        messages = app.assistant.conversations().messages(screen.thread_id)
        assert [m["role"] for m in messages] == ["user", "assistant"] * 6
        assert messages[-2:] == [
            {"role": "user", "content": "/cancel"},
            {"role": "assistant", "content": _said(screen)[-1]},
        ]
        assert [v.origin for v in app.assistant.prompts.list("complete")] == ["builtin"]
