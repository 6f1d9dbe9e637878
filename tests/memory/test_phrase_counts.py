"""The phrase counts kept in the database: counted with each sample, read at once by a new
process, equal to a recount from the samples, and recounted whenever they could be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.memory.embedder import Embedder
from redline.memory.phrases import PhraseModel
from redline.memory.store import Store
from redline.memory.writing import WritingMemory
from tests.conftest import sample_texts

PREFIXES = ["Shout if I", "Hi all,\n\nQuick upd", "Thanks", "Best,\n", "The new", "Zebra"]
TABLES = ("phrase_counts", "outline_counts", "phrase_words")


def tables(store: Store) -> dict[str, list[tuple]]:
    return {t: store.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES}


def recounted(store: Store) -> dict[str, list[tuple]]:
    """What a count from the samples gives (the stored counts are left as they were)."""
    with store.transaction() as conn:
        conn.execute("UPDATE phrase_state SET version = -1")
    assert store.update_phrase_counts()  # the version changed: recounted
    return tables(store)


def continuations(model: PhraseModel) -> list[object]:
    return [model.continue_text(p, max_words=8, min_support=1) for p in PREFIXES]


@pytest.fixture
def observed(tmp_path: Path, embedder: Embedder) -> Path:
    data = tmp_path / "data"
    store = Store(data)
    try:
        memory = WritingMemory(store, embedder)
        for text in sample_texts():
            memory.observe(text)
    finally:
        store.close()
    return data


def test_counts_grow_with_each_sample_and_equal_a_recount(observed: Path) -> None:
    store = Store(observed)
    try:
        assert not store.update_phrase_counts()  # counted with each sample: nothing to do
        kept = tables(store)
        assert all(kept.values())
        assert recounted(store) == kept
    finally:
        store.close()


def test_a_batch_counts_each_new_sample_once_as_one_by_one_does(
    observed: Path, tmp_path: Path, embedder: Embedder
) -> None:
    texts = sample_texts()
    store = Store(tmp_path / "batch")
    try:
        memory = WritingMemory(store, embedder)
        first = memory.observe(texts[0])
        # A sample stored already, and one twice in the batch, are each stored once.
        batch = [(text, f"file:///{i}.md") for i, text in enumerate(texts)] + [(texts[1], None)]
        assert memory.observe_many(batch) == store.passage_state()[0] - first > 0
        assert not store.update_phrase_counts()  # in step: nothing to recount
        one_by_one = Store(observed)
        try:
            assert tables(store) == tables(one_by_one)
            assert store.sample_count() == one_by_one.sample_count() == len(texts)
        finally:
            one_by_one.close()
        assert memory.index.sync().ntotal == store.passage_state()[0]
    finally:
        store.close()


def test_a_new_process_reads_the_counts_and_continues_as_a_model_in_memory(
    observed: Path, embedder: Embedder
) -> None:
    in_memory = PhraseModel()
    for text in sample_texts():
        in_memory.add(text)
    store = Store(observed)
    try:
        stored = WritingMemory(store, embedder).phrases()
        assert stored.texts == in_memory.texts == len(sample_texts())
        assert continuations(stored) == continuations(in_memory)
        assert continuations(stored)[0] is not None
    finally:
        store.close()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE phrase_state SET version = 0",  # counted by another version
        "UPDATE phrase_state SET samples = samples + 1",  # from other samples
        "DELETE FROM phrase_state",  # a memory of a redline before counts were kept
    ],
)
def test_counts_that_may_be_wrong_are_recounted_never_trusted(
    damage: str, observed: Path, embedder: Embedder
) -> None:
    store = Store(observed)
    try:
        right = tables(store)
        with store.transaction() as conn:
            conn.execute("UPDATE phrase_counts SET count = count * 7")
            conn.execute(damage)
        model = WritingMemory(store, embedder).phrases()
        assert tables(store) == right
        assert model.continue_text("Shout if I", min_support=1) is not None
    finally:
        store.close()


def test_a_sample_deleted_by_hand_leaves_the_counts(observed: Path, embedder: Embedder) -> None:
    store = Store(observed)
    try:
        memory = WritingMemory(store, embedder)
        before = memory.phrases().written("Shout")
        with store.transaction() as conn:
            conn.execute("DELETE FROM passages")
            conn.execute("DELETE FROM samples WHERE text LIKE '%Shout if I%'")
        assert before > 0 and memory.phrases().written("Shout") == 0
    finally:
        store.close()
