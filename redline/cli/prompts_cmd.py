"""`redline optimize` and `redline prompts`: redline's own prompts, improved and versioned."""

from __future__ import annotations

import difflib
from datetime import datetime

import click
from rich.table import Table

from redline.agent.prompts import PROMPT_TASKS, describe, from_body
from redline.cli import CliContext
from redline.cli.output import console, error_console
from redline.memory.prompt_versions import PromptVersion


def register(cli: click.Group) -> None:
    cli.add_command(optimize)
    cli.add_command(prompts)


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def _text(version: PromptVersion) -> str:
    return describe(from_body(version.body))


def show_diff(old: PromptVersion, new: PromptVersion) -> None:
    """A unified diff of two versions' prompts."""
    lines = difflib.unified_diff(
        _text(old).splitlines(), _text(new).splitlines(), old.label, new.label, lineterm=""
    )
    for line in lines:
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        console.print(f"[{style}]{line}[/]" if style else line, markup=bool(style))


@click.command()
@click.option("--task", type=click.Choice(PROMPT_TASKS), required=True, help="Whose prompt.")
@click.option("--rounds", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--optimizer", help="A stronger model that proposes prompts (GGUF or litellm id).")
@click.option("--judge", help="A model that judges outputs where no ground truth exists.")
@click.option("--sample", type=click.IntRange(1, 100), default=6, show_default=True,
              help="Items of your history per round (as many again held out).")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="How the sample is drawn.")
@click.pass_obj
def optimize(
    obj: CliContext,
    task: str,
    rounds: int,
    optimizer: str | None,
    judge: str | None,
    sample: int,
    seed: int,
) -> None:
    """Improve redline's prompt for a task on your own history (SPO)."""
    from rich.progress import Progress

    with obj.assistant() as assistant, Progress(console=error_console, transient=True) as bar:
        job = bar.add_task(f"optimising the {task} prompt", total=rounds)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(job, description=what, completed=done, total=total)

        result = assistant.optimize(task, rounds, optimizer, judge, seed, progress, sample)
    console.print(
        f"judged by {result.judge} on {result.sample} item(s), {result.held_out} held out; "
        f"{result.calls} model calls"
    )
    for round_ in result.rounds:
        verdict = "accepted" if round_.decision.accepted else "rejected"
        console.print(f"  round {round_.number}: {verdict} ({round_.decision.describe()})")
        console.print(f"    {round_.change}", markup=False)
    if result.version is None:
        console.print(f"no candidate beat {result.start.label}; it stays active")
        return
    show_diff(result.start, result.version)
    if result.gate is None:
        console.print(
            f"stored {result.version.label} (id {result.version.id}), not active: no item was"
            f" held out to check it; `redline prompts activate {result.version.id}` to use it"
        )
    elif result.activated:
        console.print(f"{result.version.label} is now active: {result.gate.describe()} on"
                      " held-out items; `redline prompts rollback` undoes it")  # fmt: skip
    else:
        console.print(
            f"stored {result.version.label} (id {result.version.id}), not active: on held-out"
            f" items {result.gate.describe()}"
        )


@click.group()
def prompts() -> None:
    """redline's prompt versions: list, show, diff, activate, roll back."""


@prompts.command("list")
@click.argument("task", required=False, type=click.Choice(PROMPT_TASKS))
@click.pass_obj
def list_command(obj: CliContext, task: str | None) -> None:
    """Every prompt version (of one task), the active ones marked."""
    with obj.assistant() as assistant:
        versions = assistant.prompts.list(task)
    table = Table(title="prompt versions", title_justify="left")
    for column in ("id", "version", "active", "origin", "parent", "evidence", "created"):
        table.add_column(column, overflow="fold")
    for v in versions:
        gate = v.evidence.get("gate")
        evidence = f"held-out win rate {gate['win_rate']:.0%}" if gate else "-"
        table.add_row(str(v.id), v.label, "*" if v.active else "", v.origin,
                      str(v.parent_id or "-"), evidence, _when(v.created))  # fmt: skip
    console.print(table)


@prompts.command()
@click.argument("version", type=int)
@click.pass_obj
def show(obj: CliContext, version: int) -> None:
    """One version: its prompt and the evidence it was kept on."""
    with obj.assistant() as assistant:
        found = assistant.prompts.get(version)
    state = "active" if found.active else "inactive"
    console.print(f"[bold]{found.label}[/] (id {found.id}, {state}, from {found.origin}, "
                  f"parent {found.parent_id or '-'}, {_when(found.created)})")  # fmt: skip
    console.print(_text(found), markup=False)
    for round_ in found.evidence.get("rounds", []):
        console.print(f"round {round_['round']}: {round_['wins']} wins, {round_['losses']} losses,"
                      f" {round_['ties']} ties — {round_['change']}", markup=False)  # fmt: skip
    gate = found.evidence.get("gate")
    if gate:
        low, high = gate["ci"]
        console.print(f"held out: win rate {gate['win_rate']:.0%} (95% CI {low:.0%}–{high:.0%})")


@prompts.command()
@click.argument("old", type=int)
@click.argument("new", type=int, required=False)
@click.pass_obj
def diff(obj: CliContext, old: int, new: int | None) -> None:
    """What changed between two versions (NEW defaults to the task's active one)."""
    with obj.assistant() as assistant:
        first = assistant.prompts.get(old)
        second = assistant.prompts.get(new) if new else assistant.prompts.active(first.task)
    show_diff(first, second)


@prompts.command()
@click.argument("version", type=int)
@click.pass_obj
def activate(obj: CliContext, version: int) -> None:
    """Use a version from now on (by hand: you are the judge)."""
    with obj.assistant() as assistant:
        found = assistant.prompts.activate(version, "activated by hand")
    console.print(f"{found.label} is active; `redline prompts rollback {found.task}` undoes it")


@prompts.command()
@click.argument("task", type=click.Choice(PROMPT_TASKS))
@click.pass_obj
def rollback(obj: CliContext, task: str) -> None:
    """Go back to the version that was active before the last activation."""
    with obj.assistant() as assistant:
        found = assistant.prompts.rollback(task)
    console.print(f"{found.label} is active again")
