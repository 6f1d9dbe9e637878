"""The prompt that asks the model what an edit says about the user's taste."""

from __future__ import annotations


def preference_prompt(draft: str, edited: str) -> str:
    """The chat message that asks the model what an edit says about the user's taste."""
    return (
        "A user edited a draft. In one short sentence starting with a verb, state the writing"
        " preference the edit shows (for example: Use a friendly tone.).\n\n"
        f"Draft:\n{draft.strip()}\n\nEdited by the user:\n{edited.strip()}\n\nPreference:"
    )
