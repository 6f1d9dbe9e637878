"""`redline bench ...`: benchmarks that print redline beside a baseline measured in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from redline.cli import CliContext
from redline.cli.output import console, error_console


def register(cli: click.Group) -> None:
    cli.add_command(bench)


@click.group()
def bench() -> None:
    """Measure speed and quality against baselines run alongside."""


@bench.command("complete")
@click.option("--model", "remote", help="A remote model (litellm id) to measure beside the local.")
@click.option("--api-base", help="The remote model's server URL (else the api_base setting).")
@click.pass_obj
def bench_complete_command(obj: CliContext, remote: str | None, api_base: str | None) -> None:
    """Latency of completions beside raw llama.cpp calls with the same prompts; with --model,
    a remote model's beside its predictor alone, on the same typing."""
    from redline.bench.latency import bench_complete, bench_remote, ratio, sample_texts

    texts = sample_texts()
    history, targets = texts[:6], texts[6:]
    with error_console.status("typing the bundled sample texts word by word ..."):
        rows = bench_complete(obj.settings(), history, targets)
    table = Table(title="redline bench complete", title_justify="left")
    for column in ("path", "calls", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right" if column != "path" else "left")
    model, raw, _, cached = rows
    caption = (
        f"model path vs raw llama.cpp: p50 ratio {ratio(model.p50_ms, raw.p50_ms)}, "
        f"p95 ratio {ratio(model.p95_ms, raw.p95_ms)} (target ≤ 1.2); "
        f"cached keystroke p95 {cached.p95_ms:.2f} ms (target < 5 ms)"
    )
    if remote:
        settings = obj.settings(model=remote, api_base=api_base)
        with error_console.status(f"typing them again with {remote} ..."):
            remote_rows = bench_remote(settings, history, targets)
        path, alone, _ = remote_rows
        rows += remote_rows
        caption += (
            f"; {remote}: redline vs its predictor alone p50 ratio "
            f"{ratio(path.p50_ms, alone.p50_ms)}, p95 ratio {ratio(path.p95_ms, alone.p95_ms)}"
        )
    for r in rows:
        table.add_row(r.name, str(r.calls), f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}")
    table.caption = caption
    console.print(table)


@bench.command("ksr")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Folder with history.jsonl and targets.jsonl.",
)
@click.option("--limit", type=click.IntRange(1), help="Type only the first N targets.")
@click.option(
    "--systems",
    default="redline,ngram,llm",
    show_default=True,
    help="Comma-separated: redline, ngram (personal trigram), llm (plain model).",
)
@click.option(
    "--midword",
    is_flag=True,
    help="Ask after every keystroke (as editors do), not only at word boundaries.",
)
@click.pass_obj
def bench_ksr_command(
    obj: CliContext, data: Path, limit: int | None, systems: str, midword: bool
) -> None:
    """Keystroke savings of inline completion beside a personal n-gram and a plain LLM."""
    from redline.bench.ksr import format_table, run_ksr

    names = [s.strip() for s in systems.split(",") if s.strip()]
    rows = run_ksr(data, names, limit=limit, model=obj.settings().model or None, midword=midword)
    mode = "after every keystroke" if midword else "at word boundaries"
    console.print(format_table(rows, title=f"Keystroke savings, asked {mode}"))


@bench.command("prelude")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A PRELUDE-lite folder: run.py, adapter_redline.py, documents and users.",
)
@click.option("--docs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--users", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(1), default=100, show_default=True)
@click.option("--seeds", type=click.IntRange(1), default=3, show_default=True)
@click.option("--modes", default="none,oracle,learn", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench-results/prelude.json"),
    show_default=True,
    help="Results JSON; the learning-curve plot is written beside it (.png).",
)
@click.pass_obj
def bench_prelude_command(
    obj: CliContext,
    data: Path,
    docs: Path | None,
    users: Path | None,
    rounds: int,
    seeds: int,
    modes: str,
    out: Path,
) -> None:
    """Cumulative edit cost of drafts under a simulated user: no-learning, oracle, learning."""
    import os

    from redline.bench.prelude import compare, find_one, run_runner, runner_command

    docs = docs or find_one(data, "*_documents.jsonl", "docs")
    users = users or find_one(data, "*_users.json", "users")
    model = obj.settings().model
    if model:
        os.environ["REDLINE_MODEL"] = model
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    run_runner(
        runner_command(data, docs.resolve(), users.resolve(), rounds, seeds, out, modes), data
    )
    table = Table(
        title=f"redline bench prelude ({rounds} rounds, {seeds} seeds)", title_justify="left"
    )
    for column in ("user", "mode", "cum. cost mean ± sd", "zero-edit", "× none"):
        table.add_column(column, justify="left" if column in ("user", "mode") else "right")
    for comparison in compare(out):
        for mode, (mean, stdev, zero) in comparison.costs.items():
            times = comparison.ratio(mode)
            shown = f"{times:.2f}" if times is not None else "-"
            table.add_row(comparison.user, mode, f"{mean:.1f} ± {stdev:.1f}", f"{zero:.2f}", shown)
    table.caption = f"target: learn ≤ 0.50 × none; results {out} (plot {out.with_suffix('.png')})"
    console.print(table)


@bench.command("lsp")
@click.option(
    "--starts",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="How many times each server is started for the start-up time.",
)
@click.option(
    "--big",
    is_flag=True,
    help="Instead: a keystroke in 5 MB documents beside one in a 5 KB document.",
)
@click.pass_obj
def bench_lsp_command(obj: CliContext, starts: int, big: bool) -> None:
    """The language server through a real client beside a bare pygls server and direct calls."""
    from redline.bench.latency import sample_texts
    from redline.bench.lsp import format_lsp_table, run_lsp_bench

    texts = sample_texts()
    if big:
        from redline.bench.lsp_big import format_big_table, run_big_bench

        with error_console.status("typing at the end of 5 KB and 5 MB documents ..."):
            console.print(format_big_table(run_big_bench(obj.settings(), history=texts[:6])))
        return
    with error_console.status("starting servers, then typing the sample through `redline lsp` ..."):
        result = run_lsp_bench(obj.settings(), history=texts[:6], targets=texts[6:], starts=starts)
    console.print(format_lsp_table(result))


def _sizes(context: Any, param: Any, value: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("a comma-separated list of passage counts: 1000,10000") from None
    if not sizes or min(sizes) < 10:
        raise click.BadParameter("each size is at least 10 passages")
    return sizes


@bench.command("scale")
@click.option(
    "--sizes",
    default="1000,10000,100000",
    show_default=True,
    callback=_sizes,
    help="Memory sizes in passages, comma-separated; one memory grows through them.",
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the grown memory in this folder (a later run grows it further).",
)
@click.pass_obj
def bench_scale_command(obj: CliContext, sizes: tuple[int, ...], keep: Path | None) -> None:
    """Observe speed, disk, first suggestion, completion, retrieval and memory as a memory of
    generated writing grows; the smallest size is the baseline."""
    from redline.bench.scale import format_scale_table, run_scale_bench

    rows = []
    with error_console.status("growing a memory of generated notes ...") as status:
        for row in run_scale_bench(obj.settings(), sizes, keep):
            rows.append(row)
            error_console.print(f"measured at {row.passages:,} passages")
            status.update("growing the memory further ...")
    console.print(format_scale_table(rows))


@bench.command("spo")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="A predict-dev folder (keystroke savings) or a PRELUDE-lite folder (edit cost).",
)
@click.option("--rounds", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--sample", type=click.IntRange(1, 100), default=6, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--limit", type=click.IntRange(1), help="Targets typed / documents per phase.")
@click.pass_obj
def bench_spo_command(
    obj: CliContext, data: Path, rounds: int, sample: int, seed: int, limit: int | None
) -> None:
    """A prompt's score before and after optimisation, on items not used to optimise."""
    from redline.bench.spo import SpoOptions, run_spo

    rows = run_spo(
        data, SpoOptions(rounds, sample, seed, limit), obj.settings(), error_console.print
    )
    table = Table(title=f"redline bench spo ({rounds} rounds, sample {sample})",
                  title_justify="left")  # fmt: skip
    for column in ("data", "prompt", "metric", "before", "after", "after / before", "calls",
                   "accepted", "gate"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for row in rows:
        number = "{:.3f}" if row.higher_is_better else "{:.0f}"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        table.add_row(row.who, row.task, row.metric, number.format(row.before),
                      number.format(row.after), ratio, str(row.calls),
                      f"{row.accepted}/{row.rounds}", row.gate)  # fmt: skip
    table.caption = "before: the prompt active at the start; after: the best prompt found"
    console.print(table)
