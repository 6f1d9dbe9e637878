"""Prompt versions: append-only, with parent, evidence and time; activation is a log.

Each task (``complete``, ``summarize``, ...) starts from its built-in prompt,
stored as version 1 the first time the task is read. New versions come from
optimisation, from the user's pairwise choices or from hand edits; none
replaces another. The active version is the one the last activation row
names. ``rollback`` undoes the last activation that is still in force, like
popping a stack, and is itself a row of the log.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redline.errors import InputError
from redline.memory.store import Store

ROLLBACK = "rollback"


@dataclass(frozen=True)
class PromptVersion:
    """One stored prompt: its body (a JSON object) and where it came from."""

    id: int
    task: str
    number: int  # 1, 2, ... within the task
    parent_id: int | None
    body: dict[str, Any]
    origin: str  # builtin, spo, human, user, promptor
    evidence: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0
    active: bool = False

    @property
    def label(self) -> str:
        return f"{self.task} v{self.number}"


@dataclass(frozen=True)
class Activation:
    """One row of the activation log."""

    version_id: int
    reason: str
    created: float


class PromptVersions:
    """The prompt versions of every task, over the store; ``builtins``: each task's version 1.

    ``is_extra`` names the other tasks allowed (prompts for one file type, say):
    they have no built-in version, and no active one until one is activated.
    """

    def __init__(
        self,
        store: Store,
        builtins: dict[str, dict[str, Any]],
        is_extra: Callable[[str], bool] = lambda task: False,
    ) -> None:
        self.store = store
        self.builtins = builtins
        self.is_extra = is_extra
        self._seeded: set[str] = set()
        self._bodies: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _check(self, task: str) -> None:
        if task not in self.builtins:
            if self.is_extra(task):
                return
            raise InputError(
                f"unknown prompt task {task!r}", f"use one of: {', '.join(self.builtins)}"
            )
        if task in self._seeded:
            return
        with self._lock, self.store.transaction() as conn:
            if not conn.execute("SELECT 1 FROM prompt_versions WHERE task = ?", (task,)).fetchone():
                version_id = self._insert(conn, task, self.builtins[task], None, "builtin", {})
                self._log(conn, task, version_id, "built in")
            self._seeded.add(task)

    def active_id(self, task: str) -> int | None:
        """The id of the task's active version (cheap: read on every keystroke); None only for
        a task without a built-in version that was never activated."""
        self._check(task)
        rows = self.store.query(
            "SELECT version_id FROM prompt_activations WHERE task = ? ORDER BY id DESC LIMIT 1",
            (task,),
        )
        return rows[0][0] if rows else None

    def active_body(self, task: str) -> dict[str, Any]:
        """The body of the task's active version."""
        version_id = self._active(task)
        body = self._bodies.get(version_id)
        if body is None:
            body = self._bodies[version_id] = self.get(version_id).body
        return body

    def active(self, task: str) -> PromptVersion:
        return self.get(self._active(task))

    def _active(self, task: str) -> int:
        version_id = self.active_id(task)
        if version_id is None:
            raise InputError(f"{task} has no active prompt version", "activate one first")
        return version_id

    def get(self, version_id: int) -> PromptVersion:
        """One version by id; a clear error when there is none."""
        rows = self.store.query(f"{_SELECT} WHERE v.id = ?", (version_id,))
        if not rows:
            raise InputError(
                f"there is no prompt version {version_id}", "see `redline prompts list`"
            )
        return _version(rows[0])

    def list(self, task: str | None = None) -> list[PromptVersion]:
        """Every version of ``task`` (or of every task), oldest first."""
        for name in [task] if task else list(self.builtins):
            self._check(name)
        if task:
            return [_version(r) for r in self.store.query(f"{_SELECT} WHERE v.task = ? "
                                                          "ORDER BY v.id", (task,))]  # fmt: skip
        return [_version(r) for r in self.store.query(f"{_SELECT} ORDER BY v.task, v.id")]

    def add(
        self,
        task: str,
        body: dict[str, Any],
        parent_id: int | None,
        origin: str,
        evidence: dict[str, Any] | None = None,
    ) -> PromptVersion:
        """Store a new version (inactive); returns it."""
        self._check(task)
        with self._lock, self.store.transaction() as conn:
            version_id = self._insert(conn, task, body, parent_id, origin, evidence or {})
        return self.get(version_id)

    def activate(self, version_id: int, reason: str) -> PromptVersion:
        """Make a version the active one of its task."""
        version = self.get(version_id)
        with self._lock, self.store.transaction() as conn:
            self._log(conn, version.task, version.id, reason)
        return self.get(version_id)

    def previous(self, task: str) -> PromptVersion | None:
        """The version a rollback would restore; None when there is none."""
        self._check(task)
        stack = _in_force(self.store.query(_LOG, (task,)))
        return self.get(stack[-2]) if len(stack) > 1 else None

    def rollback(self, task: str) -> PromptVersion:
        """Restore the version that was active before the last activation still in force."""
        self._check(task)
        with self._lock, self.store.transaction() as conn:
            stack = _in_force(conn.execute(_LOG, (task,)).fetchall())
            if len(stack) < 2:
                raise InputError(
                    f"{task} has no earlier version to roll back to",
                    "`redline prompts list` shows its versions",
                )
            self._log(conn, task, stack[-2], ROLLBACK)
        return self.active(task)

    def activations(self, task: str) -> list[Activation]:
        """The activation log of a task, oldest first."""
        self._check(task)
        rows = self.store.query(
            "SELECT version_id, reason, created FROM prompt_activations WHERE task = ? ORDER BY id",
            (task,),
        )
        return [Activation(*row) for row in rows]

    def _insert(
        self, conn: Any, task: str, body: dict, parent_id: int | None, origin: str, evidence: dict
    ) -> int:
        number = conn.execute(
            "SELECT coalesce(max(number), 0) + 1 FROM prompt_versions WHERE task = ?", (task,)
        ).fetchone()[0]
        cursor = conn.execute(
            "INSERT INTO prompt_versions (task, number, parent_id, body, origin, evidence, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (task, number, parent_id, json.dumps(body), origin, json.dumps(evidence), time.time()),
        )
        return cursor.lastrowid

    @staticmethod
    def _log(conn: Any, task: str, version_id: int, reason: str) -> None:
        conn.execute(
            "INSERT INTO prompt_activations (task, version_id, reason, created)"
            " VALUES (?, ?, ?, ?)",
            (task, version_id, reason, time.time()),
        )


_SELECT = (
    "SELECT v.id, v.task, v.number, v.parent_id, v.body, v.origin, v.evidence, v.created,"
    " v.id = (SELECT version_id FROM prompt_activations a WHERE a.task = v.task"
    " ORDER BY a.id DESC LIMIT 1) FROM prompt_versions v"
)


def _version(row: tuple) -> PromptVersion:
    vid, task, number, parent, body, origin, evidence, created, active = row
    return PromptVersion(
        vid, task, number, parent, json.loads(body), origin, json.loads(evidence), created,
        bool(active),
    )  # fmt: skip


_LOG = "SELECT version_id, reason FROM prompt_activations WHERE task = ? ORDER BY id"


def _in_force(rows: list[tuple[int, str]]) -> list[int]:
    """The activations still in force, oldest first: the log (``_LOG`` rows) as a stack."""
    stack: list[int] = []
    for version_id, reason in rows:
        if reason == ROLLBACK and len(stack) > 1:
            stack.pop()
        else:
            stack.append(version_id)
    return stack
