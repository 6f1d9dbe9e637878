"""`redline bench scale`: the same measures over memories of growing size, in one run.

One data dir grows through the sizes (in passages; generated notes,
:mod:`redline.bench.generated`), observed in batches as `redline observe`
stores files. At each size:

- observe: passages stored per second while growing to it;
- disk: the data dir's size;
- first suggestion: a fresh `redline lsp` over the memory, spawn to its first
  non-empty inline suggestion (:func:`redline.bench.lsp.time_first_suggestion`),
  and that server's resident memory once its models are loaded;
- complete: the bundled targets typed word by word through
  ``Assistant.complete_detail``, models loaded, p50 and p95;
- retrieval: ``similar_samples`` for the same prefixes, p95.

The smallest size is the baseline of the others: complete's p95 is shown as
a multiple of its value there.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from redline.bench.generated import generated_notes
from redline.bench.keystrokes import percentile
from redline.bench.latency import sample_texts, word_prefixes
from redline.bench.lsp import phrase_prefix, time_first_suggestion
from redline.config import Settings
from redline.memory.passages import split_passages

SIZES = (1_000, 10_000, 100_000)
# Passages stored per batch, as `redline observe` stores about 20,000 characters at a time.
BATCH_PASSAGES = 60


@dataclass(frozen=True)
class ScaleRow:
    """What was measured at one size (seconds and bytes)."""

    passages: int
    observe_rate: float  # passages per second while growing to this size
    disk: int
    first_suggestion: float
    first_source: str
    resident: int  # the fresh server's, models loaded
    complete: list[float]
    retrieval: list[float]


def _batches(notes: Iterator[str], passages: int) -> Iterator[list[tuple[str, str | None]]]:
    """Batches of notes adding up to ``passages`` passages (the last batch may pass it)."""
    batch: list[tuple[str, str | None]] = []
    counted = total = 0
    while total < passages:
        note = next(notes)
        batch.append((note, None))
        counted += len(split_passages(note))
        if counted >= BATCH_PASSAGES:
            total += counted
            yield batch
            batch, counted = [], 0
    if batch:
        yield batch


def _grow(settings: Settings, notes: Iterator[str], passages: int) -> tuple[int, float]:
    """Observe notes until the memory holds ``passages`` passages; (held, passages stored per
    second, NaN where none was)."""
    from redline.assistant import Assistant

    with Assistant(settings=settings) as assistant:
        held = before = assistant.store.passage_state()[0]
        assistant.embedder.load()
        start = time.perf_counter()
        for batch in _batches(notes, passages - held):
            held += assistant.observe_many(batch)
        seconds = time.perf_counter() - start
    return held, (held - before) / seconds if held > before else float("nan")


def _disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _typed(settings: Settings, targets: list[str]) -> tuple[list[float], list[float]]:
    """Seconds per completion and per retrieval over the targets' word prefixes."""
    from redline.assistant import Assistant

    complete: list[float] = []
    retrieval: list[float] = []
    with Assistant(settings=settings) as assistant:
        assistant.predictor.load()
        assistant.embedder.load()
        assistant.complete("Warm up", uri="redline:warm-up")
        for i, target in enumerate(targets):
            for prefix in word_prefixes(target):
                start = time.perf_counter()
                assistant.complete_detail(prefix, uri=f"file:///t{i}.md", typed_by_hand=True)
                complete.append(time.perf_counter() - start)
                start = time.perf_counter()
                assistant.writing.similar_samples(prefix[-600:], settings.context_chars)
                retrieval.append(time.perf_counter() - start)
    return complete, retrieval


def run_scale_bench(
    settings: Settings, sizes: tuple[int, ...] = SIZES, data: Path | None = None
) -> Iterator[ScaleRow]:
    """Grow one memory through ``sizes`` and measure at each; rows as they are measured.

    ``data`` keeps the data dir (and grows one left by an earlier run); else
    it is a temporary one.
    """
    texts = sample_texts()
    history, targets = texts[:6], texts[6:]
    with tempfile.TemporaryDirectory(prefix="redline-bench-scale-") as scratch:
        where = data or Path(scratch) / "memory"
        here = replace(settings, data_dir=str(where))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["REDLINE_DATA_DIR"] = str(where)
        notes = _notes_with(history)
        for size in sorted(sizes):
            held, rate = _grow(here, notes, size)
            command = [sys.executable, "-m", "redline", "lsp"]
            first = asyncio.run(time_first_suggestion(command, env, phrase_prefix(history)))
            complete, retrieval = _typed(here, targets)
            yield ScaleRow(
                held, rate, _disk(where), first.seconds, first.source, first.resident,
                complete, retrieval,
            )  # fmt: skip
        if data is None:
            shutil.rmtree(where, ignore_errors=True)


def _notes_with(history: list[str]) -> Iterator[str]:
    """The bundled history first (so the targets' phrases are there), then generated notes."""
    yield from history
    yield from generated_notes()


def format_scale_table(rows: list[ScaleRow]) -> Any:
    """One row per size; the targets apply to the largest."""
    from rich.table import Table

    table = Table(title="redline bench scale", title_justify="left")
    columns = ("passages", "observe /s", "disk MiB", "first suggestion", "complete p50",
               "complete p95", "× smallest", "retrieval p95", "server MiB")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    base = percentile(rows[0].complete, 95) if rows else float("nan")
    for row in rows:
        p95 = percentile(row.complete, 95)
        table.add_row(
            f"{row.passages:,}",
            f"{row.observe_rate:.0f}",
            f"{row.disk / 2**20:.1f}",
            f"{row.first_suggestion:.2f} s ({row.first_source})",
            f"{percentile(row.complete, 50) * 1000:.1f} ms",
            f"{p95 * 1000:.1f} ms",
            f"{p95 / base:.2f}",
            f"{percentile(row.retrieval, 95) * 1000:.1f} ms",
            f"{row.resident / 2**20:.0f}",
        )
    table.caption = (
        "targets at 100,000 passages: observe ≥ 200/s, first suggestion ≤ 3 s, "
        "complete p95 ≤ 1.2 × smallest, server ≤ 500 MiB"
    )
    return table
