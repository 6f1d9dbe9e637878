"""`redline bench scale`: generated notes, and one memory grown through two small sizes."""

from __future__ import annotations

import itertools
from pathlib import Path

from redline.bench.generated import generated_notes
from redline.bench.scale import format_scale_table, run_scale_bench
from redline.config import load_settings
from redline.memory.store import Store


def test_generated_notes_repeat_for_a_seed_and_keep_bringing_new_words() -> None:
    first = list(itertools.islice(generated_notes(seed=1), 40))
    assert first == list(itertools.islice(generated_notes(seed=1), 40))
    assert all(note.count("\n\n") == 2 for note in first)
    vocabulary = [set(" ".join(first[:n]).split()) for n in (10, 20, 40)]
    assert len(vocabulary[0]) < len(vocabulary[1]) < len(vocabulary[2])


def test_one_memory_grows_through_the_sizes_and_each_is_measured(tmp_path: Path) -> None:
    data = tmp_path / "kept"
    rows = list(run_scale_bench(load_settings({}), sizes=(80, 30), data=data))
    assert [row.passages >= size for row, size in zip(rows, (30, 80), strict=True)] == [True] * 2
    assert rows[0].passages < rows[1].passages and rows[0].disk < rows[1].disk
    assert all(row.first_source == "phrases" and row.resident > 0 for row in rows)
    assert all(row.complete and len(row.retrieval) == len(row.complete) for row in rows)
    store = Store(data)  # kept, whole, for a later run to grow
    try:
        assert store.integrity() == "ok" and store.passage_state()[0] >= rows[1].passages
    finally:
        store.close()
    table = format_scale_table(rows)
    assert table.row_count == 2
