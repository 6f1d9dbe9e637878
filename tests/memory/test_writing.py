"""WritingMemory: observe the user's writing, find passages like a text, count their phrases.

Real embedder, real SQLite and real FAISS throughout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.errors import InputError
from redline.memory.embedder import Embedder
from redline.memory.passages import MAX_SAMPLE_CHARS
from redline.memory.store import Store
from redline.memory.writing import WritingMemory

BREAD = (
    "Baking sourdough bread at home takes patience: feed the starter the night before, "
    "mix the flour and water, fold the dough every half hour and bake it in a hot Dutch oven."
)
BUGS = (
    "The flaky integration test failed again because the database fixture leaked a connection "
    "between test cases; I added a teardown that closes it and reran the suite twice."
)
HIKE = (
    "We hiked up the ridge trail before sunrise, crossed two snowfields, and reached the summit "
    "just as the clouds lifted over the valley and the lake below turned gold."
)
BUDGET = (
    "The quarterly budget review moved to Thursday; finance wants the revised headcount plan "
    "and the vendor invoices reconciled against the forecast before the meeting."
)
CORPUS = [BREAD, BUGS, HIKE, BUDGET]


@pytest.fixture
def memory(store: Store, embedder: Embedder) -> WritingMemory:
    return WritingMemory(store, embedder)


@pytest.fixture
def filled(memory: WritingMemory) -> WritingMemory:
    for i, text in enumerate(CORPUS):
        assert memory.observe(text, uri=f"file:///note{i}.md") == 1
    return memory


def reopen(data_dir: Path, embedder: Embedder) -> WritingMemory:
    """Another WritingMemory on the same data dir, as a second process would have."""
    return WritingMemory(Store(data_dir), embedder)


def leftover_tmp_files(data_dir: Path) -> list[str]:
    return [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")]


# -- observe and similar ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("How long should I proof the loaf before it goes in the oven?", BREAD),
        ("the unit tests keep failing intermittently in CI", BUGS),
        ("a mountain walk at dawn with views of the lake", HIKE),
        ("finance meeting about spending and invoices", BUDGET),
    ],
)
def test_similar_returns_the_closest_passage_first(
    filled: WritingMemory, query: str, expected: str
) -> None:
    hits = filled.similar(query, k=4)
    assert hits[0].text == expected
    assert len(hits) == 4
    assert len({h.id for h in hits}) == 4


def test_similar_with_k_larger_than_the_memory(filled: WritingMemory) -> None:
    assert {h.text for h in filled.similar("anything at all", k=50)} == set(CORPUS)
    assert [h.text for h in filled.similar("sourdough starter", k=1)] == [BREAD]


def test_similar_on_empty_memory_or_empty_query(memory: WritingMemory) -> None:
    assert memory.similar("bread", k=3) == []
    memory.observe(BREAD)
    assert memory.similar("   \n", k=3) == []
    assert memory.similar("bread", k=0) == []


def test_observe_stores_passages_and_embeddings(memory: WritingMemory, store: Store) -> None:
    letter = "\n\n".join([BREAD, BUGS, HIKE, BUDGET])
    added = memory.observe(letter, uri="file:///letter.md")
    assert added == store.passage_state()[0] >= 2
    assert store.sample_count() == 1
    assert store.query("SELECT uri FROM samples") == [("file:///letter.md",)]
    ids, vectors = store.passage_vectors()
    assert vectors.shape == (added, Embedder.dimension)
    assert memory.index.sync().ntotal == added
    stored_words = [
        w for (t,) in store.query("SELECT text FROM passages ORDER BY id") for w in t.split()
    ]
    assert stored_words == letter.split()


def test_observing_the_same_text_twice_adds_nothing(filled: WritingMemory, store: Store) -> None:
    state = store.passage_state()
    assert filled.observe(BREAD) == 0
    assert filled.observe("  " + BREAD.upper().replace(" ", "\n") + "\n") == 0
    assert store.passage_state() == state
    assert store.sample_count() == len(CORPUS)
    assert filled.index.sync().ntotal == len(CORPUS)


def test_a_new_sample_adds_only_its_new_passages(memory: WritingMemory, store: Store) -> None:
    # Paragraphs of 40 to 80 words: each is a passage of its own.
    first, second = BREAD + " " + BUDGET, BUGS + " " + HIKE
    sailing = (
        "On Saturday we sailed the little dinghy across the bay, tacking against a stiff breeze, "
        "capsized once near the harbour wall, bailed out the boat and still made it back to the "
        "yacht club in time for dinner with the crew."
    )
    assert memory.observe(first + "\n\n" + second) == 2
    assert memory.observe(second.upper() + "\n\n" + sailing) == 1
    assert store.sample_count() == 2
    assert store.passage_state()[0] == 3
    assert memory.index.sync().ntotal == 3
    assert memory.similar("a boat trip on the water", k=1)[0].text == sailing


def test_blank_text_is_not_observed(memory: WritingMemory, store: Store) -> None:
    assert memory.observe("") == 0
    assert memory.observe(" \n\t\n ") == 0
    assert store.sample_count() == 0


def test_text_over_the_limit_is_refused(memory: WritingMemory, store: Store) -> None:
    with pytest.raises(InputError) as caught:
        memory.observe("word " * (MAX_SAMPLE_CHARS // 5) + "x")
    assert f"{MAX_SAMPLE_CHARS:,}" in str(caught.value)
    assert caught.value.hint and "split" in caught.value.hint
    assert store.sample_count() == 0
    # The limit itself is allowed (here: blank, so nothing is stored and nothing embedded).
    assert memory.observe(" " * MAX_SAMPLE_CHARS) == 0


def test_similar_samples_closest_first_within_the_budget(filled: WritingMemory) -> None:
    query = "proofing a loaf of sourdough"
    everything = filled.similar_samples(query, max_chars=10_000)
    assert everything[0] == BREAD
    assert sorted(everything) == sorted(CORPUS)
    assert filled.similar_samples(query, max_chars=len(BREAD)) == [BREAD]
    assert filled.similar_samples(query, max_chars=10) == []
    assert filled.similar_samples("  ", max_chars=10_000) == []


def test_similar_samples_gives_whole_samples_once(memory: WritingMemory) -> None:
    letter = "\n\n".join([BREAD + " " + BUDGET, BUGS + " " + HIKE])
    assert memory.observe(letter) == 2
    assert memory.similar_samples("bread and budgets and hiking", max_chars=10_000) == [letter]


# -- the index as a cache ---------------------------------------------------------------------


QUERIES = ["bread in the oven", "failing tests", "summit at sunrise", "budget meeting"]


def ranking(memory: WritingMemory) -> list[list[int]]:
    return [[p.id for p in memory.similar(q, k=4)] for q in QUERIES]


def test_restart_loads_the_index_without_rebuilding(
    filled: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    before = ranking(filled)
    again = reopen(data_dir, embedder)
    try:
        assert ranking(again) == before
        assert again.index.rebuilds == 0
    finally:
        again.store.close()


def test_deleted_index_file_is_rebuilt_with_identical_results(
    filled: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    before = ranking(filled)
    index_file = data_dir / "passages.faiss"
    assert index_file.exists()
    index_file.unlink()

    again = reopen(data_dir, embedder)
    try:
        assert again.index.rebuilds == 0
        assert ranking(again) == before
        assert again.index.rebuilds == 1
        assert index_file.exists()
    finally:
        again.store.close()


def test_corrupt_index_file_is_rebuilt(
    filled: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    before = ranking(filled)
    (data_dir / "passages.faiss").write_bytes(b"\x00\xffnot faiss\x13\x37" * 512)
    again = reopen(data_dir, embedder)
    try:
        assert ranking(again) == before
        assert again.index.rebuilds == 1
        assert again.index.sync().ntotal == len(CORPUS)
    finally:
        again.store.close()


def test_stale_index_is_detected_and_rebuilt(
    filled: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    assert filled.similar("bread", k=1)[0].text == BREAD
    rebuilds = filled.index.rebuilds
    # Another process commits a passage to the store but dies before it updates the index.
    other = Store(data_dir)
    try:
        text = "Our cat knocked the plant off the windowsill and then slept in the soil all day."
        other.add_sample(text, None, [text], embedder.embed([text]))
    finally:
        other.close()

    hits = filled.similar("the kitten made a mess with the houseplant", k=2)
    assert hits[0].text.startswith("Our cat knocked")
    assert filled.index.rebuilds == rebuilds + 1
    assert filled.index.sync().ntotal == len(CORPUS) + 1


def test_passages_observed_by_another_process_are_found(
    filled: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    filled.similar("bread", k=1)  # the first memory has its index loaded
    other = reopen(data_dir, embedder)
    try:
        chess = "I finally won a chess game with the Sicilian defence after losing the queen early."
        assert other.observe(chess) == 1
    finally:
        other.store.close()
    assert filled.similar("a board game opening", k=1)[0].text.startswith("I finally won a chess")
    assert filled.index.sync().ntotal == len(CORPUS) + 1


def test_index_file_is_written_atomically(memory: WritingMemory, data_dir: Path) -> None:
    inodes = set()
    for text in CORPUS:
        memory.observe(text)
        inodes.add((data_dir / "passages.faiss").stat().st_ino)
        assert leftover_tmp_files(data_dir) == []
    assert len(inodes) > 1  # each write renamed a new file into place
    assert sorted(p.name for p in data_dir.iterdir() if "faiss" in p.name) == ["passages.faiss"]


# -- phrases ---------------------------------------------------------------------------------


MAIL = "Hi team,\n\nQuick update on the launch: {}.\n\nThanks,\nDana"


def test_phrases_learn_from_observed_samples(memory: WritingMemory) -> None:
    assert memory.phrases().continue_text("Hi team,\n\n") is None
    for detail in ("beta opens Monday", "venue is booked", "slides due Friday"):
        memory.observe(MAIL.format(detail))
    phrase = memory.phrases().continue_text("Hi team,\n\n")
    assert phrase is not None
    assert phrase.text.startswith("Quick update on the launch:")
    assert memory.phrases().texts == 3


def test_phrases_pick_up_samples_of_another_store(
    memory: WritingMemory, data_dir: Path, embedder: Embedder
) -> None:
    memory.observe(MAIL.format("beta opens Monday"))
    model = memory.phrases()
    assert model.texts == 1
    assert model.continue_text("Hi team,\n\n", min_support=3) is None  # not seen enough

    other = reopen(data_dir, embedder)
    try:
        other.observe(MAIL.format("venue is booked"))
    finally:
        other.store.close()
    model = memory.phrases()
    assert model.texts == 2
    phrase = model.continue_text("Hi team,\n\nQuick")
    assert phrase is not None
    assert phrase.text.startswith(" update on the launch:")


def test_phrases_are_counted_once_per_sample(memory: WritingMemory) -> None:
    memory.observe(MAIL.format("beta opens Monday"))
    memory.phrases()
    memory.phrases()
    memory.observe(MAIL.format("beta opens Monday"))  # a duplicate: not stored
    model = memory.phrases()
    assert model.texts == 1
    assert model.written("Dana") == 1


def test_phrases_recount_after_samples_are_deleted(memory: WritingMemory, store: Store) -> None:
    for detail in ("beta opens Monday", "venue is booked", "slides due Friday"):
        memory.observe(MAIL.format(detail))
    assert memory.phrases().texts == 3
    with store.transaction() as conn:
        conn.execute("DELETE FROM passages")
        conn.execute("DELETE FROM samples WHERE text LIKE '%venue%'")
    model = memory.phrases()
    assert model.texts == 2
    assert model.written("venue") == 0


def test_phrases_see_a_sample_added_after_a_deletion(memory: WritingMemory, store: Store) -> None:
    memory.observe(MAIL.format("beta opens Monday"))
    memory.observe("Something else entirely, written once.")
    assert memory.phrases().texts == 2
    with store.transaction() as conn:
        conn.execute("DELETE FROM passages")
        conn.execute("DELETE FROM samples WHERE text LIKE 'Something%'")
    memory.observe(MAIL.format("venue is booked"))
    assert store.sample_count() == 2
    assert memory.phrases().written("venue") == 1
