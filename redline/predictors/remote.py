"""The litellm backend: any hosted or self-hosted model by its litellm id.

Suggestions (raw prompts) continue the text, as the local model does: the prompt goes to
the server's text completion endpoint (``/v1/completions`` of llama.cpp's server, vLLM
and other OpenAI-compatible servers; Ollama's ``/api/generate``) and what comes back is
cut by the same rules (partial.py: the word being typed is generated again from its
start; after a typed space the continuation must start a new word). A model that only
chats (OpenAI's, Anthropic's, ...) is asked in a chat message to continue the text.
Chat prompts (drafts, learning, the chat, the judge) go to the chat endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from redline.predictors.base import Cancellation, Prompt, Sampling, Stream, WordBias
from redline.predictors.llama import WORD_ENDS
from redline.predictors.partial import after_typed, split_partial
from redline.predictors.providers import (
    TIMEOUT,
    has_text_endpoint,
    import_litellm,
    key_to_send,
    model_error,
)
from redline.predictors.streams import relay

CONTINUE = "Continue the text below. Reply with the continuation only, no preamble.\n\n"


class LiteLLMPredictor:
    """Streams completions from a litellm model id (``openai/...``, ``hosted_vllm/...``,
    ``ollama/...``, ...) at ``api_base`` (None: the provider's own API), sending ``api_key``.

    Sampling cannot be steered token by token over HTTP: word biases are ignored.
    """

    def __init__(self, model: str, api_base: str = "", api_key: str = "") -> None:
        self.name = model
        self.model = model
        self.api_base = api_base or None
        self._api_key = api_key
        self._text_endpoint: bool | None = None

    def load(self) -> None:
        """Import litellm and look the model's provider up now (done by itself on first use)."""
        self.continues_text()

    def continues_text(self) -> bool:
        """Whether suggestions come from a text completion endpoint (else from the chat)."""
        if self._text_endpoint is None:
            self._text_endpoint = has_text_endpoint(self.model)
        return self._text_endpoint

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
        head, typed = (prompt.text, "") if prompt.new_word else split_partial(prompt.text)
        if not prompt.context + head:
            return "stop"  # nothing to continue from (servers refuse an empty prompt)
        if self.continues_text():
            text = {"prompt": prompt.context + head}
            pieces = self._request(
                "text_completion", text, prompt.sampling, max_tokens, stop, cancel, _text_piece
            )
        else:
            answer = self._chat(prompt, CONTINUE + head, max_tokens, stop, cancel)
            pieces = _as_continuation(answer, prompt.new_word or typed.startswith(" "))
        if prompt.new_word:
            return (yield from _new_word(pieces))
        return (yield from after_typed(pieces, typed))

    def _chat(
        self,
        prompt: Prompt,
        content: str,
        max_tokens: int,
        stop: tuple[str, ...],
        cancel: Cancellation | None,
    ) -> Stream:
        messages = [{"role": "system", "content": prompt.context}] if prompt.context else []
        messages.append({"role": "user", "content": content})
        chat = {"messages": messages}
        return (
            yield from self._request(
                "completion", chat, prompt.sampling, max_tokens, stop, cancel, _chat_piece
            )
        )

    def _request(
        self,
        call: str,
        payload: dict[str, Any],
        sampling: Sampling,
        max_tokens: int,
        stop: tuple[str, ...],
        cancel: Cancellation | None,
        piece_of: Callable[[Any], str | None],
    ) -> Stream:
        """Stream litellm's ``call`` (completion or text_completion) until it ends or ``cancel``;
        a stream left early closes its HTTP response, so the server stops generating."""
        litellm = import_litellm()
        try:
            response = getattr(litellm, call)(
                model=self.model,
                api_base=self.api_base,
                api_key=key_to_send(self.model, self.api_base, self._api_key),
                max_tokens=max_tokens,
                stop=list(stop) or None,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                seed=sampling.seed,
                stream=True,
                timeout=TIMEOUT,
                max_retries=0,  # fail at once: the next keystroke or command asks again
                drop_params=True,  # a provider without seed (or top_p) goes without it
                **payload,
            )
            try:
                reason = "stop"
                for chunk in response:
                    if cancel is not None and cancel.cancelled:
                        return "cancelled"
                    if not chunk.choices:
                        continue
                    piece = piece_of(chunk.choices[0])
                    if piece:
                        yield piece
                    reason = chunk.choices[0].finish_reason or reason
                return "length" if reason == "length" else "stop"
            finally:
                _close(response)
        except Exception as exc:  # litellm raises many provider-specific types
            raise model_error(exc, self.model, self.api_base) from exc

    def choose(self, prompt: Prompt, options: tuple[str, ...]) -> str | None:
        """The option the answer starts with, else the only one its first line names (no
        grammar forces the answer's form over HTTP: "A: A", "Output A is better" read "A")."""
        asked = Prompt(
            text=f"{prompt.text}\n\nAnswer with exactly one of: {', '.join(options)}.",
            context=prompt.context,
            raw=False,
        )
        return _option_in("".join(self.stream(asked, max_tokens=8)), options)

    def close(self) -> None:
        """Nothing to release: each call is its own HTTP request."""


def _option_in(answer: str, options: tuple[str, ...]) -> str | None:
    """The option the answer's first line is or starts with, else the one option it names,
    else None."""
    first_line = next((line for line in answer.splitlines() if line.strip()), "")
    said = first_line.strip().strip(".\"'*` ")
    named = {}
    for option in options:
        found = re.search(rf"(?<!\w){re.escape(option)}(?!\w)", said)
        if found is not None:
            named[option] = found.start()
    first = min(named, key=named.__getitem__, default=None)
    return first if first is not None and (named[first] == 0 or len(named) == 1) else None


def _text_piece(choice: Any) -> str | None:
    return choice.text


def _chat_piece(choice: Any) -> str | None:
    return choice.delta.content


def _close(response: Any) -> None:
    """Close a litellm stream (a text completion stream wraps a chat-style one)."""
    inner = getattr(response, "completion_stream", response)
    close = getattr(inner, "close", None)
    if callable(close):
        close()


def _as_continuation(answer: Stream, spaced: bool) -> Stream:
    """A chat answer as a continuation: its leading whitespace dropped, and a space put back
    where the continuation starts with one (``spaced``), as no chat answer does."""
    started = False

    def step(piece: str) -> tuple[str, str | None]:
        nonlocal started
        if not started:
            piece = piece.lstrip()
            started = bool(piece)
            if started and spaced:
                piece = " " + piece
        return piece, None

    return relay(answer, step)


def _new_word(pieces: Stream) -> Stream:
    """``pieces`` when they begin with a space and then a word, else nothing (finish "stop"):
    the rule the local model's sampling keeps after a typed space."""
    held = ""
    checked = False

    def step(piece: str) -> tuple[str, str | None]:
        nonlocal held, checked
        if checked:
            return piece, None
        held += piece
        if len(held) < 2:
            return "", None
        checked = True
        if held[0] != " " or held[1].encode("utf-8") in WORD_ENDS:
            return "", "stop"
        return held, None

    return relay(pieces, step)
