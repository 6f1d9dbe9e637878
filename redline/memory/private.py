"""Private files: the data dir is 0700 and every file redline writes there 0600, whatever
the umask.

Files are created with their mode, never chmod-ed after (no moment when others can read
them), and without touching the process-wide umask (other threads create files too).
SQLite gives the ``-wal``, ``-shm`` and ``-journal`` files it makes, whenever and in
whichever process, the mode of the main database file, so a database made 0600 stays so.
"""

from __future__ import annotations

import logging
import os
import shlex
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from redline.errors import FileError, os_hint

DIR_MODE = 0o700
FILE_MODE = 0o600

log = logging.getLogger(__name__)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _allowed(path: Path) -> int:
    return DIR_MODE if path.is_dir() else FILE_MODE


def too_open(data_dir: Path) -> list[tuple[Path, int]]:
    """The data dir and the files directly in it that others may read: (path, mode)."""
    entries = [data_dir, *sorted(p for p in data_dir.iterdir() if p.is_file())]
    return [(p, _mode(p)) for p in entries if _mode(p) & ~_allowed(p)]


def chmod_command(paths: list[Path]) -> str:
    """The shell command that makes these paths private."""
    groups = [
        (DIR_MODE, [p for p in paths if p.is_dir()]),
        (FILE_MODE, [p for p in paths if not p.is_dir()]),
    ]
    return " && ".join(
        f"chmod {mode:o} " + " ".join(shlex.quote(str(p)) for p in group)
        for mode, group in groups
        if group
    )


def private_dir(path: Path) -> None:
    """Create the data dir (0700), or take from it and its files what others may read
    (left by an older redline), saying so in the log."""
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(
            f"cannot create the data directory {path} ({exc.strerror}); nothing was stored",
            os_hint(exc.errno, path),
        ) from exc
    for entry, mode in too_open(path):
        private = mode & _allowed(entry)
        try:
            entry.chmod(private)
        except OSError as exc:
            log.warning("%s can be read by other users and stays so (%s)", entry, exc.strerror)
            continue
        log.warning(
            "%s could be read by other users (mode %04o); made it private (%04o)",
            entry,
            mode,
            private,
        )


def connect(path: Path) -> sqlite3.Connection:
    """Open a SQLite database in a private data dir, creating it 0600."""
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    except OSError as exc:
        raise FileError.writing(path, exc, "the database", "nothing was stored") from exc
    return sqlite3.connect(path, timeout=30, check_same_thread=False)


def write_text(path: Path, text: str) -> None:
    """Write a file the user asked for (an export): a new one is 0600, an old one keeps its
    mode."""
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "w") as handle:
        handle.write(text)


def replace_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` by what ``write`` writes: a 0600 temp file, fsync, rename; on any
    failure the old file is left whole and the temp file removed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with open(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
