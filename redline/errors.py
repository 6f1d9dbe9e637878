"""Errors a user can act on: each carries a message and, where there is one, the fix."""

from __future__ import annotations

import errno
import shlex
from pathlib import Path


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
    """The memory database is corrupt, foreign, damaged or unwritable."""


class InputError(RedlineError):
    """Input text that redline refuses: not UTF-8, too large, empty where text is needed."""


class FileError(StoreError):
    """A file of redline's could not be written: the disk is full, the folder read-only, or
    something else stands where the file belongs."""

    @classmethod
    def writing(cls, path: Path, exc: OSError, what: str, kept: str) -> FileError:
        """The error for a failed write of ``what`` at ``path``; ``kept`` says what survived."""
        return cls(f"cannot write {what} {path} ({exc.strerror}); {kept}", os_hint(exc.errno, path))


def os_hint(code: int | None, path: Path) -> str:
    """What to do about an operating system error (``errno``) at ``path``."""
    where = shlex.quote(str(path.parent))
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"free some disk space (df -h {where}), then run the command again"
    if code == errno.EFBIG:
        return "the file outgrew the file size limit (ulimit -f): raise it, then run again"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{path.parent} is not writable: chmod u+w {where}, or set data_dir"
            " (or --data-dir) to a writable folder"
        )
    if code in (errno.EISDIR, errno.ENOTEMPTY):
        aside = shlex.quote(f"{path}.aside")
        return (
            f"{path} is a directory where redline keeps a file: mv {shlex.quote(str(path))} {aside}"
        )
    if code in (errno.ENOTDIR, errno.EEXIST):
        return (
            f"a file stands where the folder {path} or one above it belongs: move it aside,"
            " or set data_dir (or --data-dir) to another folder"
        )
    return f"check the disk that holds {where}, then run the command again"
