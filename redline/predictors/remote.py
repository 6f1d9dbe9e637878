"""The litellm backend: any hosted or self-hosted model by its litellm id."""

from __future__ import annotations

import os
from typing import Any

from redline.errors import ModelError
from redline.predictors.base import Cancellation, Prompt, Stream, WordBias


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
        litellm = import_litellm()
        messages = [{"role": "system", "content": prompt.context}] if prompt.context else []
        content = prompt.text
        if prompt.raw:
            content = (
                "Continue the text below. Reply with the continuation only, no preamble.\n\n"
                + prompt.text
            )
        messages.append({"role": "user", "content": content})
        try:
            response = litellm.completion(
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
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
