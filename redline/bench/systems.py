"""The systems `redline bench ksr` compares: redline, a personal n-gram, a plain LLM."""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from redline.agent.words import split_trailing_space, whole_words
from redline.errors import ConfigError
from redline.memory.tokens import NEWLINE, join_tokens, tokenize

if TYPE_CHECKING:
    from redline.config import Settings

SYSTEMS = ("redline", "ngram", "llm")


# -- the systems measured ----------------------------------------------------------


class System(Protocol):
    """Something that suggests text to insert at the end of a typed prefix."""

    def suggest(self, prefix: str) -> str: ...

    def close(self) -> None: ...


class RedlineSystem:
    """redline itself: an Assistant on a fresh data folder that has read the history."""

    def __init__(
        self, history: Sequence[str], model: str | None = None, settings: Settings | None = None
    ) -> None:
        from redline import Assistant

        self._folder = tempfile.TemporaryDirectory(
            prefix="redline-ksr-", ignore_cleanup_errors=True
        )
        try:
            self.assistant = Assistant(data_dir=self._folder.name, model=model, settings=settings)
        except BaseException:
            self._folder.cleanup()
            raise
        try:
            for text in history:
                self.assistant.observe_writing(text)
            load = getattr(self.assistant.predictor, "load", None)
            if callable(load):
                load()  # setup, not the first keystroke, pays for loading the model
        except BaseException:
            self.close()
            raise

    def suggest(self, prefix: str) -> str:
        return self.assistant.complete(prefix)

    def close(self) -> None:
        try:
            self.assistant.close()
        finally:
            self._folder.cleanup()


START, END = "<s>", "</s>"
PARAGRAPH = NEWLINE * 2


def _ngram_tokens(text: str) -> list[str]:
    """Words and line breaks; a run of line breaks is one token of at most two."""
    tokens: list[str] = []
    for token in tokenize(text):
        if token == NEWLINE and tokens and tokens[-1].startswith(NEWLINE):
            tokens[-1] = PARAGRAPH
        else:
            tokens.append(token)
    return tokens


class NgramSystem:
    """Baseline: a word trigram of the user's history, greedy for up to ``max_words`` words.

    Interpolated absolute discounting over trigram, bigram and unigram counts;
    tokens are words with punctuation attached, and line breaks. Inside a word,
    the likeliest longer word of the history finishes it first (when likelier
    than the typed letters as a word), as in predict-dev's ``baseline_ngram.py``.
    """

    def __init__(self, history: Sequence[str], max_words: int = 3, discount: float = 0.75) -> None:
        self.max_words = max_words
        self.discount = discount
        # counts[n][context of n tokens][next token]
        self.counts: list[defaultdict[tuple[str, ...], Counter[str]]] = [
            defaultdict(Counter) for _ in range(3)
        ]
        for text in history:
            tokens = [START, START, *_ngram_tokens(text), END]
            for i in range(2, len(tokens)):
                for n in range(3):
                    self.counts[n][tuple(tokens[i - n : i])][tokens[i]] += 1
        self.totals = [{c: sum(f.values()) for c, f in level.items()} for level in self.counts]
        self.common = [t for t, _ in self.counts[0][()].most_common(20)]
        self.vocabulary = [t for t in self.counts[0][()] if t != END and t[0] != NEWLINE]

    def probability(self, context: tuple[str, ...], token: str) -> float:
        """P(token | the last ``len(context)`` tokens), smoothed by the shorter contexts."""
        followers = self.counts[len(context)].get(context)
        if not context:
            total = self.totals[0].get((), 0)
            count = followers[token] if followers else 0
            return (count + 0.1) / (total + 0.1 * (len(followers or ()) + 1))
        lower = self.probability(context[1:], token)
        if not followers:
            return lower
        total = self.totals[len(context)][context]
        kept = max(followers[token] - self.discount, 0.0)
        return (kept + self.discount * len(followers) * lower) / total

    def next_token(self, context: tuple[str, str], allow_break: bool) -> str | None:
        """The most probable token after ``context`` (ties: the first in sort order)."""
        candidates = set(self.common)
        for n in (1, 2):
            candidates.update(self.counts[n].get(context[2 - n :], ()))
        if not allow_break:
            candidates -= {NEWLINE, PARAGRAPH}
        scored = [(-self.probability(context, t), t) for t in candidates]
        return min(scored)[1] if scored else None

    def finish_word(self, context: tuple[str, str], part: str) -> str | None:
        """The likeliest word of the history that extends ``part``, if likelier than ``part``."""
        seen = part in self.counts[0][()]
        best, best_p = None, self.probability(context, part) if seen else 0.0
        for word in self.vocabulary:
            if len(word) > len(part) and word.startswith(part):
                p = self.probability(context, word)
                if p > best_p:
                    best, best_p = word, p
        return best

    def suggest(self, prefix: str) -> str:
        context = [START, START, *_ngram_tokens(prefix)]
        after_space = prefix[-1:].isspace()
        out: list[str] = []
        words = 0
        rest = ""  # of the word being typed
        if prefix and not after_space:  # inside a word: finish it first
            part = context.pop()
            word = self.finish_word((context[-2], context[-1]), part)
            if word is not None:
                rest, words = word[len(part) :], 1
            context.append(word or part)
        while words < self.max_words:
            # A typed whitespace run is complete, so a word comes next; line
            # breaks never follow each other (a run of them is one token).
            allow_break = not out[-1].startswith(NEWLINE) if out else not after_space
            token = self.next_token((context[-2], context[-1]), allow_break)
            if token is None or token == END:
                break
            out.append(token)
            context.append(token)
            words += not token.startswith(NEWLINE)
        while out and out[-1].startswith(NEWLINE):
            out.pop()
        flat = [part for t in out for part in ([NEWLINE] * len(t) if t[0] == NEWLINE else [t])]
        return rest + join_tokens(flat, space_before=bool(prefix) and not after_space)

    def close(self) -> None:
        pass


class LlmSystem:
    """Baseline: greedy plain continuation of the typed text by a GGUF model, nothing personal."""

    def __init__(self, model_path: Path | None = None, max_tokens: int = 16) -> None:
        from redline.predictors.discovery import embedded_model_path
        from redline.predictors.llama import LlamaPredictor

        # The bare llama.cpp object, loaded exactly as redline loads its own.
        self.llama: Any = LlamaPredictor(model_path or embedded_model_path()).load()
        self.max_tokens = max_tokens
        self.start: list[int] = self.llama.tokenize(b"<|endoftext|>", add_bos=False, special=True)

    def suggest(self, prefix: str) -> str:
        text, typed_space = split_trailing_space(prefix)
        typed = self.llama.tokenize(text.encode("utf-8"), add_bos=False) if text else []
        room = self.llama.n_ctx() - self.max_tokens - len(self.start)
        out = self.llama.create_completion(
            self.start + typed[-room:],
            max_tokens=self.max_tokens,
            temperature=0.0,
            top_k=1,
            repeat_penalty=1.0,
            stop=["\n"],
        )
        choice = out["choices"][0]
        continuation: str = choice["text"]
        if typed_space:
            if not continuation.startswith(" "):
                return ""
            continuation = continuation[1:]
        return whole_words(continuation, finished=choice["finish_reason"] != "length")

    def close(self) -> None:
        llama, self.llama = self.llama, None
        if llama is not None:
            llama.close()


def make_system(
    name: str,
    history: Sequence[str],
    model: str | None = None,
    settings: Settings | None = None,
) -> System:
    """The named system, ready to suggest after learning from ``history``.

    ``model``/``settings`` go to redline's Assistant; the ``llm`` baseline runs
    the same model when it is a local GGUF, else the embedded one.
    """
    if name == "redline":
        return RedlineSystem(history, model=model, settings=settings)
    if name == "ngram":
        return NgramSystem(history)
    if name == "llm":
        from redline.predictors.discovery import is_local_model, resolve_gguf

        chosen = model or (settings.model if settings else "")
        return LlmSystem(resolve_gguf(chosen) if chosen and is_local_model(chosen) else None)
    raise ConfigError(f"unknown system {name!r}", f"choose from {', '.join(SYSTEMS)}")
