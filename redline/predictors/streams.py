"""Filters over a backend's stream of text pieces, keeping its finish reason."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator

# A filter step: given the next piece, the text to pass on and, to end the
# stream there, a finish reason (None: go on).
Step = Callable[[str], tuple[str, str | None]]


def relay(pieces: Iterator[str], step: Step) -> Generator[str, None, str]:
    """The pieces as ``step`` rewrites them, until ``step`` ends the stream or the pieces end
    (their finish reason, "stop" when they give none). The source is closed either way."""
    try:
        while True:
            text, reason = step(next(pieces))
            if text:
                yield text
            if reason is not None:
                return reason
    except StopIteration as end:
        return end.value or "stop"
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()
