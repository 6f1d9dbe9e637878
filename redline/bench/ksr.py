"""Keystroke savings (`redline bench ksr`): how much typing inline completion saves.

A simulated user types each target text from left to right. At every word
boundary (the start, and right after each run of whitespace) and right after
each accepted suggestion, the system under test suggests a continuation of the
text typed so far. The user accepts the longest whole-word prefix of it that
matches what they meant to type, for one keystroke (Tab); otherwise they type
the next word and the whitespace after it by hand, one keystroke a character.
KSR = 1 - keystrokes / characters.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.table import Table

from redline.agent.words import split_trailing_space, whole_words
from redline.errors import ConfigError, InputError
from redline.memory.phrases import NEWLINE, join_tokens, tokenize

if TYPE_CHECKING:
    from redline.config import Settings

SYSTEMS = ("redline", "ngram", "llm")
BASELINE = "ngram"
Suggest = Callable[[str], str]
# progress(system, targets typed so far, targets in all); called with 0 before setup.
Progress = Callable[[str, int, int], None]

# -- the simulated user --------------------------------------------------------


@dataclass
class TargetResult:
    """What typing one target text cost, and how the suggestions fared."""

    chars: int
    id: str = ""
    kind: str = ""
    keystrokes: int = 0
    calls: int = 0
    shown: int = 0  # calls that returned a non-empty suggestion
    accepted: int = 0
    accepted_words: int = 0
    latencies_s: list[float] = field(default_factory=list, repr=False)

    @property
    def ksr(self) -> float:
        return 1.0 - self.keystrokes / self.chars if self.chars else 0.0


def _splits_no_word(text: str, cut: int) -> bool:
    """Whether cutting ``text`` before index ``cut`` (> 0) leaves every word whole."""
    return cut >= len(text) or text[cut].isspace() or text[cut - 1].isspace()


def accepted_length(upcoming: str, suggestion: str) -> int:
    """How many characters of ``suggestion`` the user accepts before typing ``upcoming``.

    The longest prefix of the suggestion that equals the upcoming text, ends
    on a whole-word cut of both and holds at least one word; 0 when none does.
    """
    same = 0
    for wanted, offered in zip(upcoming, suggestion, strict=False):
        if wanted != offered:
            break
        same += 1
    for cut in range(same, 0, -1):
        if _splits_no_word(upcoming, cut) and _splits_no_word(suggestion, cut):
            return cut if suggestion[:cut].strip() else 0
    return 0


def _typed_by_hand(target: str, pos: int) -> int:
    """Where typing by hand from ``pos`` stops: past the word there and the whitespace after it."""
    end = pos
    while end < len(target) and not target[end].isspace():
        end += 1
    while end < len(target) and target[end].isspace():
        end += 1
    return end


def simulate(target: str, suggest: Suggest, *, target_id: str = "", kind: str = "") -> TargetResult:
    """Type ``target`` with the help of ``suggest`` and count the keystrokes."""
    result = TargetResult(chars=len(target), id=target_id, kind=kind)
    pos = 0
    while pos < len(target):
        start = time.perf_counter()
        suggestion = suggest(target[:pos]) or ""
        result.latencies_s.append(time.perf_counter() - start)
        result.calls += 1
        result.shown += bool(suggestion)
        taken = accepted_length(target[pos:], suggestion)
        if taken:
            result.keystrokes += 1
            result.accepted += 1
            result.accepted_words += len(suggestion[:taken].split())
            pos += taken
        else:
            end = _typed_by_hand(target, pos)
            result.keystrokes += end - pos
            pos = end
    return result


# -- metrics ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Metrics over a set of targets; KSR is character-weighted, ``ksr_macro`` per target."""

    targets: int
    chars: int
    keystrokes: int
    ksr: float
    ksr_macro: float
    calls: int
    shown: int
    accepted: int
    acceptance_rate: float  # accepted / shown
    words_per_acceptance: float
    latency_mean_ms: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    setup_s: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated linearly; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize(results: Iterable[TargetResult], setup_s: float = 0.0) -> Summary:
    """Aggregate per-target results into one :class:`Summary`."""
    rows = list(results)
    chars = sum(r.chars for r in rows)
    keystrokes = sum(r.keystrokes for r in rows)
    shown = sum(r.shown for r in rows)
    accepted = sum(r.accepted for r in rows)
    latencies = [s * 1000 for r in rows for s in r.latencies_s]
    return Summary(
        targets=len(rows),
        chars=chars,
        keystrokes=keystrokes,
        ksr=1.0 - keystrokes / chars if chars else 0.0,
        ksr_macro=sum(r.ksr for r in rows) / len(rows) if rows else 0.0,
        calls=sum(r.calls for r in rows),
        shown=shown,
        accepted=accepted,
        acceptance_rate=accepted / shown if shown else 0.0,
        words_per_acceptance=sum(r.accepted_words for r in rows) / accepted if accepted else 0.0,
        latency_mean_ms=sum(latencies) / len(latencies) if latencies else math.nan,
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        latency_max_ms=max(latencies, default=math.nan),
        setup_s=setup_s,
    )


# -- data ------------------------------------------------------------------------

DATA_HINT = (
    'a data folder holds history.jsonl and targets.jsonl, one {"id", "kind", "text"} '
    "object a line (e.g. ../shared/predict-dev)"
)


@dataclass(frozen=True)
class Text:
    """One piece of the user's writing."""

    id: str
    kind: str
    text: str


def load_texts(path: Path) -> list[Text]:
    """The texts of a JSONL file, one ``{"id", "kind", "text"}`` object a line."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path.name} is missing from {path.parent}", DATA_HINT) from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text", DATA_HINT) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", DATA_HINT) from None
    texts = []
    for number, line in enumerate(content.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg})", DATA_HINT) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f'{path}:{number}: expected an object with a "text" string', DATA_HINT)
        texts.append(Text(str(row.get("id", number)), str(row.get("kind", "")), row["text"]))
    return texts


def load_data(folder: Path) -> tuple[list[Text], list[Text]]:
    """The user's earlier writing and the texts to type, from a predict-dev style folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"data folder not found: {folder}", DATA_HINT)
    history = load_texts(folder / "history.jsonl")
    targets = load_texts(folder / "targets.jsonl")
    if not targets:
        raise InputError(f"no texts to type in {folder / 'targets.jsonl'}", DATA_HINT)
    return history, targets


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
    tokens are words with punctuation attached, and line breaks.
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

    def suggest(self, prefix: str) -> str:
        context = [START, START, *_ngram_tokens(prefix)]
        after_space = prefix[-1:].isspace()
        out: list[str] = []
        words = 0
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
        return join_tokens(flat, space_before=bool(prefix) and not after_space)

    def close(self) -> None:
        pass


class LlmSystem:
    """Baseline: greedy plain continuation of the typed text by a GGUF model, nothing personal."""

    def __init__(self, model_path: Path | None = None, max_tokens: int = 16) -> None:
        from llama_cpp import Llama

        from redline.predictors.discovery import embedded_model_path, physical_cores

        path = model_path or embedded_model_path()
        self.llama: Any = Llama(
            model_path=str(path), n_ctx=2048, n_threads=physical_cores(), verbose=False
        )
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


# -- the benchmark ---------------------------------------------------------------


def run_ksr(
    data: Path,
    systems: Sequence[str] = SYSTEMS,
    limit: int | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> list[tuple[str, Summary]]:
    """Type the targets in ``data`` with each system in turn; one summary per system.

    Each system learns from the history once (its ``setup_s``) and keeps its
    model loaded for all targets. ``limit`` types only the first N targets.
    """
    unknown = [name for name in systems if name not in SYSTEMS]
    if unknown:
        raise ConfigError(f"unknown system {unknown[0]!r}", f"choose from {', '.join(SYSTEMS)}")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be at least 1, not {limit}")
    history, targets = load_data(Path(data))
    targets = targets[:limit]
    texts = [h.text for h in history]
    rows = []
    for name in dict.fromkeys(systems):
        if progress:
            progress(name, 0, len(targets))
        start = time.perf_counter()
        system = make_system(name, texts, model, settings)
        setup_s = time.perf_counter() - start
        results = []
        try:
            for done, target in enumerate(targets, 1):
                results.append(
                    simulate(target.text, system.suggest, target_id=target.id, kind=target.kind)
                )
                if progress:
                    progress(name, done, len(targets))
        finally:
            system.close()
        rows.append((name, summarize(results, setup_s=setup_s)))
    return rows


def format_table(rows: Sequence[tuple[str, Summary]], title: str | None = None) -> Table:
    """One row per system, with its KSR as a ratio to the n-gram baseline's."""
    baseline = dict(rows).get(BASELINE)
    table = Table(title=title or "Keystroke savings")
    table.add_column("system")
    numbers = ("KSR", f"× {BASELINE}", "accepted", "words/acc", "calls", "p50 ms", "p95 ms")
    for column in (*numbers, "setup s"):
        table.add_column(column, justify="right")
    for name, s in rows:
        ratio = f"{s.ksr / baseline.ksr:.2f}" if baseline and baseline.ksr > 0 else "–"
        table.add_row(
            name,
            f"{s.ksr:.3f}",
            ratio,
            f"{s.acceptance_rate:.1%}",
            f"{s.words_per_acceptance:.2f}",
            str(s.calls),
            f"{s.latency_p50_ms:.1f}",
            f"{s.latency_p95_ms:.1f}",
            f"{s.setup_s:.1f}",
        )
    if rows:
        first = rows[0][1]
        table.caption = (
            f"{first.targets} targets, {first.chars} characters; KSR = 1 - keystrokes / characters"
        )
    return table
