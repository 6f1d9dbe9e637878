"""`python -m redline` runs the CLI."""

from redline.cli import main

main()
