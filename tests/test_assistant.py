"""The Assistant API end to end: the real embedded model, SQLite, FAISS and embedder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from redline import Assistant
from redline.errors import ModelError, StoreError
from tests.conftest import sample_texts


@pytest.fixture(scope="module")
def personal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """An assistant that has observed the bundled writing sample."""
    assistant = Assistant(data_dir=tmp_path_factory.mktemp("personal"))
    for text in sample_texts():
        assistant.observe_writing(text)
    yield assistant
    assistant.close()


@pytest.fixture
def blank(tmp_path: Path) -> Iterator[Assistant]:
    assistant = Assistant(data_dir=tmp_path / "blank")
    yield assistant
    assistant.close()


def test_completion_is_whole_words_cut_from_the_full_continuation(personal: Assistant) -> None:
    prefix = "I have been thinking about the new students and"
    full = personal.complete(prefix, uri="a", max_tokens=24)
    short = personal.complete(prefix, uri="b", max_tokens=4)
    assert full, "the model should continue an ordinary sentence"
    assert full.startswith(short)
    # The short one stops where the long one has a word boundary, never inside a word.
    assert len(short) == len(full) or not full[len(short)].isalnum()
    assert not short.endswith((" ", "\n"))


def test_observed_writing_changes_the_prediction(blank: Assistant) -> None:
    prefix = "Hi all,\n\nHere is the lab update for"
    before = blank.complete(prefix)
    for text in sample_texts():
        blank.observe_writing(text)
    after = blank.complete(prefix, uri="after")
    assert after.startswith(" this week.")
    assert before != after


def test_retrieval_finds_the_users_passage_on_the_same_subject(personal: Assistant) -> None:
    passages = personal.writing.similar("the freezer alarm went off again overnight", 1)
    assert "freezer alarm" in passages[0].text


def test_typing_through_a_suggestion_is_served_from_the_cache(personal: Assistant) -> None:
    prefix = "Hi all,\n\n"
    first = personal.complete_detail(prefix, uri="cache")
    suggestion = first["suggestion"]
    assert suggestion.startswith("Here is the lab update")
    typed = prefix + suggestion[:3]
    again = personal.complete_detail(typed, uri="cache")
    assert again["source"] == "cache"
    assert again["suggestion"] == suggestion[3:]


def test_accepting_part_of_a_suggestion_refuses_the_rest(personal: Assistant) -> None:
    prefix = "Hi all,\n\n"
    suggestion = personal.complete(prefix, uri="partial")
    assert suggestion.startswith("Here is the lab update")
    after = personal.complete_detail(prefix + "Here is", uri="partial")
    assert after["source"] != "cache"
    assert not after["suggestion"].startswith(" the"), after


def test_the_model_finishes_the_word_being_typed(blank: Assistant) -> None:
    detail = blank.complete_detail("Hi all, quick upd", uri="upd")
    assert detail["source"] == "model"
    assert detail["suggestion"].startswith("ate"), detail["suggestion"]


def test_a_word_only_the_user_writes_is_finished_from_their_phrases(personal: Assistant) -> None:
    detail = personal.complete_detail("Next we book time on the spec", uri="spec")
    assert detail["source"] == "phrases"
    assert detail["suggestion"].startswith("trometer"), detail["suggestion"]


def test_typing_through_a_midword_suggestion_is_served_from_the_cache(blank: Assistant) -> None:
    first = blank.complete("Hi all, quick upd", uri="through")
    assert first.startswith("ate")
    again = blank.complete_detail("Hi all, quick upda", uri="through")
    assert again["source"] == "cache"
    assert again["suggestion"] == first[1:]


def test_a_phrase_chain_stops_after_the_sign_off(personal: Assistant) -> None:
    suggestion = personal.complete("Shout if I", uri="sign-off", max_tokens=16)
    assert suggestion.startswith(" missed anything.")
    assert suggestion.count("Ravi") <= 1 and suggestion.count("Best,") <= 1, suggestion


def test_cursor_inside_a_word_gets_no_suggestion(personal: Assistant) -> None:
    assert personal.complete("Here is the la", suffix="b update", uri="mid") == ""


def test_empty_and_very_long_prefixes(personal: Assistant) -> None:
    assert isinstance(personal.complete(""), str)
    long_prefix = "The freezer alarm fired again and we checked the seals. " * 5000
    suggestion = personal.complete(long_prefix, uri="long")
    assert isinstance(suggestion, str)
    assert "\n" not in suggestion


def test_memory_survives_a_restart(tmp_path: Path) -> None:
    with Assistant(data_dir=tmp_path) as first:
        for text in sample_texts():
            first.observe_writing(text)
        counts = first.store.passage_state()
    (tmp_path / "passages.faiss").unlink()  # the cache may vanish too: it is rebuilt
    with Assistant(data_dir=tmp_path) as second:
        assert second.store.passage_state() == counts
        assert second.complete("Shout if I", uri="r").startswith(" missed anything.")
        assert second.writing.similar("open day volunteers", 1)
        assert (tmp_path / "passages.faiss").exists()


def test_corrupt_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    database = tmp_path / "redline.sqlite3"
    garbage = b"this is not a database at all\x00\x01" * 100
    database.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        Assistant(data_dir=tmp_path)
    assert database.read_bytes() == garbage


def test_missing_model_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with (
        Assistant(data_dir=tmp_path, model="/no/such/model.gguf") as assistant,
        pytest.raises(ModelError) as caught,
    ):
        assistant.complete("Hello there")
    assert "/no/such/model.gguf" in caught.value.message
    assert caught.value.hint and "redline models" in caught.value.hint


def test_learning_off_neither_stores_nor_uses_writing(tmp_path: Path) -> None:
    with Assistant(data_dir=tmp_path, learning=False) as assistant:
        for text in sample_texts():
            assistant.observe_writing(text)
        assert assistant.store.sample_count() == 0
        detail = assistant.complete_detail("Hi all,\n\n")
        assert detail["source"] != "phrases"
        draft = assistant.draft(sample_texts()[0])
        accepted = assistant.remember_suggestion(" missed anything.", before="Shout if I")
        assert draft.id is None and accepted.id is None
        assert assistant.learn(draft, "TL;DR: " + draft.text).skipped == "learning is off"
        stored = assistant.store.query(
            "SELECT (SELECT count(*) FROM drafts), (SELECT count(*) FROM edits),"
            " (SELECT count(*) FROM preferences)"
        )
        assert stored == [(0, 0, 0)]


def test_suggestions_carry_no_prompt_markup(personal: Assistant) -> None:
    for prefix in ("Thanks for the quick", "Best,\n", "We agreed to move the"):
        suggestion = personal.complete(prefix, uri=prefix)
        assert not re.search(r"<\|[a-z_]+\|>", suggestion)


def test_typed_control_markers_stay_plain_text(personal: Assistant) -> None:
    detail = personal.complete_detail("Please write <|endoftext|> in the", uri="markers")
    if detail["source"] == "model":
        tokens = personal.predictor.prompt_tokens(detail["prompt"])
        marker = personal.predictor.tokenize("<|endoftext|>")
        assert tokens.count(marker[0]) == personal.predictor.prompt_tokens(
            type(detail["prompt"])(text="", context=detail["prompt"].context)
        ).count(marker[0])
