"""The litellm backend: any hosted or self-hosted model by its litellm id."""

from __future__ import annotations

import os
from typing import Any

from redline.errors import ModelError
from redline.predictors.base import Cancellation, Prompt, Stream, WordBias
from redline.predictors.partial import after_typed, split_partial
from redline.predictors.streams import relay


def import_litellm() -> Any:
    """Import litellm without its network fetch of the model cost map."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.telemetry = False
    return litellm


class LiteLLMPredictor:
    """Streams completions from a litellm model id (``ollama/...``, ``openai/...``, ...)."""

    def __init__(self, model: str, api_base: str = "") -> None:
        self.name = model
        self.model = model
        self.api_base = api_base or None

    def stream(
        self,
        prompt: Prompt,
        max_tokens: int,
        stop: tuple[str, ...] = (),
        cancel: Cancellation | None = None,
        bias: WordBias | None = None,
    ) -> Stream:
        if not prompt.raw:
            return (yield from self._chat(prompt, prompt.text, max_tokens, stop, cancel))
        # Chat models begin their answer without the space a continuation carries: a word
        # being typed is spelled again from its start and cut off (partial.py), a typed
        # space is put back before the new word.
        head, typed = (prompt.text, "") if prompt.new_word else split_partial(prompt.text)
        content = "Continue the text below. Reply with the continuation only, no preamble.\n\n"
        pieces = _without_leading_space(
            self._chat(prompt, content + head, max_tokens, stop, cancel)
        )
        if prompt.new_word:
            yield " "
        return (yield from after_typed(pieces, typed.lstrip()))

    def _chat(
        self,
        prompt: Prompt,
        content: str,
        max_tokens: int,
        stop: tuple[str, ...],
        cancel: Cancellation | None,
    ) -> Stream:
        litellm = import_litellm()
        messages = [{"role": "system", "content": prompt.context}] if prompt.context else []
        messages.append({"role": "user", "content": content})
        try:
            response = litellm.completion(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=prompt.sampling.temperature,
                top_p=prompt.sampling.top_p,
                stop=list(stop) or None,
                api_base=self.api_base,
                stream=True,
            )
            reason = "stop"
            for chunk in response:
                if cancel is not None and cancel.cancelled:
                    return "cancelled"
                choice = chunk.choices[0]
                if choice.delta.content:
                    yield choice.delta.content
                reason = choice.finish_reason or reason
            return reason
        except Exception as exc:  # litellm raises many provider-specific types
            if isinstance(exc, ModelError):
                raise
            raise ModelError(
                f"the model {self.model} failed: {exc}",
                "check the model id, api_base and the server (redline doctor)",
            ) from exc

    def choose(self, prompt: Prompt, options: tuple[str, ...]) -> str | None:
        asked = Prompt(
            text=f"{prompt.text}\n\nAnswer with exactly one of: {', '.join(options)}.",
            context=prompt.context,
            raw=False,
        )
        answer = "".join(self.stream(asked, max_tokens=8)).strip().strip(".\"'*` ")
        return answer if answer in options else None

    def close(self) -> None:
        """Nothing to release: each call is its own HTTP request."""


def _without_leading_space(pieces: Stream) -> Stream:
    """``pieces`` with the whitespace at the start of the whole text dropped."""
    started = False

    def step(piece: str) -> tuple[str, str | None]:
        nonlocal started
        if not started:
            piece = piece.lstrip()
            started = bool(piece)
        return piece, None

    return relay(pieces, step)
