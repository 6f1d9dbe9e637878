"""Drafting and learning from edits: `redline draft` and `redline learn`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redline.cli import CliContext
from redline.cli.core import read_text_stream
from redline.cli.output import console, error_console


def register(cli: click.Group) -> None:
    for command in (draft, learn):
        cli.add_command(command)


def read_input(path: Path | None) -> str:
    """A file's text, or standard input's when the path is '-' or absent."""
    if path is None or str(path) == "-":
        if sys.stdin.isatty():
            raise click.UsageError("give a file, or the text on standard input")
        return read_text_stream(sys.stdin.buffer.read(), "standard input")
    return read_text_stream(path.read_bytes(), str(path))


@click.command()
@click.argument(
    "source",
    required=False,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
)
@click.option(
    "--task",
    default="summarize",
    show_default=True,
    help="summarize, email, rewrite, continue, or an instruction in your own words.",
)
@click.option("--preference", help="Use this preference instead of the learned ones.")
@click.pass_obj
def draft(obj: CliContext, source: Path | None, task: str, preference: str | None) -> None:
    """Draft from SOURCE (a file, or standard input) shaped by what redline learned."""
    text = read_input(source)
    with obj.assistant() as assistant, error_console.status("drafting ..."):
        result = assistant.draft(text, task=task, preference=preference)
    click.echo(result.text)
    note = " (the model strayed from the source: this is an extract)"
    name = f"draft {result.id}" if result.id is not None else "draft (learning is off: not stored)"
    error_console.print(f"\n[dim]{name}{note if result.origin == 'extract' else ''}[/]")
    error_console.print(f"[dim]preferences used:[/] {result.preference or 'none yet'}")
    if result.id is not None:
        error_console.print(
            f"[dim]learn from your edit:[/] redline learn --draft {result.id} EDITED"
        )


@click.command()
@click.option("--draft", "draft_id", type=int, required=True, help="The id of the draft.")
@click.argument(
    "edited",
    required=False,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
)
@click.pass_obj
def learn(obj: CliContext, draft_id: int, edited: Path | None) -> None:
    """Learn from EDITED (a file, or standard input): your version of a draft."""
    text = read_input(edited)
    with obj.assistant() as assistant:
        learned = assistant.learn(draft_id, text)
    if learned.skipped:
        console.print(f"nothing learned: {learned.skipped}")
        return
    console.print(f"learned: {learned.preference or 'nothing new (the edit fits no pattern yet)'}")
    for rule in learned.rules:
        console.print(f"  rule: {rule.describe()}")
