"""VectorIndex: a FAISS cache of the store's passage embeddings, rebuilt when it disagrees."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from redline.memory.store import Store
from redline.memory.vector_index import (
    HALF_PRECISION_ROWS,
    WRITE_ALWAYS_ROWS,
    VectorIndex,
    file_problem,
)

DIM = 8


def unit_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = rng.standard_normal((n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def index_for(store: Store) -> VectorIndex:
    return VectorIndex(
        store.data_dir / "test.faiss", DIM, rows=store.passage_vectors, state=store.passage_state
    )


def add_rows(store: Store, name: str, n: int, seed: int) -> tuple[list[int], np.ndarray]:
    """Commit a sample of ``n`` passages with random unit embeddings; returns ids and vectors."""
    rows = unit_rows(n, seed)
    passages = [f"{name} passage {i}" for i in range(n)]
    ids = store.add_sample(f"{name}: " + " ".join(passages), None, passages, rows)
    assert len(ids) == n
    return ids, rows


def test_empty_store_gives_no_hits(store: Store) -> None:
    index = index_for(store)
    assert index.search(unit_rows(1, 0)[0], 5) == []
    assert index.path.exists()
    assert index.rebuilds == 1


def test_search_finds_the_row_by_id_best_first(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 6, seed=1)
    index.add(ids, rows)
    for row_id, row in zip(ids, rows, strict=True):
        hits = index.search(row, 3)
        assert hits[0][0] == row_id
        assert hits[0][1] == pytest.approx(1.0, abs=1e-5)
        scores = [s for _, s in hits]
        assert scores == sorted(scores, reverse=True)
    assert len(index.search(rows[0], 50)) == 6  # never more than there are rows
    assert index.search(rows[0], 0) == []


def test_add_is_persisted_and_reloaded_without_rebuild(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 4, seed=2)
    index.add(ids, rows)
    expected = index.search(rows[1], 4)

    reopened = index_for(store)
    assert reopened.search(rows[1], 4) == expected
    assert reopened.rebuilds == 0  # the file matched the store: loaded, not rebuilt


def test_add_skips_rows_already_indexed(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 3, seed=3)
    index.add(ids, rows)
    index.add(ids, rows)
    assert index.sync().ntotal == 3


def test_missing_file_is_rebuilt_with_identical_results(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 5, seed=4)
    index.add(ids, rows)
    queries = unit_rows(3, seed=99)
    before = [index.search(q, 3) for q in queries]
    index.path.unlink()

    fresh = index_for(store)
    after = [fresh.search(q, 3) for q in queries]
    assert fresh.rebuilds == 1
    assert fresh.path.exists()
    assert [[i for i, _ in hits] for hits in after] == [[i for i, _ in hits] for hits in before]
    for a, b in zip(after, before, strict=True):
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5)


def test_rows_added_by_another_store_make_the_index_stale(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 3, seed=5)
    index.add(ids, rows)
    assert index.search(rows[0], 10)[0][0] == ids[0]
    rebuilds = index.rebuilds

    other = Store(store.data_dir)  # another process: commits rows, never touches the index
    try:
        new_ids, new_rows = add_rows(other, "b", 2, seed=6)
    finally:
        other.close()

    hits = index.search(new_rows[1], 10)
    assert index.rebuilds == rebuilds + 1
    assert hits[0][0] == new_ids[1]
    assert {i for i, _ in hits} == set(ids) | set(new_ids)
    # The rebuilt file is what a third process now loads, without rebuilding.
    third = index_for(store)
    assert third.search(new_rows[0], 1)[0][0] == new_ids[0]
    assert third.rebuilds == 0


def test_same_count_but_other_rows_is_stale(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 3, seed=7)
    index.add(ids, rows)
    index.search(rows[0], 1)
    # Another process deletes a row and adds one: the count is unchanged, the largest id is not.
    with store.transaction() as conn:
        conn.execute("DELETE FROM passages WHERE id = ?", (ids[0],))
    new_ids, new_rows = add_rows(store, "b", 1, seed=8)
    assert store.passage_state()[0] == 3

    fresh = index_for(store)
    hits = fresh.search(new_rows[0], 10)
    assert fresh.rebuilds == 1
    assert hits[0][0] == new_ids[0]
    assert ids[0] not in {i for i, _ in hits}


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"\x9b\x00garbage" * 300, id="garbage"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_unreadable_file_is_rebuilt(store: Store, damage) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 4, seed=9)
    index.add(ids, rows)
    expected = index.search(rows[2], 4)
    index.path.write_bytes(damage(index.path.read_bytes()))

    fresh = index_for(store)
    hits = fresh.search(rows[2], 4)
    assert [i for i, _ in hits] == [i for i, _ in expected]
    np.testing.assert_allclose([s for _, s in hits], [s for _, s in expected], rtol=1e-5)
    assert fresh.rebuilds == 1
    assert faiss.read_index(str(fresh.path)).ntotal == 4  # the file was repaired


def test_file_of_another_shape_is_rebuilt(store: Store) -> None:
    ids, rows = add_rows(store, "a", 2, seed=10)
    path = store.data_dir / "test.faiss"
    wrong_dim = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM * 2))
    wrong_dim.add_with_ids(np.zeros((2, DIM * 2), dtype=np.float32), np.array(ids, dtype=np.int64))
    faiss.write_index(wrong_dim, str(path))
    index = index_for(store)
    assert index.search(rows[0], 1)[0][0] == ids[0]
    assert index.rebuilds == 1

    plain = faiss.IndexFlatIP(DIM)  # right dimension, but no id map
    plain.add(rows)
    faiss.write_index(plain, str(path))
    index = index_for(store)
    assert index.search(rows[1], 1)[0][0] == ids[1]
    assert index.rebuilds == 1


def test_file_is_replaced_atomically(store: Store) -> None:
    index = index_for(store)
    ids, rows = add_rows(store, "a", 2, seed=11)
    index.add(ids, rows)
    inode = index.path.stat().st_ino
    more_ids, more_rows = add_rows(store, "b", 2, seed=12)
    index.add(more_ids, more_rows)
    # A new file was renamed over the old one (a new inode), not rewritten in place.
    assert index.path.stat().st_ino != inode
    leftovers = [p.name for p in Path(store.data_dir).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert faiss.read_index(str(index.path)).ntotal == 4


def test_a_big_index_is_rewritten_after_a_tenth_more_rows_or_at_flush(store: Store) -> None:
    add_rows(store, "archive", WRITE_ALWAYS_ROWS, seed=3)
    index = index_for(store)
    assert index.sync().ntotal == WRITE_ALWAYS_ROWS and index.rebuilds == 1
    ids, rows = add_rows(store, "note", 5, seed=4)
    index.add(ids, rows)
    assert index.search(rows[0], 1)[0][0] == ids[0]  # served from memory
    assert faiss.read_index(str(index.path)).ntotal == WRITE_ALWAYS_ROWS  # the file waits
    other = index_for(store)  # another process: the file disagrees with the store
    assert other.search(rows[0], 1)[0][0] == ids[0] and other.rebuilds == 1
    index.flush()
    assert faiss.read_index(str(index.path)).ntotal == WRITE_ALWAYS_ROWS + 5
    ids, rows = add_rows(store, "chapter", WRITE_ALWAYS_ROWS // 10, seed=5)
    index.add(ids, rows)  # 1,000 rows: not yet a tenth of the 10,005 in the file
    assert faiss.read_index(str(index.path)).ntotal == WRITE_ALWAYS_ROWS + 5
    ids, rows = add_rows(store, "page", 1, seed=6)
    index.add(ids, rows)
    assert faiss.read_index(str(index.path)).ntotal == store.passage_state()[0]


def test_past_a_size_the_index_keeps_half_precision_and_finds_the_same_rows(
    store: Store,
) -> None:
    ids, rows = add_rows(store, "archive", HALF_PRECISION_ROWS - 1, seed=7)
    index = index_for(store)
    exact = [index.search(row, 1)[0][0] for row in rows[:20]]
    assert exact == ids[:20] and index.rebuilds == 1
    more, extra = add_rows(store, "note", 2, seed=8)
    index.add(more, extra)  # past the size: rebuilt in half precision at the next search
    assert [index.search(row, 1)[0][0] for row in rows[:20]] == exact
    assert index.search(extra[0], 1)[0][0] == more[0] and index.rebuilds == 2
    on_disk = faiss.read_index(str(index.path))
    assert isinstance(faiss.downcast_index(on_disk.index), faiss.IndexScalarQuantizer)
    assert file_problem(index.path, DIM, store.passage_state()) is None
    flat = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))  # the right rows, in the other precision
    row_ids, vectors = store.passage_vectors()
    flat.add_with_ids(vectors, row_ids)
    faiss.write_index(flat, str(index.path))
    assert "precision" in (file_problem(index.path, DIM, store.passage_state()) or "")
