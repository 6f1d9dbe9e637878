"""The consoles commands print to: results on stdout, progress and problems on stderr."""

from rich.console import Console

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)
