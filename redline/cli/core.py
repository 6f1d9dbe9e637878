"""Everyday commands: complete, observe, models, doctor, demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from redline.cli import CliContext
from redline.cli.output import console, error_console
from redline.config import fields
from redline.errors import InputError

PROSE_SUFFIXES = {".md", ".markdown", ".txt", ".rst", ".org", ".tex", ".eml", ".text"}


def register(cli: click.Group) -> None:
    for command in (complete, observe, models, doctor, demo):
        cli.add_command(command)


@click.command()
@click.argument("text", required=False)
@click.option(
    "--max-tokens",
    type=click.IntRange(*fields()["max_tokens"].metadata["range"]),
    help="Longest suggestion in tokens.",
)
@click.pass_obj
def complete(obj: CliContext, text: str | None, max_tokens: int | None) -> None:
    """Print the continuation of TEXT (or of standard input): whole words to insert."""
    if text is None:
        if sys.stdin.isatty():
            raise click.UsageError("give the text as an argument or on standard input")
        text = read_text_stream(sys.stdin.buffer.read(), "standard input")
    with obj.assistant() as assistant:
        click.echo(assistant.complete(text, max_tokens=max_tokens))


def read_text_stream(data: bytes, name: str) -> str:
    """Decode UTF-8 strictly, naming the source and the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid UTF-8 (byte {exc.start})",
            "convert it to UTF-8 first, e.g. `iconv -t UTF-8`",
        ) from None


def prose_files(paths: tuple[Path, ...]) -> list[Path]:
    """The files named, and the prose files inside the folders named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in PROSE_SUFFIXES)
        else:
            files.append(path)
    return files


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def observe(obj: CliContext, paths: tuple[Path, ...]) -> None:
    """Add your own writing (files or folders of notes, mail, markdown) to your memory."""
    from redline.memory.passages import check_sample

    files = prose_files(paths)
    skipped = added = chars = 0
    batch: list[tuple[str, str | None]] = []
    with obj.assistant() as assistant, observe_progress() as bar:
        task = bar.add_task("observing", total=len(files), passages=0)

        def store() -> None:
            nonlocal added
            added += assistant.observe_many(batch)
            bar.update(task, advance=len(batch), passages=added)
            batch.clear()

        for path in files:
            try:
                text = read_text_stream(path.read_bytes(), str(path))
                check_sample(text)
            except (InputError, OSError) as exc:
                skipped += 1
                bar.advance(task)
                error_console.print(f"[yellow]skipped[/] {path}: {getattr(exc, 'message', exc)}")
                continue
            batch.append((text, path.resolve().as_uri()))
            chars += len(text)
            if chars >= BATCH_CHARS:
                store()
                chars = 0
        store()
    console.print(f"observed {len(files) - skipped} file(s), {added} new passage(s)")
    if skipped:
        sys.exit(1)


# Files are embedded and stored in batches of about this many characters (some 60 passages):
# one transaction and one index update each.
BATCH_CHARS = 20_000


def observe_progress() -> Any:
    """A progress bar of files, with the passages stored, per second, and the time left."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class PassageRate(ProgressColumn):
        def render(self, task: Any) -> Text:
            stored, elapsed = task.fields.get("passages", 0), task.elapsed or 0.0
            rate = f", {stored / elapsed:.0f}/s" if elapsed > 0 else ""
            return Text(f"{stored:,} passages{rate}")

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        PassageRate(),
        TimeRemainingColumn(),
        console=error_console,
        transient=True,
    )


@click.command()
@click.pass_obj
def models(obj: CliContext) -> None:
    """List the usable local models and the one in use."""
    from redline.cli.report import models_table

    console.print(models_table(obj.settings()))


@click.command()
@click.pass_obj
def doctor(obj: CliContext) -> None:
    """Report versions, models, GPU offload, the data dir and the memory's health."""
    from redline.cli.report import doctor_report

    console.print(doctor_report(obj.settings()))


@click.command()
@click.pass_obj
def demo(obj: CliContext) -> None:
    """A short tour: doctor, observe a bundled sample of writing, complete a few prefixes."""
    import tempfile

    from redline.cli.report import doctor_report

    sample = Path(__file__).resolve().parent.parent / "data" / "sample"
    with tempfile.TemporaryDirectory(prefix="redline-demo-") as scratch:
        data_dir = obj.overrides.get("data_dir") or scratch
        settings = obj.settings(data_dir=data_dir)
        console.rule("redline doctor")
        console.print(doctor_report(settings))
        console.rule(f"redline observe {sample}")
        obj.overrides["data_dir"] = data_dir
        click.get_current_context().invoke(observe, paths=(sample,))
        console.rule("redline complete")
        prefixes = [
            "Hi all,\n\n",
            "Hi all,\n\nHere is the lab",
            "Shout if I ",
            "I have been thinking a lot lately about",
            "Thanks for the quick",
        ]
        with obj.assistant() as assistant:
            for prefix in prefixes:
                suggestion = assistant.complete(prefix)
                console.print(f"[dim]{prefix!r}[/] → [bold green]{suggestion!r}[/]")
