"""Draft prompt version 1: one instruction per task, the preferences, then the source."""

from __future__ import annotations

TASKS: dict[str, str] = {
    "summarize": "Summarize the text below in a few sentences. Write only the summary.",
    "email": "Write a short email to the team from the notes below. Write only the email.",
    "rewrite": "Rewrite the text below so that it reads well. Keep its meaning and length.",
    "continue": "Continue the text below with one more paragraph in the same style.",
}


def instruction(task: str) -> str:
    """The instruction for a known task, or the user's own words for any other."""
    return TASKS.get(task.strip().lower(), task.strip())


def draft_prompt(task: str, source: str, preference: str | None) -> str:
    """The chat message that asks the model for a draft."""
    lines = [instruction(task)]
    if preference:
        lines.append(f"Follow these preferences of the reader: {preference}")
    lines.append(f"\nText:\n{source.strip()}")
    return "\n".join(lines)


def preference_prompt(draft: str, edited: str) -> str:
    """The chat message that asks the model what an edit says about the user's taste."""
    return (
        "A user edited a draft. In one short sentence starting with a verb, state the writing"
        " preference the edit shows (for example: Use a friendly tone.).\n\n"
        f"Draft:\n{draft.strip()}\n\nEdited by the user:\n{edited.strip()}\n\nPreference:"
    )
