"""The word being typed at the end of a raw prompt: back up to its start, cut it from the output.

Models read text as tokens that carry their leading space (" update"), so a
prompt that ends inside a word ("quick upd") sits at a token boundary the
model never saw in training and continues badly (`.` or `ip,`). Token healing
backs the prompt up to the start of the word, lets the model spell it again
under a constraint that keeps it consistent with the typed letters, and
returns only what comes after them::

    "Hi all, quick upd"  ─split_partial─▶  "Hi all, quick" + " upd"
    generate, first tokens spelling " upd..."  ─▶  " update on the rollout"
    after_typed(" upd")  ─▶  "ate on the rollout"

Backends that cannot constrain their sampling generate from the word start
too and keep the output only where it agrees with the typed letters.
"""

from __future__ import annotations

from collections.abc import Iterator

from redline.predictors.base import Stream
from redline.predictors.streams import relay


def split_partial(text: str) -> tuple[str, str]:
    """(the text before the word at its end, that word with the one space before it).

    ``("Hi all, quick", " upd")`` for ``"Hi all, quick upd"``; the tail is ""
    when the text ends in whitespace (or is empty).
    """
    if not text or text[-1].isspace():
        return text, ""
    start = len(text)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    if start > 0 and text[start - 1] == " " and (start == 1 or text[start - 2] != " "):
        start -= 1
    return text[:start], text[start:]


def after_typed(pieces: Iterator[str], typed: str) -> Stream:
    """The stream ``pieces`` without its first characters ``typed``.

    Ends at once (finish reason "stop") when the output does not start with
    ``typed``: a continuation of some other word is no continuation of this one.
    """
    held = ""

    def step(piece: str) -> tuple[str, str | None]:
        nonlocal held
        if len(held) >= len(typed):
            return piece, None
        held += piece
        if not (typed.startswith(held) or held.startswith(typed)):
            return "", "stop"
        return held[len(typed) :], None

    return relay(pieces, step)
