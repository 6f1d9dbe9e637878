"""Killed at any moment, or two at once, redline keeps its memory whole.

Real `redline observe` processes are killed with SIGKILL at random points while they
store a few hundred files; after each, SQLite's integrity check passes, every stored
sample is whole (its passages and their embeddings), and the index agrees with the rows.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redline.memory.embedder import Embedder
from redline.memory.store import DATABASE_NAME, Store
from redline.memory.writing import WritingMemory
from tests.documents import prose

FILES = 300
KILLS = 4


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three hundred notes of two paragraphs each, all different."""
    folder = tmp_path_factory.mktemp("notes")
    paths = [folder / f"note-{n:03}.md" for n in range(FILES)]
    for n, path in enumerate(paths):
        path.write_text(prose(2, seed=1000 + n), encoding="utf-8")
    return paths


def observe(data: Path, paths: list[Path]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "redline", "--data-dir", str(data), "observe", *map(str, paths)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stored_samples(data: Path) -> int:
    """The samples another process has committed so far (0 before the database exists)."""
    try:
        conn = sqlite3.connect(f"{(data / DATABASE_NAME).as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM samples").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:  # not made yet, or its tables not yet
        return 0


def assert_whole(data: Path, embedder: Embedder) -> tuple[int, int]:
    """Integrity, whole samples, an index equal to the rows; returns (samples, passages)."""
    store = Store(data)
    try:
        assert store.integrity() == "ok"
        (partless,), *_ = store.query(
            "SELECT count(*) FROM samples s WHERE NOT EXISTS"
            " (SELECT 1 FROM passages p WHERE p.sample_id = s.id)"
        )
        assert partless == 0  # a sample is stored with its passages, or not at all
        sizes = store.query("SELECT DISTINCT length(embedding) FROM passages")
        assert sizes in ([], [(4 * embedder.dimension,)])
        samples, (passages, _) = store.sample_count(), store.passage_state()
        index = WritingMemory(store, embedder).index.sync()
        assert index.ntotal == passages
        return samples, passages
    finally:
        store.close()


def test_observe_killed_at_random_points_keeps_what_it_committed(
    notes: list[Path], tmp_path: Path, embedder: Embedder
) -> None:
    rng = random.Random(11)
    data = tmp_path / "data"
    for _ in range(KILLS):  # each run goes on from what the killed one left
        before = stored_samples(data)
        child = observe(data, notes)
        deadline = time.monotonic() + 240
        while stored_samples(data) == before and child.poll() is None:
            assert time.monotonic() < deadline, "observe stored nothing in 240 s"
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))  # somewhere in the middle of the files
        child.kill()
        child.wait()
        committed = stored_samples(data)
        assert before < committed < FILES  # killed in the middle
        samples, passages = assert_whole(data, embedder)
        assert samples == committed and passages == 2 * samples
    # What the killed runs did not store, the next run does, once.
    again = observe(data, notes)
    assert again.wait(timeout=300) == 0, again.stderr.read() if again.stderr else ""
    assert assert_whole(data, embedder) == (FILES, 2 * FILES)


def test_two_processes_observing_one_data_dir_lose_nothing(
    notes: list[Path], tmp_path: Path, embedder: Embedder
) -> None:
    data = tmp_path / "data"
    halves = [notes[:150] + notes[:20], notes[150:] + notes[:20]]  # 20 notes in both
    children = [observe(data, half) for half in halves]
    for child in children:
        assert child.wait(timeout=300) == 0, child.stderr.read() if child.stderr else ""
    assert assert_whole(data, embedder) == (FILES, 2 * FILES)
