"""The llama.cpp backend: any GGUF on CPU, with GPU offload where llama.cpp was built for it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from redline.errors import ModelError
from redline.predictors.base import Cancellation, Prompt, Stream, WordBias
from redline.predictors.discovery import physical_cores

# SmolLM2 (and other GPT-2 style vocabularies) add no start token to a raw
# prompt; an empty prompt crashes llama.cpp, so raw prompts begin with this.
DOCUMENT_START = "<|endoftext|>"
# Bytes that cannot begin a word: after a space, a token starting with one continues none.
WORD_ENDS = frozenset({b""} | {bytes([byte]) for byte in b" \t\n\r.,;:!?)]}"})


class LlamaPredictor:
    """Streams completions from a GGUF model, loaded on first use.

    One ``Llama`` object is kept for the life of the predictor: llama.cpp
    reuses the key/value cache of the longest common token prefix of
    consecutive prompts, so a keystroke costs only its new tokens.
    """

    def __init__(
        self, model_path: Path, gpu_layers: int = 0, threads: int = 0, context_size: int = 2048
    ) -> None:
        self.path = Path(model_path)
        self.name = self.path.name
        self.gpu_layers = gpu_layers
        self.threads = threads or physical_cores()
        self.context_size = context_size
        self._llama: Any = None
        self._lock = threading.RLock()
        self._token_cache: dict[str, list[int]] = {}
        self._first_tokens: dict[str, int] = {}
        self._word_start_mask: Any = None

    def load(self) -> Any:
        """Load the model now (it loads by itself on first use)."""
        with self._lock:
            if self._llama is None:
                if not self.path.is_file():
                    raise ModelError(
                        f"model file not found: {self.path}",
                        "check the model setting, or run `redline models`",
                    )
                from llama_cpp import Llama

                try:
                    self._llama = Llama(
                        model_path=str(self.path),
                        n_ctx=self.context_size,
                        n_threads=self.threads,
                        n_threads_batch=self.threads,  # else prompts use every core
                        n_gpu_layers=self.gpu_layers,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise ModelError(
                        f"llama.cpp could not load {self.path}: {exc}",
                        "is it a GGUF model file? run `redline models` for the installed ones",
                    ) from exc
            return self._llama

    def tokenize(self, text: str, special: bool = True) -> list[int]:
        """Tokens of ``text`` without a start token; ``special``: parse control markers."""
        return self.load().tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def _cached_tokens(self, text: str) -> list[int]:
        """Tokens of a stable text (the document start, a context block), memoised."""
        tokens = self._token_cache.get(text)
        if tokens is None:
            if len(self._token_cache) > 64:
                self._token_cache.clear()
            tokens = self._token_cache[text] = self.tokenize(text)
        return tokens

    def prompt_tokens(self, prompt: Prompt) -> list[int]:
        """The raw prompt as tokens: start, context (memoised), then the typed text."""
        llama = self.load()
        start = self._cached_tokens(DOCUMENT_START) if _has_token(llama, DOCUMENT_START) else []
        if not start and llama.token_bos() >= 0:
            start = [llama.token_bos()]
        # What the user typed is text, never control tokens, whatever it spells.
        typed = self.tokenize(prompt.text, special=False)
        tokens = start + self._cached_tokens(prompt.context) + typed
        room = self.context_size - 64
        if len(tokens) > room:
            tokens = start + tokens[len(tokens) - room + len(start) :]
        return tokens

    def stream(
        self,
        prompt: Prompt,
        max_tokens: int,
        stop: tuple[str, ...] = (),
        cancel: Cancellation | None = None,
        bias: WordBias | None = None,
    ) -> Stream:
        with self._lock:
            llama = self.load()
            if prompt.raw:
                tokens = self.prompt_tokens(prompt)
                chunks = llama.create_completion(
                    prompt=tokens,
                    max_tokens=max_tokens,
                    temperature=0.0,
                    stop=list(stop) or None,
                    stream=True,
                    logits_processor=self._steering(bias, prompt.new_word, len(tokens)),
                )
                key = "text"
            else:
                chunks = llama.create_chat_completion(
                    messages=_chat_messages(prompt),
                    max_tokens=max_tokens,
                    temperature=0.0,
                    stop=list(stop) or None,
                    stream=True,
                )
                key = "delta"
            reason = "stop"
            for chunk in chunks:
                if cancel is not None and cancel.cancelled:
                    chunks.close()
                    return "cancelled"
                choice = chunk["choices"][0]
                piece = choice["text"] if key == "text" else choice["delta"].get("content")
                if piece:
                    yield piece
                reason = choice.get("finish_reason") or reason
            return reason

    def choose(self, prompt: Prompt, options: tuple[str, ...]) -> str | None:
        from llama_cpp import LlamaGrammar

        grammar = LlamaGrammar.from_string(
            "root ::= " + " | ".join(json.dumps(option) for option in options), verbose=False
        )
        with self._lock:
            reply = self.load().create_chat_completion(
                messages=_chat_messages(prompt), max_tokens=8, temperature=0.0, grammar=grammar
            )
        answer = (reply["choices"][0]["message"].get("content") or "").strip()
        return answer if answer in options else None

    def _first_token(self, text: str) -> int:
        token = self._first_tokens.get(text)
        if token is None:
            token = self._first_tokens[text] = self.tokenize(text)[0]
        return token

    def _word_starts(self) -> Any:
        """A mask over the vocabulary: the tokens that begin with a space and then a word."""
        if self._word_start_mask is None:
            import numpy as np

            llama = self._llama
            pieces = (llama.detokenize([token]) for token in range(llama.n_vocab()))
            self._word_start_mask = np.fromiter(
                (p[:1] == b" " and p[1:2] not in WORD_ENDS for p in pieces),
                dtype=bool,
                count=llama.n_vocab(),
            )
        return self._word_start_mask

    def _steering(self, bias: WordBias | None, new_word: bool, prompt_length: int) -> Any:
        """A logits processor: ``bias`` on the first token of each string, and a first token
        that starts a new word when ``new_word``; None when there is nothing to steer."""
        if bias is None and not new_word:
            return None
        from llama_cpp import LogitsProcessorList

        llama = self._llama
        word_starts = self._word_starts() if new_word else None

        def processor(input_ids: Any, logits: Any) -> Any:
            if word_starts is not None and len(input_ids) == prompt_length:
                logits[~word_starts] = -float("inf")
            if bias is not None:
                generated = llama.detokenize(list(input_ids[prompt_length:]))
                for text, boost in bias(generated.decode("utf-8", "ignore")).items():
                    if text:
                        logits[self._first_token(text)] += boost
            return logits

        return LogitsProcessorList([processor])

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


def _chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": prompt.context}] if prompt.context else []
    return messages + [{"role": "user", "content": prompt.text}]


def _has_token(llama: Any, text: str) -> bool:
    """Whether ``text`` is one special token of the model's vocabulary."""
    return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)) == 1
