"""`redline bench ksr`: keystroke savings of redline beside baselines typed in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from redline.bench.keystrokes import Summary, simulate, summarize
from redline.bench.systems import SYSTEMS, make_system
from redline.bench.texts import load_data
from redline.errors import ConfigError

if TYPE_CHECKING:
    from redline.config import Settings

BASELINE = "ngram"
# progress(system, targets typed so far, targets in all); called with 0 before setup.
Progress = Callable[[str, int, int], None]


# -- the benchmark ---------------------------------------------------------------


def run_ksr(
    data: Path,
    systems: Sequence[str] = SYSTEMS,
    limit: int | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    settings: Settings | None = None,
    midword: bool = False,
) -> list[tuple[str, Summary]]:
    """Type the targets in ``data`` with each system in turn; one summary per system.

    Each system learns from the history once (its ``setup_s``) and keeps its
    model loaded for all targets. ``limit`` types only the first N targets;
    ``midword`` asks after every keystroke, not only at word boundaries.
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
                    simulate(
                        target.text,
                        system.suggest,
                        target_id=target.id,
                        kind=target.kind,
                        midword=midword,
                    )
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
