"""Prompt designs: validated before they are stored, rendered as the flows need them."""

from __future__ import annotations

import pytest

from redline.agent.prompts import BUILTIN, DraftPrompt, from_body, to_body, with_changes
from redline.errors import InputError


def test_builtin_designs_round_trip_through_their_bodies() -> None:
    for design in BUILTIN.values():
        assert from_body(to_body(design)) == design


def test_completion_context_is_everything_before_the_typed_text() -> None:
    design = with_changes(BUILTIN["complete"], template="Mine:\n{examples}{prefix}")
    assert design.context(["best", "second"]) == "Mine:\nsecond\n\n---\n\nbest\n\n---\n\n"
    assert (
        with_changes(design, order="best_first")
        .context(["best", "second"])
        .startswith("Mine:\nbest")
    )
    assert BUILTIN["complete"].context([]) == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"template": "{prefix}{examples}"}, "must end with {prefix}"),
        ({"template": "{examples}{prefix}{prefix}"}, "exactly once"),
        ({"template": "{examples}{tone}{prefix}"}, "unknown placeholder(s) tone"),
        ({"template": "{examples} {oops {prefix}"}, "does not parse"),
        ({"order": "random"}, "unknown example order"),
    ],
)
def test_invalid_completion_templates_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        with_changes(BUILTIN["complete"], **changes)


def test_invalid_bodies_are_refused_with_what_is_wrong() -> None:
    with pytest.raises(InputError, match="unknown prompt kind"):
        from_body({"kind": "poem"})
    with pytest.raises(InputError, match="unknown prompt field"):
        from_body({**to_body(BUILTIN["email"]), "temperature": 2})
    with pytest.raises(InputError, match=r"\{source\} exactly once"):
        from_body({**to_body(BUILTIN["email"]), "template": "{instruction}"})


def test_draft_prompt_renders_preferences_only_when_there_are_some() -> None:
    design = BUILTIN["summarize"]
    plain = design.render("  The source.  ", None)
    assert plain == f"{design.instruction}\n\nText:\nThe source."
    told = design.render("The source.", "Use a warm tone.")
    assert "Follow these preferences of the reader: Use a warm tone.\n\nText:" in told


def test_the_draft_task_uses_the_users_own_instruction() -> None:
    design = BUILTIN["draft"]
    assert design.render("Notes.", None, request="Make it a haiku.").startswith("Make it a haiku.")
    assert isinstance(design, DraftPrompt)


@pytest.mark.parametrize(
    ("task", "changes", "message"),
    [
        ("chat", {"temperature": 5.0}, "temperature must be between 0.0 and 2.0"),
        ("chat", {"repeat_penalty": 0.5}, "repeat_penalty must be between"),
        ("chat", {"max_tokens": "many"}, "max_tokens must be a number"),
        ("summarize", {"repeat_penalty": 3}, "repeat_penalty must be between"),
    ],
)
def test_sampling_settings_have_ranges(task: str, changes: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        with_changes(BUILTIN[task], **changes)


def test_the_chat_prompt_carries_its_sampling() -> None:
    chat = with_changes(BUILTIN["chat"], temperature=0.0, repeat_penalty=1.2)
    assert from_body(to_body(chat)) == chat
    sampling = chat.sampling()
    assert (sampling.temperature, sampling.repeat_penalty) == (0.0, 1.2)
    # A body stored before drafts had a repetition penalty still loads.
    body = to_body(BUILTIN["summarize"])
    del body["repeat_penalty"]
    assert from_body(body).sampling().repeat_penalty == 1.0
