"""`redline lsp`: the language server (stdio or TCP), and `redline lsp stats`."""

from __future__ import annotations

import click

from redline.cli import CliContext


def register(cli: click.Group) -> None:
    cli.add_command(lsp)


def _host_port(value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise click.BadParameter("use HOST:PORT, e.g. 127.0.0.1:2087", param_hint="--tcp")
    return host or "127.0.0.1", int(port)


@click.group(invoke_without_command=True)
@click.option("--tcp", metavar="HOST:PORT", help="Listen on TCP instead of stdio.")
@click.pass_context
def lsp(ctx: click.Context, tcp: str | None) -> None:
    """Serve inline completion and rewrites to any LSP editor (stdio by default)."""
    if ctx.invoked_subcommand is not None:
        return
    address = _host_port(tcp)
    obj: CliContext = ctx.obj
    settings = obj.settings()
    from redline.lsp.server import serve

    serve(settings, address)


@lsp.command()
@click.pass_obj
def stats(obj: CliContext) -> None:
    """How much of what the editor accepted from redline you kept, over all sessions."""
    from rich.table import Table

    from redline.cli.output import console
    from redline.lsp.stats import totals
    from redline.memory.store import Store

    store = Store(obj.settings().data_path)
    try:
        rows = totals(store)
    finally:
        store.close()
    table = Table(title="redline lsp stats: what you kept", title_justify="left")
    for column in ("kind", "accepted", "suggested chars", "retained chars", "kept", "edited"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    table.add_column("learned", justify="right")
    for kind, row in rows.items():
        share = "n/a" if row.retention is None else f"{row.retention:.0%}"
        table.add_row(
            kind,
            str(row.accepted),
            str(row.suggested_chars),
            str(row.retained_chars),
            share,
            str(row.edited),
            str(row.learned),
        )
    console.print(table)
