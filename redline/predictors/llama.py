"""The llama.cpp backend: any GGUF on CPU, with GPU offload where llama.cpp was built for it."""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from redline.errors import ModelError
from redline.predictors.amx import without_amx_kernels
from redline.predictors.base import Cancellation, Prompt, Sampling, Stream, WordBias
from redline.predictors.discovery import physical_cores
from redline.predictors.partial import after_typed, split_partial

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
        self._pieces_by_id: list[bytes] | None = None
        self._spelling_index: TokenSpelling | None = None

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
                    with without_amx_kernels():
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
                # Token healing (partial.py), unless the typed space already ended the word.
                head, typed = (prompt.text, "") if prompt.new_word else split_partial(prompt.text)
                tokens = self.prompt_tokens(replace(prompt, text=head))
                chunks = llama.create_completion(
                    prompt=tokens,
                    max_tokens=max_tokens,
                    stop=list(stop) or None,
                    **_sampling(prompt.sampling),
                    stream=True,
                    logits_processor=self._steering(bias, prompt.new_word, len(tokens), typed),
                )
                pieces = (chunk["choices"][0] for chunk in chunks)
                return (yield from after_typed(self._pieces(pieces, "text", cancel), typed))
            chunks = llama.create_chat_completion(
                messages=_chat_messages(prompt),
                max_tokens=max_tokens,
                stop=list(stop) or None,
                stream=True,
                **_sampling(prompt.sampling),
            )
            choices = (chunk["choices"][0] for chunk in chunks)
            return (yield from self._pieces(choices, "delta", cancel))

    @staticmethod
    def _pieces(choices: Iterator[dict[str, Any]], key: str, cancel: Cancellation | None) -> Stream:
        """The text of streamed choices (``key``: "text" or "delta"), until ``cancel``."""
        reason = "stop"
        for choice in choices:
            if cancel is not None and cancel.cancelled:
                choices.close()
                return "cancelled"
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

    def _vocabulary(self) -> list[bytes]:
        """The bytes of every token of the vocabulary, by id."""
        if self._pieces_by_id is None:
            llama = self._llama
            self._pieces_by_id = [llama.detokenize([token]) for token in range(llama.n_vocab())]
        return self._pieces_by_id

    def _word_starts(self) -> Any:
        """A mask over the vocabulary: the tokens that begin with a space and then a word."""
        if self._word_start_mask is None:
            import numpy as np

            pieces = self._vocabulary()
            self._word_start_mask = np.fromiter(
                (p[:1] == b" " and p[1:2] not in WORD_ENDS for p in pieces),
                dtype=bool,
                count=len(pieces),
            )
        return self._word_start_mask

    def _spelling(self) -> TokenSpelling:
        if self._spelling_index is None:
            self._spelling_index = TokenSpelling(self._vocabulary())
        return self._spelling_index

    def _steering(
        self, bias: WordBias | None, new_word: bool, prompt_length: int, typed: str = ""
    ) -> Any:
        """A logits processor: first tokens that spell ``typed`` (token healing), ``bias`` on
        the first token of each string after it, and a first token that starts a new word when
        ``new_word``; None when there is nothing to steer."""
        if bias is None and not new_word and not typed:
            return None
        import numpy as np
        from llama_cpp import LogitsProcessorList

        llama = self._llama
        word_starts = self._word_starts() if new_word else None
        spelled = typed.encode("utf-8")
        spelling = self._spelling() if spelled else None

        def processor(input_ids: Any, logits: Any) -> Any:
            generated = llama.detokenize(list(input_ids[prompt_length:]))
            if spelling is not None and len(generated) < len(spelled):
                allowed = spelling.consistent(spelled[len(generated) :])
                masked = np.full_like(logits, -np.inf)
                masked[allowed] = logits[allowed]
                return masked
            if word_starts is not None and len(input_ids) == prompt_length:
                logits[~word_starts] = -float("inf")
            if bias is not None:
                after = generated[len(spelled) :].decode("utf-8", "ignore")
                for text, boost in bias(after).items():
                    if text:
                        logits[self._first_token(text)] += boost
            return logits

        return LogitsProcessorList([processor])

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


class TokenSpelling:
    """Which tokens can spell the start of a given text, found by prefix search."""

    def __init__(self, pieces: list[bytes]) -> None:
        import numpy as np

        order = sorted((piece, token) for token, piece in enumerate(pieces) if piece)
        self._sorted = [piece for piece, _ in order]
        self._ids = np.array([token for _, token in order], dtype=np.int64)
        self._exact: dict[bytes, list[int]] = {}
        for piece, token in order:
            self._exact.setdefault(piece, []).append(token)

    def consistent(self, text: bytes) -> Any:
        """The ids of the tokens that are a prefix of ``text`` or start with it."""
        import numpy as np

        lo = bisect.bisect_left(self._sorted, text)
        hi = bisect.bisect_left(self._sorted, text + b"\xff" * 8, lo)
        shorter = [t for n in range(1, len(text)) for t in self._exact.get(text[:n], ())]
        return np.concatenate([self._ids[lo:hi], np.array(shorter, dtype=np.int64)])


def _sampling(sampling: Sampling) -> dict[str, Any]:
    """llama.cpp's sampling arguments for ``sampling``."""
    return {
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "repeat_penalty": sampling.repeat_penalty,
        "seed": sampling.seed,
    }


def _chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    messages = [{"role": "system", "content": prompt.context}] if prompt.context else []
    return messages + [{"role": "user", "content": prompt.text}]


def _has_token(llama: Any, text: str) -> bool:
    """Whether ``text`` is one special token of the model's vocabulary."""
    return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True)) == 1
