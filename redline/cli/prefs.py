"""`redline prefs`: see, correct, disable, delete, export and import what redline learned."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from rich.table import Table

from redline.cli import CliContext
from redline.cli.core import read_text_stream
from redline.cli.output import console
from redline.errors import InputError
from redline.memory import private


def register(cli: click.Group) -> None:
    cli.add_command(prefs)


@click.group()
def prefs() -> None:
    """The preferences learned from your edits."""


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else "never"


@prefs.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include disabled and superseded ones.")
@click.pass_obj
def list_command(obj: CliContext, show_all: bool) -> None:
    """Every preference with its support, contexts and last use."""
    with obj.assistant() as assistant:
        found = assistant.preferences.list(status=None if show_all else "active")
    if not found:
        console.print("no preferences yet: draft something, edit it, and `redline learn` it")
        return
    table = Table(title="preferences", title_justify="left")
    for column in ("id", "preference", "rule", "support", "against", "contexts", "last used"):
        table.add_column(column, overflow="fold")
    if show_all:
        table.add_column("status")
    for p in found:
        row = [
            str(p.id),
            p.text,
            p.rule.kind if p.rule else "-",
            str(p.support),
            str(p.against),
            str(len(p.contexts)),
            _when(p.last_used),
        ]
        table.add_row(*row, *([p.status] if show_all else []))
    console.print(table)


@prefs.command("show")
@click.argument("pid", type=int)
@click.pass_obj
def show(obj: CliContext, pid: int) -> None:
    """One preference, with the documents it was learned from."""
    with obj.assistant() as assistant:
        p = assistant.preferences.get(pid)
        sources = [assistant.preferences.draft(d).source for d in p.contexts]
    console.print(f"[bold]{p.id}[/] {p.text}")
    console.print(f"status {p.status}, from {p.origin}, support {p.support}, against {p.against}")
    console.print(f"rule: {p.rule.spec() if p.rule else 'none (used in the prompt only)'}")
    console.print(f"created {_when(p.created)}, last used {_when(p.last_used)}")
    for draft_id, source in zip(p.contexts, sources, strict=True):
        console.print(f"  context (draft {draft_id}): {' '.join(source.split())[:100]}")


@prefs.command("add")
@click.argument("text")
@click.pass_obj
def add(obj: CliContext, text: str) -> None:
    """Add a preference in your own words; it holds for every document."""
    with obj.assistant() as assistant:
        p = assistant.preferences.add(text)
    console.print(f"added {p.id}: {p.text}" + (f" (rule: {p.rule.kind})" if p.rule else ""))


@prefs.command("edit")
@click.argument("pid", type=int)
@click.argument("text")
@click.pass_obj
def edit(obj: CliContext, pid: int, text: str) -> None:
    """Correct a preference's words; its rule follows them."""
    with obj.assistant() as assistant:
        p = assistant.preferences.edit(pid, text)
    console.print(f"{p.id}: {p.text}" + (f" (rule: {p.rule.kind})" if p.rule else " (no rule)"))


@prefs.command("rm")
@click.argument("pids", type=int, nargs=-1, required=True)
@click.pass_obj
def rm(obj: CliContext, pids: tuple[int, ...]) -> None:
    """Delete preferences: from the database, the index, and the rules."""
    with obj.assistant() as assistant:
        for pid in pids:
            assistant.preferences.delete(pid)
    console.print(f"deleted {len(pids)} preference(s)")


def _status_command(name: str, status: str, summary: str) -> click.Command:
    @click.argument("pids", type=int, nargs=-1, required=True)
    @click.pass_obj
    def command(obj: CliContext, pids: tuple[int, ...]) -> None:
        with obj.assistant() as assistant:
            for pid in pids:
                assistant.preferences.set_status(pid, status)
        console.print(f"{name}d {len(pids)} preference(s)")

    return prefs.command(name, help=summary)(command)


_status_command("disable", "disabled", "Stop using preferences (kept, and can be enabled).")
_status_command("enable", "active", "Use disabled or superseded preferences again.")


@prefs.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.pass_obj
def export(obj: CliContext, path: Path | None) -> None:
    """Write every preference and its contexts as JSON (to PATH or standard output)."""
    with obj.assistant() as assistant:
        text = json.dumps(assistant.preferences.export(), indent=1, ensure_ascii=False)
    if path is None:
        click.echo(text)
    else:
        private.write_text(path, text + "\n")
        console.print(f"wrote {path}")


@prefs.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(obj: CliContext, path: Path) -> None:
    """Add the preferences of an export."""
    try:
        data = json.loads(read_text_stream(path.read_bytes(), str(path)))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON ({exc.msg}, line {exc.lineno})") from None
    with obj.assistant() as assistant:
        added = assistant.preferences.import_(data)
    console.print(f"imported {added} new preference(s)")
