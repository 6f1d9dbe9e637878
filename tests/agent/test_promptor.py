"""Promptor: a completion prompt designed in conversation, with the real model and stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline import Assistant
from redline.agent.prompts import CompletionPrompt, from_body
from redline.errors import InputError
from tests.conftest import sample_texts


@pytest.fixture(scope="module")
def writer(tmp_path_factory) -> Path:
    """The bundled sample of a user's writing, observed as markdown files."""
    data_dir = tmp_path_factory.mktemp("promptor")
    with Assistant(data_dir=data_dir) as assistant:
        for number, text in enumerate(sample_texts()):
            assistant.observe_writing(text, uri=f"file:///home/me/notes/{number}.md")
    return data_dir


def test_a_scripted_conversation_saves_a_tested_inactive_version(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        general = assistant.prompts.active_id("complete")
        session = assistant.prompt_designer()
        turn = session.start("suggest the next words of my weekly lab updates")
        asked = []
        for answer in ["notes", "markdown please", "md", "whatever", "short", "a little", "skip"]:
            asked.append(turn.ask)
            turn = session.reply(answer)
        assert "not a file type" in asked[2] and "short, medium, long" in asked[4]
        assert turn.step == "refine" and turn.report.passages == 3
        assert all(p.typed and p.actual for p in turn.report.predictions)
        assert "keystroke savings" in turn.ask and "predicted:" in turn.ask
        design = turn.design
        assert isinstance(design, CompletionPrompt)
        assert design.max_tokens == 4 and design.context_chars == 600
        assert design.template.startswith("Suggest the next words of my weekly lab updates.")
        turn = session.reply("accept")
        assert turn.step == "consent" and "not active" in turn.ask
        turn = session.reply("no")
        assert turn.step == "done" and not turn.activated
        stored = assistant.prompts.list("complete:md")
        assert [(v.origin, v.active) for v in stored] == [("promptor", False)]
        assert from_body(stored[0].body) == design
        assert stored[0].evidence["passages"] == 3 and stored[0].parent_id == general
        # Not active: .md documents still use the general completion prompt.
        assert assistant.designs.completion("file:///x/new.md") == assistant.designs("complete")


def test_an_invalid_template_is_refused_and_the_last_valid_one_kept(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        session = assistant.prompt_designer()
        turn = session.start("finish my sentences")
        for answer in ["prose", "all", "medium", "none", "skip"]:
            turn = session.reply(answer)
        valid = turn.design
        turn = session.reply("template: {examples}{tone}{prefix}")
        assert turn.step == "refine" and "unknown placeholder(s) tone" in turn.ask
        turn = session.reply("template: {prefix} and then {examples}")
        assert "must end with {prefix}" in turn.ask and turn.design == valid
        turn = session.reply("make it sparkle")
        assert "I did not understand 'make it sparkle'" in turn.ask
        turn = session.reply("template: Mine, {context}:\\n{examples}{prefix}")
        assert turn.design.template == "Mine, {context}:\n{examples}{prefix}"
        session.reply("accept")
        done = session.reply("yes")
        assert done.activated and done.version.task == "complete"
        assert assistant.designs.completion("file:///x/notes.md").template.startswith("Mine, ")
        context = assistant.designs("complete").context(["an example"], "notes.md")
        assert context == "Mine, notes.md:\nan example\n\n---\n\n"
        assert assistant.prompts.rollback("complete").origin == "builtin"


def test_a_file_type_prompt_is_used_only_for_that_file_type(writer: Path) -> None:
    with Assistant(data_dir=writer) as assistant:
        session = assistant.prompt_designer()
        turn = session.start("short replies")
        for answer in ["replies", "eml", "long", "some", "skip", "shorter"]:
            turn = session.reply(answer)
        assert "no passage of your writing to measure on" in turn.ask  # no .eml observed
        assert session.reply("accept").step == "consent"
        done = session.reply("yes")
        assert done.activated and done.version.label == "complete:eml v1"
        assert assistant.designs.completion("file:///mail/reply.eml").max_tokens == 8
        assert assistant.designs.completion("file:///notes/a.md").max_tokens == 12  # built in
        assert assistant.complete("Thanks for the", uri="file:///mail/reply.eml") is not None
        with pytest.raises(InputError, match="say what the suggestions should help you write"):
            assistant.prompt_designer().start("  ")
