"""The chat graph: commands, conversations owned by the Assistant, prompt design turns."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from redline import Assistant
from redline.agent.chat import Conversations, parse_command, split_command
from redline.predictors.base import Cancellation
from redline.predictors.repetition import cut_repeats
from tests.conftest import sample_texts


def say(conversations: Conversations, thread: str, text: str, max_tokens: int | None = 4) -> str:
    return "".join(conversations.answer(thread, text, Cancellation(), max_tokens))


def test_commands_are_parsed() -> None:
    assert split_command("/Design complete my replies") == ("design", "complete my replies")
    assert split_command("/cancel") == ("cancel", "")
    assert split_command("/summarise\nThe board met.") == ("summarise", "The board met.")
    assert split_command("no command") is None and split_command("/ nothing") is None
    assert parse_command("/summarise The board met.") == ("summarize", "The board met.")
    assert parse_command("/design notes") is None


def test_the_assistant_owns_one_conversations_and_closes_it(data_dir: Path) -> None:
    assistant = Assistant(data_dir=data_dir)
    conversations = assistant.conversations()
    assert assistant.conversations() is conversations
    assert conversations.list() == []
    assert (data_dir / "chats.sqlite3").is_file()
    assistant.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conversations.list()


def test_a_refused_template_is_shown_and_a_restart_ends_the_design(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir) as assistant:
        conversations = assistant.conversations()
        thread = conversations.new_id()
        assert "What do you write with it" in say(conversations, thread, "/design finish my lines")
        for answer in ["prose", "all", "medium", "none"]:
            say(conversations, thread, answer)
        report = say(conversations, thread, "skip")
        assert report.startswith("No passage of your writing to measure on")
        assert "```text\nFinish my lines.\n\n{examples}{prefix}\n```" in report
        refused = say(conversations, thread, "template: {examples}{tone}{prefix}")
        assert "\n\n**unknown placeholder(s) tone in the template; use" in refused
        assert "Keep it with `accept`" in refused and conversations.designing(thread)

    with Assistant(data_dir=data_dir) as assistant:  # a restart: the design is gone
        conversations = assistant.conversations()
        assert not conversations.designing(thread)
        answer = say(conversations, thread, "accept")
        assert "Use it from now on" not in answer
        messages = conversations.messages(thread)
        assert len(messages) == 16 and messages[-2]["content"] == "accept"
        assert [v.origin for v in assistant.prompts.list("complete")] == ["builtin"]


def test_a_model_error_in_a_design_is_a_chat_message(data_dir: Path) -> None:
    with Assistant(data_dir=data_dir, model=str(data_dir / "no.gguf")) as assistant:
        for number, text in enumerate(sample_texts()[:4]):
            assistant.observe_writing(text, uri=f"file:///home/me/{number}.md")
        conversations = assistant.conversations()
        thread = conversations.new_id()
        for answer in ["/design finish my notes", "notes", "all", "short", "none"]:
            say(conversations, thread, answer)
        stopped = say(conversations, thread, "skip")
        assert stopped.startswith("**The prompt design stopped:** model file not found")
        assert "*fix:*" in stopped and not conversations.designing(thread)
        assert conversations.messages(thread)[-1]["content"] == stopped


def test_a_chat_answer_of_the_embedded_model_reads_as_one_answer(data_dir: Path) -> None:
    # Greedy decoding answered this with a short letter and "P.S." twenty times.
    assistant = Assistant(data_dir=data_dir)
    conversations = assistant.conversations()
    thread = conversations.new_id()
    asked = "What should I write to thank a colleague for covering my on-call shift?"
    streamed = say(conversations, thread, asked, max_tokens=None)
    answer = conversations.messages(thread)[-1]["content"]
    assistant.close()
    assert answer.strip() and streamed.startswith(answer[:20])
    lines = Counter(line.strip() for line in answer.splitlines() if line.strip())
    assert max(lines.values()) <= 2, answer
    assert cut_repeats(answer) == answer
