"""Words as redline's phrase models count them: punctuation attached, line breaks on their own."""

from __future__ import annotations

import re

NEWLINE = "\n"
TOKEN = re.compile(r"\n|[^\s]+")


def tokenize(text: str) -> list[str]:
    """Words (punctuation attached) and line breaks."""
    return TOKEN.findall(text)


def join_tokens(tokens: list[str], space_before: bool) -> str:
    """Text for ``tokens``; ``space_before``: a word comes right before them."""
    out = []
    after_word = space_before
    for token in tokens:
        if token != NEWLINE and after_word:
            out.append(" ")
        out.append(token)
        after_word = token != NEWLINE
    return "".join(out)
