"""Candidate prompts: a structured mutation of the best design, or a stronger model's rewrite.

A 135M model cannot write or judge prompts well, so without an optimiser
model redline varies one part of the structured prompt at a time (framing,
separators, how much of the user's writing and in which order for
completion; instruction wording, preference line and layout for drafts)
and lets the ground truth decide. With an optimiser model (SPO), the model
rewrites the prompt's text from the current prompt and what it produced.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from redline.agent.pairwise import Item, Output
from redline.agent.prompts import (
    ORDERS,
    CompletionPrompt,
    Design,
    DraftPrompt,
    to_body,
    with_changes,
)
from redline.errors import InputError
from redline.predictors.base import Predictor, Prompt, generate

COMPLETION_CHOICES: dict[str, tuple] = {
    "template": (
        "{examples}{prefix}",
        "Some things I wrote recently:\n\n{examples}What I am writing now:\n\n{prefix}",
        "{examples}\n{prefix}",
        "My notes and messages, in my own words.\n\n{examples}{prefix}",
    ),
    "example_separator": ("\n\n---\n\n", "\n<|endoftext|>", "\n\n", "\n\n* * *\n\n"),
    "context_chars": (None, 600, 1200, 3600),
    "order": ORDERS,
}

DRAFT_CHOICES: dict[str, tuple] = {
    "template": (
        "{instruction}\n{preferences}\n\nText:\n{source}",
        "{instruction}\n{preferences}\n\n{source}",
        "Text:\n{source}\n\n{instruction}\n{preferences}",
        '{preferences}\n{instruction}\n\nText:\n"""\n{source}\n"""',
    ),
    "preference_line": (
        "Follow these preferences of the reader: {preference}",
        "The reader prefers: {preference}",
        "Style rules to follow: {preference}",
    ),
    "repeat_penalty": (1.0, 1.1, 1.2),
}

INSTRUCTIONS: dict[str, tuple[str, ...]] = {
    "summarize": (
        "Summarize the text below in a few sentences. Write only the summary.",
        "Write a short summary of the text below. Use its own words where you can.",
        "Give the main points of the text below in two or three sentences.",
    ),
    "email": (
        "Write a short email to the team from the notes below. Write only the email.",
        "Turn the notes below into a brief email. Keep every fact from the notes.",
        "Write an email that tells the team what the notes below say.",
    ),
    "rewrite": (
        "Rewrite the text below so that it reads well. Keep its meaning and length.",
        "Improve the wording of the text below. Keep every fact and about the same length.",
        "Edit the text below for clarity. Change as little as needed.",
    ),
    "continue": (
        "Continue the text below with one more paragraph in the same style.",
        "Write the next paragraph of the text below, in the same voice.",
    ),
    "draft": ("{request}", "{request} Write only the result.", "{request} Keep it short."),
}


def mutate(design: Design, task: str, rng: random.Random, tried: set[str]) -> Design | None:
    """A design one choice away from ``design`` that was not tried yet; None when none is left."""
    choices = dict(COMPLETION_CHOICES if isinstance(design, CompletionPrompt) else DRAFT_CHOICES)
    if isinstance(design, DraftPrompt):
        choices["instruction"] = INSTRUCTIONS.get(task, ())
    options = [
        (name, value)
        for name, values in choices.items()
        for value in values
        if value != getattr(design, name)
    ]
    rng.shuffle(options)
    for name, value in options:
        candidate = with_changes(design, **{name: value})
        if key_of(candidate) not in tried:
            return candidate
    return None


def key_of(design: Design) -> str:
    """A design's identity, for telling what was tried already."""
    return json.dumps(to_body(design), sort_keys=True)


def ask_model(
    optimizer: Predictor, design: Design, items: Sequence[Item], outputs: Sequence[Output]
) -> Design | None:
    """SPO's proposal: the optimiser model rewrites the prompt's wording from its outputs.

    Returns None when the answer is not a valid prompt.
    """
    field = "template" if isinstance(design, CompletionPrompt) else "instruction"
    shown = "\n\n".join(
        f"Input:\n{item.source[:600]}\nOutput:\n{output.text[:600]}"
        + (f"\nWhat the user wanted:\n{item.reference[:600]}" if item.reference else "")
        for item, output in list(zip(items, outputs, strict=True))[:3]
    )
    rules = (
        "Keep the placeholders {examples} and {prefix}; {prefix} must stay last."
        if field == "template"
        else "You may use {request} for the user's own instruction."
    )
    asked = (
        f"You improve prompts for a writing assistant. The current {field} is:\n"
        f"<<<\n{getattr(design, field)}\n>>>\n\nWhat it produced:\n\n{shown}\n\n"
        f"Write an improved {field} that makes the outputs closer to what the user wanted. "
        f"{rules} Reply with the new {field} only."
    )
    answer = generate(optimizer, Prompt(text=asked, raw=False), max_tokens=300).text.strip()
    answer = answer.removeprefix("<<<").removesuffix(">>>").strip()
    try:
        return with_changes(design, **{field: answer}) if answer else None
    except InputError:
        return None
