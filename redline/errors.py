"""Errors a user can act on: each carries a message and, where there is one, the fix."""

from __future__ import annotations


class RedlineError(Exception):
    """Base of every error redline reports to a user.

    ``exit_code`` is what the CLI exits with: 2 for usage and configuration
    errors, 1 for runtime errors.
    """

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class ConfigError(RedlineError):
    """A bad configuration key or value, or a bad command-line argument."""

    exit_code = 2


class ModelError(RedlineError):
    """A model file is missing, unreadable, or a model backend failed."""


class StoreError(RedlineError):
    """The memory database is corrupt, foreign or unwritable."""


class InputError(RedlineError):
    """Input text that redline refuses: not UTF-8, too large, empty where text is needed."""
