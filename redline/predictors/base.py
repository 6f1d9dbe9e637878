"""The one protocol every text generation backend implements."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Protocol

from redline.predictors.repetition import cut_repeats, without_loops

# Why a generation ended: "stop" (stop sequence or end of text), "length"
# (max_tokens reached), "loop" (it began to repeat itself) or "cancelled".
FinishReason = str
Stream = Generator[str, None, FinishReason]
# Given the text generated so far, the strings that may come next and how much
# to favour each (added to the first token's logit); backends that cannot
# bias their sampling ignore it.
WordBias = Callable[[str], dict[str, float]]


@dataclass
class Cancellation:
    """A flag a caller sets to stop a running generation between tokens."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class Sampling:
    """How a backend picks tokens: greedy (temperature 0) unless a design says otherwise.

    ``repeat_penalty`` (> 1) makes tokens already in the text less likely;
    backends that have no such setting ignore it. ``seed`` makes sampling repeatable.
    """

    temperature: float = 0.0
    top_p: float = 1.0
    repeat_penalty: float = 1.0
    seed: int | None = 0


GREEDY = Sampling()


@dataclass(frozen=True)
class Prompt:
    """A prompt in two parts: ``context`` changes rarely, ``text`` on every keystroke.

    Backends that cache the key/value state of a prompt prefix (llama.cpp)
    tokenise the parts separately, so the context's tokens stay identical
    from call to call and only the text's tokens are evaluated again.
    ``raw`` prompts are continued as they are; chat prompts (``raw=False``)
    are sent as one user message to instruction-following models.
    ``new_word``: the continuation begins with a space and a new word (the
    typed text's trailing space was moved into it); backends that can
    constrain their sampling ensure it. A raw text that ends inside a word is
    continued after that word's typed letters (see ``partial.py``).
    ``sampling``: how tokens are picked.
    """

    text: str
    context: str = ""
    raw: bool = True
    new_word: bool = False
    sampling: Sampling = GREEDY


class Predictor(Protocol):
    """Streams a continuation of a prompt, token by token."""

    name: str

    def stream(
        self,
        prompt: Prompt,
        max_tokens: int,
        stop: tuple[str, ...] = (),
        cancel: Cancellation | None = None,
        bias: WordBias | None = None,
    ) -> Stream:
        """Yield pieces of text; stop at a stop sequence (excluded), ``max_tokens`` or ``cancel``.

        ``max_tokens`` counts every token generated, those that spell again a
        word being typed included (it bounds the time a call takes). The
        generator's return value is the finish reason.
        """
        ...

    def choose(self, prompt: Prompt, options: tuple[str, ...]) -> str | None:
        """One of ``options`` in answer to a chat prompt; None when the answer is none of them.

        Local backends force the answer's form with a grammar, so it always parses.
        """
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: FinishReason


def generate(
    predictor: Predictor,
    prompt: Prompt,
    max_tokens: int,
    stop: tuple[str, ...] = (),
    cancel: Cancellation | None = None,
    bias: WordBias | None = None,
) -> Generation:
    """The whole continuation, and why it ended; cut before a block it repeats (a loop)."""
    pieces: list[str] = []
    stream = without_loops(predictor.stream(prompt, max_tokens, stop, cancel, bias))
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as end:
            return Generation(cut_repeats("".join(pieces)), end.value or "stop")
