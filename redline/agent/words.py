"""Cutting generated text to whole words that can be inserted at the cursor."""

from __future__ import annotations


def whole_words(continuation: str, finished: bool) -> str:
    """The continuation without a trailing partial word or trailing whitespace.

    ``finished`` is False when generation stopped at its token limit, so the
    last word may be cut off; it is then dropped.
    """
    text = continuation
    if not finished:
        cut = max(text.rfind(" "), text.rfind("\n"))
        text = text[:cut] if cut > 0 else ""
    return text.rstrip()


def split_trailing_space(prefix: str) -> tuple[str, bool]:
    """The prefix without one trailing space, and whether it had one.

    BPE tokens carry their leading space, so a model continues "the" with
    " quick" far better than it continues "the " with "quick".
    """
    if prefix.endswith(" ") and not prefix.endswith("  "):
        return prefix[:-1], True
    return prefix, False
