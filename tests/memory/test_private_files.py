"""Private files: the data dir is 0700 and every file in it 0600, whoever creates it."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from redline.assistant import Assistant
from redline.memory.store import DATABASE_NAME, Store
from redline.memory.vector_index import VectorIndex


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(folder: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in sorted(folder.iterdir())}


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most users have (0022: new files readable by everyone)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def add_passage(store: Store, text: str) -> None:
    store.add_sample(text, None, [text], np.ones((1, 4), dtype=np.float32) / 2)


def test_new_data_dir_database_and_wal_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    try:
        add_passage(store, "a note")
        names = modes(data)  # while the connection is open: -wal and -shm exist
    finally:
        store.close()
    assert mode(data) == 0o700
    assert {DATABASE_NAME, f"{DATABASE_NAME}-wal", f"{DATABASE_NAME}-shm"} <= set(names)
    assert set(names.values()) == {0o600}, names


def test_sqlite_gives_wal_and_shm_the_mode_of_the_database(tmp_path: Path) -> None:
    """What the design relies on: SQLite copies the main file's mode, whatever the umask."""
    database = tmp_path / "x.sqlite3"
    os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o640))
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    try:
        assert modes(tmp_path) == {
            p: 0o640 for p in ("x.sqlite3", "x.sqlite3-shm", "x.sqlite3-wal")
        }
    finally:
        conn.close()


def test_wal_created_later_by_another_process_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data).close()  # the last close removes -wal and -shm
    assert not (data / f"{DATABASE_NAME}-wal").exists()
    script = (
        "import os, sqlite3, sys; os.umask(0o022); conn = sqlite3.connect(sys.argv[1]);"
        " conn.execute(\"INSERT INTO events (kind, payload, created) VALUES ('x', '{}', 0)\");"
        " conn.commit(); print(sorted(os.listdir(os.path.dirname(sys.argv[1]))))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(data / DATABASE_NAME)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{DATABASE_NAME}-wal" in other.stdout  # it wrote through a WAL of its own
    store = Store(data)
    try:
        add_passage(store, "another note")
        assert set(modes(data).values()) == {0o600}, modes(data)
    finally:
        store.close()


def test_index_chats_and_export_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Assistant(data_dir=data) as assistant:
        index = VectorIndex(
            data / "test.faiss", 4, assistant.store.passage_vectors, assistant.store.passage_state
        )
        index.sync()
        assistant.conversations()
        names = modes(data)
    assert {"test.faiss", "chats.sqlite3", DATABASE_NAME} <= set(names)
    assert set(names.values()) == {0o600}, names
    export = tmp_path / "prefs.json"
    result = subprocess.run(
        [sys.executable, "-m", "redline", "--data-dir", str(data), "prefs", "export", str(export)],
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert mode(export) == 0o600


def test_wider_files_of_an_older_version_are_tightened_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    store = Store(data)
    add_passage(store, "kept")
    store.close()
    data.chmod(0o755)
    (data / DATABASE_NAME).chmod(0o644)
    (data / "passages.faiss").write_bytes(b"")
    (data / "passages.faiss").chmod(0o664)
    with caplog.at_level(logging.WARNING):
        store = Store(data)
    try:
        assert store.sample_count() == 1
    finally:
        store.close()
    assert mode(data) == 0o700
    assert set(modes(data).values()) == {0o600}
    logged = caplog.text
    assert str(data) in logged and DATABASE_NAME in logged and "passages.faiss" in logged
    assert "0644" in logged and "0600" in logged
    assert all(record.levelno < logging.ERROR for record in caplog.records)


def test_doctor_warns_about_files_others_can_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    store.close()
    data.chmod(0o755)
    (data / DATABASE_NAME).chmod(0o644)
    doctor = subprocess.run(
        [sys.executable, "-m", "redline", "--data-dir", str(data), "doctor"],
        capture_output=True,
        text=True,
    )
    assert doctor.returncode == 0, doctor.stderr
    out = " ".join(doctor.stdout.split())  # rich may wrap long lines
    assert "other users can read" in out
    assert f"chmod 700 {data}" in out and f"chmod 600 {data / DATABASE_NAME}" in out
    again = subprocess.run(
        [sys.executable, "-m", "redline", "--data-dir", str(data), "doctor"],
        capture_output=True,
        text=True,
    )
    assert "private (0700, files 0600)" in again.stdout  # the first run's open tightened them
