"""A predictor that counts the model calls made through it (what an optimisation costs)."""

from __future__ import annotations

from dataclasses import dataclass

from redline.predictors.base import Cancellation, Predictor, Prompt, Stream, WordBias


@dataclass
class Tally:
    """A count of model calls, shared by the predictors that add to it."""

    calls: int = 0


class CountingPredictor:
    """Passes every call to ``inner`` and counts it in ``tally``."""

    def __init__(self, inner: Predictor, tally: Tally) -> None:
        self.inner = inner
        self.name = inner.name
        self.tally = tally

    def stream(
        self,
        prompt: Prompt,
        max_tokens: int,
        stop: tuple[str, ...] = (),
        cancel: Cancellation | None = None,
        bias: WordBias | None = None,
    ) -> Stream:
        self.tally.calls += 1
        return self.inner.stream(prompt, max_tokens, stop, cancel, bias)

    def choose(self, prompt: Prompt, options: tuple[str, ...]) -> str | None:
        self.tally.calls += 1
        return self.inner.choose(prompt, options)

    def close(self) -> None:
        """The inner predictor belongs to its owner, who closes it."""
