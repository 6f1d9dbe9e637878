"""The `redline` command: one module per command group, errors printed without a traceback."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from redline import __version__
from redline.errors import RedlineError, os_hint


class CliContext:
    """Options shared by every command; settings and the Assistant are made on demand."""

    def __init__(self, config: Path | None, overrides: dict[str, Any]) -> None:
        self.config = config
        self.overrides = overrides

    def settings(self, **more: Any) -> Any:
        from redline.config import load_settings

        return load_settings({**self.overrides, **more}, config_path=self.config)

    def assistant(self, **more: Any) -> Any:
        from redline.assistant import Assistant

        return Assistant(settings=self.settings(**more))


# The module that registers each command, imported only when that command runs (or
# help lists them all), so `redline lsp` starts without the other commands' imports.
COMMAND_MODULES = {
    "complete": "core", "observe": "core", "models": "core", "doctor": "core", "demo": "core",
    "draft": "drafting", "learn": "drafting", "prefs": "prefs", "config": "config_cmd",
    "bench": "bench", "lsp": "lsp_cmd", "tui": "tui_cmd", "optimize": "prompts_cmd",
    "prompts": "prompts_cmd",
}  # fmt: skip


class RedlineGroup(click.Group):
    """Loads commands on demand; reports RedlineError as a message and its exit code
    (2 usage/config, 1 runtime)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(f"redline.cli.{COMMAND_MODULES[name]}").register(self)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RedlineError as exc:
            _report(exc)
        except OSError as exc:  # damage no layer below foresaw: still a message, not a traceback
            where = Path(exc.filename) if exc.filename else Path.cwd() / "-"
            _report(RedlineError(f"{exc.strerror or exc} ({where})", os_hint(exc.errno, where)))


def _report(exc: RedlineError) -> None:
    click.secho(f"error: {exc.message}", fg="red", err=True)
    if exc.hint:
        click.echo(f"  fix: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


@click.group(cls=RedlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redline")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Memory folder.")
@click.option("--model", help="'' for the embedded model, a GGUF path or a litellm model id.")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="config.toml.")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, model: str | None, config: Path | None) -> None:
    """redline: a personal writing assistant that learns from your redlines."""
    ctx.obj = CliContext(config, {"data_dir": str(data_dir) if data_dir else None, "model": model})


def main() -> None:
    """Entry point of the `redline` command."""
    cli(prog_name="redline")
