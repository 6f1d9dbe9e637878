"""Completion prompt designs: how the user's own passages are shown before the typed text.

Promptor-style: the user's own writing serves as examples, and the text
before the cursor follows as a raw continuation, so a small base-like model
simply carries on writing as the user does.

Measured with the KSR benchmark's simulated typist on the development set
(40 earlier texts, 10 new ones; phrase threshold 0.4, phrase bias 6):
notebook 0.2875, framed 0.2851, documents 0.2840. The best became prompt
version 1 (``COMPLETION_V1``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CompletionPrompt:
    """The context block shown before the typed text: a header, examples, separators."""

    name: str
    header: str
    example_separator: str
    before_text: str

    def context(self, examples: list[str]) -> str:
        """The stable block placed before the typed text (empty without examples)."""
        if not examples:
            return ""
        return self.header + self.example_separator.join(examples) + self.before_text


DESIGNS = {
    design.name: design
    for design in (
        # Each example is a document of its own, as the model saw them in training.
        CompletionPrompt("documents", "", "\n<|endoftext|>", "\n<|endoftext|>"),
        # One notebook of the user's writing, entries divided by rules.
        CompletionPrompt("notebook", "", "\n\n---\n\n", "\n\n---\n\n"),
        # A short framing line, then the examples and the new text.
        CompletionPrompt(
            "framed",
            "Some things I wrote recently:\n\n",
            "\n\n---\n\n",
            "\n\n---\n\nWhat I am writing now:\n\n",
        ),
    )
}

COMPLETION_V1 = DESIGNS["notebook"]
