"""`redline bench complete`: latency of Assistant.complete beside a raw llama.cpp call, and a
remote model's beside its predictor alone."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.assistant import Assistant
from redline.bench.keystrokes import percentile
from redline.config import Settings
from redline.predictors.base import generate

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


@dataclass(frozen=True)
class LatencyRow:
    name: str
    calls: int
    p50_ms: float
    p95_ms: float


def row(name: str, seconds: list[float]) -> LatencyRow:
    ms = [s * 1000 for s in seconds]
    if not ms:
        return LatencyRow(name, 0, 0.0, 0.0)
    return LatencyRow(name, len(ms), percentile(ms, 50), percentile(ms, 95))


def word_prefixes(text: str) -> Iterator[str]:
    """The text as typed, stopping after each word and the space that follows it."""
    for i, char in enumerate(text):
        if char.isspace() and i + 1 < len(text) and not text[i + 1].isspace():
            yield text[: i + 1]


def sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_DIR.glob("*.md"))]


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


@dataclass
class Typing:
    """Seconds per call of each of redline's paths while the targets were typed, and the
    model calls' details (their prompt, token limit and output)."""

    model_s: list[float]
    phrase_s: list[float]
    cached_s: list[float]
    model_calls: list[dict[str, Any]]


def type_targets(assistant: Assistant, history: list[str], targets: list[str]) -> Typing:
    """Observe ``history``, then type ``targets`` word by word through ``assistant``, and the
    first letter of each suggestion (the cached-keystroke path)."""
    typing = Typing([], [], [], [])
    for text in history:
        assistant.observe_writing(text)
    predictor = assistant.predictor
    if hasattr(predictor, "load"):
        predictor.load()
    assistant.writing.phrases()
    assistant.complete("warm up")
    for target in targets:
        for prefix in word_prefixes(target):
            start = time.perf_counter()
            detail = assistant.complete_detail(prefix)
            elapsed = time.perf_counter() - start
            if detail["source"] == "model":
                typing.model_s.append(elapsed)
                typing.model_calls.append(detail)
            elif detail["source"] == "phrases":
                typing.phrase_s.append(elapsed)
            suggestion = detail["suggestion"]
            if len(suggestion.strip()) > 1:
                typed = prefix + suggestion[: 2 if suggestion[0] == " " else 1]
                typing.cached_s.append(_timed(lambda t=typed: assistant.complete(t)))
    return typing


def bench_complete(settings: Settings, history: list[str], targets: list[str]) -> list[LatencyRow]:
    """Type ``targets`` word by word through redline, then replay the same prompts raw.

    Rows: redline's calls that ran the model, the raw llama.cpp calls with
    the very same prompt tokens generating as many tokens (same model, same
    order, so the same key/value cache reuse), redline's calls served by the
    user's phrases, and the cached-keystroke path (typing the first letter
    of a suggestion).
    """
    with (
        tempfile.TemporaryDirectory(prefix="redline-bench-") as scratch,
        Assistant(settings=settings, data_dir=scratch) as assistant,
    ):
        typing = type_targets(assistant, history, targets)
        tokens = [
            (assistant.predictor.prompt_tokens(d["prompt"]), _tokens_generated(assistant, d))
            for d in typing.model_calls
        ]
        path = assistant.predictor.path
    raw_s = _raw_llama_latencies(settings, path, tokens)
    return [
        row("redline (model ran)", typing.model_s),
        row("raw llama.cpp, same prompts", raw_s),
        row("redline (user's phrases)", typing.phrase_s),
        row("redline (cached keystroke)", typing.cached_s),
    ]


def bench_remote(settings: Settings, history: list[str], targets: list[str]) -> list[LatencyRow]:
    """The same typing with a remote model (``settings.model`` at ``settings.api_base``), beside
    its predictor alone (litellm and the server) on the very same prompts and token limits."""
    with (
        tempfile.TemporaryDirectory(prefix="redline-bench-") as scratch,
        Assistant(settings=settings, data_dir=scratch) as assistant,
    ):
        typing = type_targets(assistant, history, targets)
        raw_s = [
            _timed(lambda d=d: generate(assistant.predictor, d["prompt"], d["max_tokens"], ("\n",)))
            for d in typing.model_calls
        ]
    return [
        row(f"redline, {settings.model} (model ran)", typing.model_s),
        row(f"{settings.model} alone, same prompts", raw_s),
        row(f"redline, {settings.model} (cached keystroke)", typing.cached_s),
    ]


def _tokens_generated(assistant: Assistant, detail: dict[str, Any]) -> int:
    """How many tokens a model call generated, counting the stop it ended at."""
    generated = assistant.predictor.tokenize(detail["generated"], special=False)
    return max(1, len(generated) + bool(detail["finished"]))


def _raw_llama_latencies(
    settings: Settings, path: Path, prompts: list[tuple[list[int], int]]
) -> list[float]:
    from redline.predictors.llama import LlamaPredictor

    # A second, bare llama.cpp object with redline's own load parameters.
    llama = LlamaPredictor(
        path,
        gpu_layers=settings.gpu_layers,
        threads=settings.threads,
        context_size=settings.context_size,
    ).load()
    seconds = []
    try:
        llama.create_completion(prompt=prompts[0][0] if prompts else [0], max_tokens=1)
        for tokens, generated in prompts:
            seconds.append(
                _timed(
                    lambda t=tokens, n=generated: llama.create_completion(
                        prompt=t, max_tokens=n, temperature=0.0
                    )
                )
            )
    finally:
        llama.close()
    return seconds


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"
