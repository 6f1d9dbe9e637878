"""The SQLite store: schema, WAL, restarts, refusing files that are not ours, de-duplication."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from redline.errors import StoreError
from redline.memory.migrations import SCHEMA_VERSION
from redline.memory.store import APPLICATION_ID, DATABASE_NAME, Passage, Store, text_hash

DIM = 4


def vectors(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def raw(path: Path, sql: str) -> list[tuple]:
    """Read a database with plain sqlite3, outside redline."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# -- a new database --------------------------------------------------------------------------


def test_new_database_has_wal_and_schema(store: Store, data_dir: Path) -> None:
    assert store.path == data_dir / DATABASE_NAME
    assert store.path.exists()
    assert store.query("PRAGMA journal_mode") == [("wal",)]
    assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert store.query("PRAGMA application_id")[0][0] == APPLICATION_ID
    assert store.query("PRAGMA foreign_keys")[0][0] == 1
    tables = {name for (name,) in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"samples", "passages", "events"} <= tables
    assert store.integrity() == "ok"
    assert store.sample_count() == 0
    assert store.passage_state() == (0, 0)


def test_wal_mode_is_persistent(store: Store) -> None:
    store.close()
    assert raw(store.path, "PRAGMA journal_mode") == [("wal",)]
    assert raw(store.path, "PRAGMA application_id")[0][0] == APPLICATION_ID


def test_creates_missing_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "deep" / "er" / "data"
    store = Store(data)
    try:
        assert (data / DATABASE_NAME).exists()
    finally:
        store.close()


def test_data_dir_that_is_a_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data directory"):
        Store(blocker / "data")
    assert blocker.read_text() == "not a folder"


def test_empty_file_becomes_a_new_database(data_dir: Path) -> None:
    (data_dir / DATABASE_NAME).touch()
    store = Store(data_dir)
    try:
        assert store.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    finally:
        store.close()


# -- restarts and other processes ------------------------------------------------------------


def test_reopening_keeps_rows(data_dir: Path) -> None:
    first = Store(data_dir)
    ids = first.add_sample("Hello there. A sample.", "file:///a.md", ["Hello there."], vectors(1))
    first.log_event("observe", {"uri": "file:///a.md"})
    first.close()

    second = Store(data_dir)
    try:
        assert second.sample_count() == 1
        assert second.has_sample("Hello there. A sample.")
        assert second.passages(ids) == [Passage(ids[0], "Hello there.")]
        assert second.query("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        kind, payload = second.query("SELECT kind, payload FROM events")[0]
        assert kind == "observe"
        assert json.loads(payload) == {"uri": "file:///a.md"}
    finally:
        second.close()


def test_two_stores_on_one_dir_see_each_others_rows(data_dir: Path) -> None:
    one, two = Store(data_dir), Store(data_dir)
    try:
        one.add_sample("from one", None, ["from one"], vectors(1, seed=1))
        assert two.sample_count() == 1
        two.add_sample("from two", None, ["from two"], vectors(1, seed=2))
        assert one.passage_state() == (2, 2)
        assert [text for _, text in one.samples_after(0)] == ["from one", "from two"]
    finally:
        one.close()
        two.close()


def test_failed_transaction_commits_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO samples (uri, text, hash, created) VALUES (NULL, 'x', 'h', 0)")
        raise RuntimeError("crash halfway")
    assert store.sample_count() == 0
    # The store is still usable afterwards.
    store.add_sample("after", None, [], np.zeros((0, DIM), dtype=np.float32))
    assert store.sample_count() == 1


# -- files that are not ours -----------------------------------------------------------------


def test_corrupt_file_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / DATABASE_NAME
    garbage = random.Random(1234).randbytes(8192)
    path.write_bytes(garbage)
    with pytest.raises(StoreError) as caught:
        Store(data_dir)
    message = str(caught.value)
    assert str(path) in message
    assert "not a readable SQLite database" in message
    assert "left untouched" in message
    assert caught.value.hint and "move the file aside" in caught.value.hint
    assert path.read_bytes() == garbage
    assert sorted(p.name for p in data_dir.iterdir()) == [DATABASE_NAME]


def test_truncated_database_is_refused_and_untouched(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "source"
    store = Store(source)
    store.add_sample("some text", None, ["some text"], vectors(1))
    store.close()
    head = (source / DATABASE_NAME).read_bytes()[:100] + b"\x00" * 10
    path = data_dir / DATABASE_NAME
    path.write_bytes(head)
    with pytest.raises(StoreError):
        store = Store(data_dir)
        store.sample_count()  # a lazy failure must still be a StoreError
    assert path.read_bytes() == head


def test_foreign_database_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / DATABASE_NAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT, email TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Dana', 'dana@example.com')")
    conn.commit()
    conn.close()
    before = snapshot(data_dir)
    with pytest.raises(StoreError) as caught:
        Store(data_dir)
    message = str(caught.value)
    assert str(path) in message
    assert "another program" in message
    assert snapshot(data_dir) == before
    assert raw(path, "PRAGMA journal_mode") == [("delete",)]
    assert raw(path, "SELECT name FROM sqlite_master") == [("contacts",)]


def _bump_schema(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={version}")
    conn.commit()
    conn.close()


def test_newer_schema_is_refused_and_untouched(data_dir: Path) -> None:
    store = Store(data_dir)
    store.add_sample("kept", None, ["kept"], vectors(1))
    store.close()
    _bump_schema(store.path, SCHEMA_VERSION + 1)
    before = snapshot(data_dir)
    with pytest.raises(StoreError) as caught:
        Store(data_dir)
    message = str(caught.value)
    assert "newer redline" in message
    assert f"schema {SCHEMA_VERSION + 1}" in message
    assert caught.value.hint == "upgrade redline"
    assert store.path.read_bytes() == before[DATABASE_NAME]
    assert raw(store.path, "PRAGMA user_version")[0][0] == SCHEMA_VERSION + 1
    assert raw(store.path, "SELECT text FROM samples") == [("kept",)]


def test_newer_schema_in_rollback_journal_mode_is_untouched(data_dir: Path) -> None:
    path = data_dir / DATABASE_NAME
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.close()
    before = snapshot(data_dir)
    with pytest.raises(StoreError, match="newer redline"):
        Store(data_dir)
    assert snapshot(data_dir) == before


# -- samples and passages --------------------------------------------------------------------


def test_duplicate_samples_are_ignored(store: Store) -> None:
    text = "Hi team,\n\nQuick update on the launch."
    first = store.add_sample(text, "a", ["Hi team,", "Quick update on the launch."], vectors(2))
    assert len(first) == 2
    assert store.add_sample(text, "b", ["Hi team,", "Other."], vectors(2)) == []
    # The same words with other whitespace and case are the same sample.
    variant = "  hi TEAM,   quick update\non the launch. "
    assert store.has_sample(variant)
    assert store.add_sample(variant, "c", ["x"], vectors(1)) == []
    assert store.sample_count() == 1
    assert store.passage_state() == (2, max(first))
    assert store.query("SELECT uri FROM samples") == [("a",)]


def test_passages_shared_by_samples_are_stored_once(store: Store) -> None:
    ids_a = store.add_sample("one\n\nshared", None, ["one", "shared"], vectors(2))
    ids_b = store.add_sample("two\n\nshared", None, ["two", "Shared "], vectors(2, seed=5))
    assert len(ids_a) == 2
    assert len(ids_b) == 1
    assert store.passages(ids_b)[0].text == "two"
    assert store.known_passages(["SHARED", "new one", "one"]) == {"SHARED", "one"}
    assert store.known_passages([]) == set()


def test_passages_come_back_in_the_order_asked(store: Store) -> None:
    ids = store.add_sample("a b c", None, ["a", "b", "c"], vectors(3))
    order = [ids[2], 999, ids[0], ids[1]]
    assert [p.text for p in store.passages(order)] == ["c", "a", "b"]
    assert store.passages([]) == []


def test_passage_vectors_round_trip(store: Store) -> None:
    assert store.passage_vectors()[0].shape == (0,)
    rows = vectors(3, seed=7)
    ids = store.add_sample("x y z", None, ["x", "y", "z"], rows)
    got_ids, got_vectors = store.passage_vectors()
    assert got_ids.tolist() == ids
    assert got_ids.dtype == np.int64
    assert got_vectors.dtype == np.float32
    np.testing.assert_array_equal(got_vectors, rows)


def test_mismatched_passages_and_embeddings_commit_nothing(store: Store) -> None:
    with pytest.raises(ValueError):
        store.add_sample("two passages", None, ["two", "passages"], vectors(1))
    assert store.sample_count() == 0
    assert store.passage_state() == (0, 0)


def test_samples_after(store: Store) -> None:
    for text in ("first", "second", "third"):
        store.add_sample(text, None, [], np.zeros((0, DIM), dtype=np.float32))
    rows = store.samples_after(0)
    assert [t for _, t in rows] == ["first", "second", "third"]
    assert [t for _, t in store.samples_after(rows[0][0])] == ["second", "third"]
    assert store.samples_after(rows[-1][0]) == []


def test_text_hash_normalises_whitespace_and_case() -> None:
    assert text_hash("Hello  World\n") == text_hash("hello world")
    assert text_hash("Hello World") != text_hash("Hello, World")


def test_samples_of_passages_each_once_in_order(store: Store) -> None:
    a = store.add_sample("sample A", None, ["a1", "a2"], vectors(2, seed=1))
    b = store.add_sample("sample B", None, ["b1", "b2"], vectors(2, seed=2))
    assert store.samples_of([b[1], a[0], b[0], 999, a[1]]) == ["sample B", "sample A"]
    assert store.samples_of([]) == []
    assert store.samples_of([999]) == []
