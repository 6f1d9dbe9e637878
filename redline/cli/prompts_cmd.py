"""`redline optimize` and `redline prompts`: redline's own prompts, improved and versioned."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table

from redline.agent.prompt_report import diff_lines, evidence_lines, evidence_summary, prompt_text
from redline.agent.prompts import OPTIMIZED_TASKS, check_task
from redline.cli import CliContext
from redline.cli.output import console, error_console
from redline.errors import InputError
from redline.memory.prompt_versions import PromptVersion


def register(cli: click.Group) -> None:
    cli.add_command(optimize)
    cli.add_command(prompts)


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def show_diff(old: PromptVersion, new: PromptVersion) -> None:
    """A unified diff of two versions' prompts."""
    for line in diff_lines(old, new):
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "")
        console.print(f"[{style}]{line}[/]" if style else line, markup=bool(style))


@click.command()
@click.option("--task", type=click.Choice(OPTIMIZED_TASKS), required=True, help="Whose prompt.")
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


def _task(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A prompt task named on the command line; an unknown one is a usage error."""
    try:
        return check_task(value) if value else None
    except InputError as exc:
        raise click.BadParameter(f"{exc.message}; {exc.hint}") from None


@prompts.command("list")
@click.argument("task", required=False, callback=_task)
@click.pass_obj
def list_command(obj: CliContext, task: str | None) -> None:
    """Every prompt version (of one task), the active ones marked."""
    with obj.assistant() as assistant:
        versions = assistant.prompts.list(task)
    table = Table(title="prompt versions", title_justify="left")
    for column in ("id", "version", "active", "origin", "parent", "evidence", "created"):
        table.add_column(column, overflow="fold")
    for v in versions:
        table.add_row(str(v.id), v.label, "*" if v.active else "", v.origin,
                      str(v.parent_id or "-"), evidence_summary(v), _when(v.created))  # fmt: skip
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
    console.print(prompt_text(found), markup=False)
    for line in evidence_lines(found):
        console.print(line, markup=False)


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
@click.argument("task", callback=_task)
@click.pass_obj
def rollback(obj: CliContext, task: str) -> None:
    """Go back to the version that was active before the last activation."""
    with obj.assistant() as assistant:
        found = assistant.prompts.rollback(task)
    console.print(f"{found.label} is active again")


@prompts.command()
@click.argument("request", required=False)
@click.option("--designer", help="A stronger model that words the prompt (GGUF or litellm id).")
@click.pass_obj
def design(obj: CliContext, request: str | None, designer: str | None) -> None:
    """Design a completion prompt with redline, tested on your own writing (Promptor)."""
    request = request or click.prompt("What should the suggestions help you write?")
    with obj.assistant() as assistant:
        session = assistant.prompt_designer(designer)
        with error_console.status("thinking ..."):
            turn = session.start(request)
        while turn.step != "done":
            console.print(turn.ask, markup=False)
            answer = click.prompt(">", default="", show_default=False)
            with error_console.status("testing on your writing ..."):
                turn = session.reply(answer)
    console.print(turn.ask, markup=False)
