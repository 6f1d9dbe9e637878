"""The consoles commands print to: results on stdout, progress and problems on stderr."""

import sys

from rich.console import Console

# Piped output gets room for tables instead of the 80 columns rich assumes.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)
