"""The loop guard every generating path shares: no block repeated back to back.

Small models fall into loops under greedy decoding ("P.S." twenty times; a
sign-off, then the sign-off again). A block is a whole line (or lines) or a
run of at least ``MIN_RUN`` words; when one follows itself, the text is cut
before the second copy, and a stream stops as soon as the second copy is
complete::

    "Best,\\nRavi\\n\\nBest,\\nRavi"  ─cut_repeats─▶  "Best,\\nRavi"

Whitespace inside a block does not count (a blank line between the copies
still repeats), nor does case or punctuation: the words and line breaks do.
A longer text (a draft) also loses a sentence it already said further up
(:func:`without_repeated_sentences`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from redline.predictors.streams import relay

if TYPE_CHECKING:
    from redline.predictors.base import Stream

# The fewest words in a repeated run that is not a whole line.
MIN_RUN = 3
# Tokens at the end of the text searched for a loop (a constant cost per piece).
WINDOW = 160
_TOKEN = re.compile(r"\n[\s]*|[^\s]+")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|(?=\n)|$)[ \t]*")


def _tokens(text: str) -> list[tuple[str, int]]:
    """(token, start offset) for each word and each run of whitespace holding a line break."""
    found = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        key = "\n" if token[0] == "\n" else re.sub(r"\W+", "", token.lower()) or token
        found.append((key, match.start()))
    return found


def _repeat_at_end(tokens: list[tuple[str, int]], end: int | None = None) -> int | None:
    """Where the second copy starts, when ``tokens[:end]`` ends with a block repeated back to
    back (a block of ``size`` can only end there if the token ``size`` back is the same)."""
    end = len(tokens) if end is None else end
    keys = [key for key, _ in tokens[max(0, end - WINDOW) : end]]
    for size in range(1, len(keys) // 2 + 1):
        if keys[-1] != keys[-1 - size] or keys[-size:] != keys[-2 * size : -size]:
            continue
        block = keys[-size:]
        words = sum(1 for key in block if key != "\n")
        if words >= MIN_RUN or (words and "\n" in block):
            return tokens[end - size][1]
    return None


def cut_repeats(text: str) -> str:
    """``text`` up to the first block that repeats the one before it (trailing space dropped)."""
    tokens = _tokens(text)
    for end in range(2, len(tokens) + 1):
        cut = _repeat_at_end(tokens, end)
        if cut is not None:
            return text[:cut].rstrip()
    return text


def without_repeated_sentences(text: str) -> str:
    """``text`` without the sentences (of ``MIN_RUN`` words or more) that repeat an earlier one."""
    seen: set[tuple[str, ...]] = set()
    kept: list[str] = []
    at = 0
    for match in _SENTENCE.finditer(text):
        kept.append(text[at : match.start()])  # line breaks between sentences
        at = match.end()
        key = tuple(k for k, _ in _tokens(match.group()) if k != "\n")
        if len(key) >= MIN_RUN and key in seen:
            continue
        seen.add(key)
        kept.append(match.group())
    kept.append(text[at:])
    joined = re.sub(r"[ \t]+\n", "\n", "".join(kept))
    return re.sub(r"\n{3,}", "\n\n", joined).strip() if joined != text else text


def _complete(text: str) -> bool:
    """Whether the last token of ``text`` is finished (the text ends in whitespace)."""
    return bool(text) and text[-1].isspace()


def without_loops(pieces: Stream) -> Stream:
    """``pieces`` until the text they make repeats a block back to back (finish reason "loop").

    The pieces are passed on as they come; the caller cuts the second copy
    from the whole text with :func:`cut_repeats`.
    """
    text = ""

    def step(piece: str) -> tuple[str, str | None]:
        nonlocal text
        before, text = len(text), text + piece
        if "\n" in piece or " " in piece or _complete(text):
            tokens = _tokens(text[max(0, before - 2000) :])
            complete = tokens if _complete(text) else tokens[:-1]
            if len(complete) >= 2 and _repeat_at_end(complete) is not None:
                return piece, "loop"
        return piece, None

    return relay(pieces, step)
