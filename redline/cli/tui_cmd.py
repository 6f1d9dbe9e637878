"""`redline tui`: the terminal UI."""

from __future__ import annotations

from pathlib import Path

import click

from redline.cli import CliContext


def register(cli: click.Group) -> None:
    cli.add_command(tui)


@click.command()
@click.argument("document", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def tui(obj: CliContext, document: Path | None) -> None:
    """Open the terminal UI: chat, write with suggestions (DOCUMENT, if given), preferences."""
    from redline.tui.app import RedlineApp

    RedlineApp(settings=obj.settings(), document=document).run()
