"""`redline config show|path|init`."""

from __future__ import annotations

from dataclasses import replace

import click

from redline.cli import CliContext
from redline.cli.output import console
from redline.config import Settings, default_config_path, render_toml


def register(cli: click.Group) -> None:
    cli.add_command(config)


@click.group()
def config() -> None:
    """Show, locate or create the configuration file."""


@config.command()
@click.pass_obj
def show(obj: CliContext) -> None:
    """The settings in effect (defaults < config.toml < REDLINE_* < flags); a key is hidden."""
    settings = obj.settings()
    if settings.api_key:  # a terminal is shared, recorded, pasted into issues
        settings = replace(settings, api_key="(set, hidden)")
    console.print(render_toml(settings), markup=False)


@config.command()
@click.pass_obj
def path(obj: CliContext) -> None:
    """Where the configuration file is read from."""
    click.echo(obj.config or default_config_path())


@config.command()
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def init(obj: CliContext, force: bool) -> None:
    """Write a commented config.toml with the defaults."""
    target = obj.config or default_config_path()
    if target.exists() and not force:
        raise click.UsageError(f"{target} exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_toml(Settings()), encoding="utf-8")
    click.echo(f"wrote {target}")
