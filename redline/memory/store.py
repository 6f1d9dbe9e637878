"""The SQLite store: the source of truth for everything redline remembers."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redline.errors import StoreError, os_hint
from redline.memory import private
from redline.memory.migrations import MIGRATIONS, SCHEMA_VERSION
from redline.memory.phrase_counts import (
    PHRASE_VERSION,
    counted_state,
    record_state,
    recount,
    tallies_of,
    write_tallies,
)

# PRAGMA application_id marks a database as redline's ("RDLN").
APPLICATION_ID = 0x52444C4E
DATABASE_NAME = "redline.sqlite3"


@dataclass(frozen=True)
class Passage:
    id: int
    text: str


@dataclass(frozen=True)
class NewSample:
    """A writing sample to store, with its passages not stored yet and their embeddings."""

    text: str
    uri: str | None
    passages: list[str]
    embeddings: np.ndarray


# SQLite's primary result codes for a database it cannot read or write.
SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 3, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26
KEPT = "what was stored before is kept"


def damage(path: Path, exc: sqlite3.Error) -> StoreError | None:
    """The error to report for SQLite's ``exc`` on the database at ``path``; None where it
    is no damage to the file (a bug: it keeps its traceback)."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code == SQLITE_NOTADB:
        return StoreError(
            f"{path} is not a readable SQLite database ({exc}); it was left untouched",
            "move the file aside to start a new memory, or restore it from a backup",
        )
    if code == SQLITE_CORRUPT:
        return StoreError(
            f"{path} is damaged ({exc}); redline did not try to repair it",
            "restore it from a backup, or move it aside to start a new memory"
            " (redline doctor shows what SQLite found)",
        )
    if code in (SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN) and not os.access(
        path.parent, os.W_OK
    ):
        return StoreError(
            f"cannot write to {path}: {path.parent} is not writable; {KEPT}",
            os_hint(errno.EACCES, path),
        )
    if code in (SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN):
        hint = os_hint(errno.ENOSPC if code == SQLITE_FULL else None, path)
        return StoreError(f"cannot write to {path} ({exc}); {KEPT}", hint)
    return None


def _switch_to_wal(conn: sqlite3.Connection, patience: float = 30.0) -> None:
    """Put the database in WAL mode. Two processes opening a new database at once find it
    locked here, and SQLite's busy timeout does not cover this pragma: try again a while."""
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def text_hash(text: str) -> str:
    """A hash of the text with whitespace and case normalised: the de-duplication key."""
    normal = " ".join(text.split()).casefold()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()


class Store:
    """One SQLite database in WAL mode, shared safely by several redline processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DATABASE_NAME
        self._lock = threading.RLock()
        self._commits = 0  # write transactions of this connection
        self._states: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        with self._reporting():
            self._conn = self._open()

    @contextmanager
    def _reporting(self) -> Iterator[None]:
        """SQLite's errors about the file itself become a StoreError saying what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            error = damage(self.path, exc)
            if error is None:
                raise
            raise error from exc

    def _open(self) -> sqlite3.Connection:
        existed = self.path.exists() and self.path.stat().st_size > 0
        conn = private.connect(self.path)
        try:
            self._check(conn, existed)
            _switch_to_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _check(self, conn: sqlite3.Connection, existed: bool) -> None:
        """Refuse another program's database and a newer redline's."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if existed and tables and app_id != APPLICATION_ID:
            raise StoreError(
                f"{self.path} is a database of another program; it was left untouched",
                "point data_dir (or --data-dir) at another folder",
            )
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer redline (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); it was left untouched",
                "upgrade redline",
            )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                # Another process may have migrated while we waited for the lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] > number:
                    continue
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed as a whole, or not at all."""
        with self._lock, self._reporting(), self._conn:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
            finally:
                self._commits += 1

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock, self._reporting():
            return self._conn.execute(sql, params).fetchall()

    # -- writing samples and passages -------------------------------------------

    def has_sample(self, text: str) -> bool:
        return bool(self.query("SELECT 1 FROM samples WHERE hash = ?", (text_hash(text),)))

    def add_sample(
        self,
        text: str,
        uri: str | None,
        passages: list[str],
        embeddings: np.ndarray,
        count_phrases: bool = False,
    ) -> list[int]:
        """Store one writing sample and its new passages (see :meth:`add_samples`)."""
        return self.add_samples([NewSample(text, uri, passages, embeddings)], count_phrases)

    def add_samples(self, samples: list[NewSample], count_phrases: bool = True) -> list[int]:
        """Store writing samples and their new passages in one transaction; returns the new
        passage ids. A sample stored already is skipped with its passages.

        With ``count_phrases`` the phrase counts grow by the samples stored, where
        they are up to date (else they are recounted when next read).
        """
        now = time.time()
        new_ids: list[int] = []
        with self.transaction() as conn:
            samples_before, last_id = self._sample_state(conn)
            in_step = counted_state(conn) == (samples_before, last_id, PHRASE_VERSION)
            stored: list[str] = []
            for sample in samples:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO samples (uri, text, hash, created) VALUES (?, ?, ?, ?)",
                    (sample.uri, sample.text, text_hash(sample.text), now),
                )
                if not cursor.rowcount:
                    continue
                last_id = cursor.lastrowid
                stored.append(sample.text)
                new_ids += self._insert_passages(conn, last_id, sample, now)
            if count_phrases and in_step and stored:
                write_tallies(conn, tallies_of(stored))
                record_state(conn, samples_before + len(stored), last_id)
        return new_ids

    @staticmethod
    def _insert_passages(
        conn: sqlite3.Connection, sample_id: int, sample: NewSample, now: float
    ) -> list[int]:
        ids = []
        for passage, vector in zip(sample.passages, sample.embeddings, strict=True):
            cursor = conn.execute(
                "INSERT OR IGNORE INTO passages (sample_id, text, hash, embedding, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    sample_id,
                    passage,
                    text_hash(passage),
                    np.asarray(vector, dtype=np.float32).tobytes(),
                    now,
                ),
            )
            if cursor.rowcount:
                ids.append(cursor.lastrowid)
        return ids

    def known_passages(self, passages: list[str]) -> set[str]:
        """Which of these passages are stored already (by their normalised hash)."""
        hashes = {text_hash(p): p for p in passages}
        if not hashes:
            return set()
        marks = ",".join("?" * len(hashes))
        rows = self.query(f"SELECT hash FROM passages WHERE hash IN ({marks})", tuple(hashes))
        return {hashes[h] for (h,) in rows}

    def passages(self, ids: list[int]) -> list[Passage]:
        """Passages by id, in the order asked."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = dict(self.query(f"SELECT id, text FROM passages WHERE id IN ({marks})", tuple(ids)))
        return [Passage(i, rows[i]) for i in ids if i in rows]

    def samples_of(self, passage_ids: list[int]) -> list[str]:
        """The writing samples these passages come from, each once, in the order asked."""
        if not passage_ids:
            return []
        marks = ",".join("?" * len(passage_ids))
        rows = self.query(
            "SELECT p.id, s.id, s.text FROM passages p JOIN samples s ON s.id = p.sample_id"
            f" WHERE p.id IN ({marks})",
            tuple(passage_ids),
        )
        by_passage = {passage: (sample, text) for passage, sample, text in rows}
        texts: dict[int, str] = {}
        for passage_id in passage_ids:
            if passage_id in by_passage:
                sample, text = by_passage[passage_id]
                texts.setdefault(sample, text)
        return list(texts.values())

    def passage_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """All passage ids and embeddings: what the FAISS index is rebuilt from."""
        rows = self.query("SELECT id, embedding FROM passages ORDER BY id")
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = [np.frombuffer(r[1], dtype=np.float32) for r in rows]
        return ids, (np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32))

    def passage_state(self) -> tuple[int, int]:
        """(row count, largest id): changes whenever any process adds or deletes a passage."""
        return self._table_state("passages")

    def _table_state(self, table: str) -> tuple[int, int]:
        """(row count, largest id) of a table, counted again only after a commit (of any
        process's): counting 100,000 rows takes milliseconds, every keystroke asks."""
        with self._lock, self._reporting():
            mark = (self._conn.execute("PRAGMA data_version").fetchone()[0], self._commits)
            cached = self._states.get(table)
            if cached is not None and cached[0] == mark:
                return cached[1]
            state = self._conn.execute(
                f"SELECT count(*), coalesce(max(id), 0) FROM {table}"
            ).fetchone()
            self._states[table] = (mark, state)
            return state

    def samples_after(self, sample_id: int) -> list[tuple[int, str]]:
        """(id, text) of the writing samples stored after ``sample_id``, oldest first."""
        return self.query("SELECT id, text FROM samples WHERE id > ? ORDER BY id", (sample_id,))

    def sample_count(self) -> int:
        return self.sample_state()[0]

    def sample_state(self) -> tuple[int, int]:
        """(row count, largest id) of the writing samples."""
        return self._table_state("samples")

    @staticmethod
    def _sample_state(conn: sqlite3.Connection) -> tuple[int, int]:
        count, largest = conn.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM samples"
        ).fetchone()
        return count, largest

    def update_phrase_counts(self) -> bool:
        """Recount the phrase counts from the samples unless they were counted from exactly
        these samples by this version; whether they were recounted."""
        with self.transaction() as conn:
            if counted_state(conn) == (*self._sample_state(conn), PHRASE_VERSION):
                return False
            recount(conn)
            return True

    def log_event(self, kind: str, payload: dict) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO events (kind, payload, created) VALUES (?, ?, ?)",
                (kind, json.dumps(payload), time.time()),
            )

    def integrity(self) -> str:
        """SQLite's own integrity check: 'ok' or the first problems it found."""
        try:
            with self._lock:
                rows = self._conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:  # damage the check could not read past
            return str(exc)
        return "; ".join(r[0] for r in rows[:3])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
