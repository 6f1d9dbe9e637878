"""DocumentState: typing into the last suggestion, and accepting part of it."""

from __future__ import annotations

from redline.agent.documents import DocumentState


def suggested(prefix: str, suggestion: str) -> DocumentState:
    state = DocumentState()
    state.remember(prefix, suggestion)
    return state


def test_typing_the_next_character_serves_the_rest() -> None:
    state = suggested("Thanks for the", " quick reply")
    assert state.recall("Thanks for the ") == ("quick reply", "")


def test_typing_into_a_word_serves_its_rest() -> None:
    state = suggested("Thanks for the", " quick reply")
    assert state.recall("Thanks for the qu") == ("ick reply", "")


def test_words_accepted_in_one_piece_refuse_the_next() -> None:
    state = suggested("Thanks for the", " quick reply, Sam")
    for accepted in ("Thanks for the quick", "Thanks for the quick "):
        assert state.recall(accepted) == (None, "reply,")


def test_a_different_text_or_the_whole_suggestion_leaves_nothing() -> None:
    state = suggested("Thanks for the", " quick reply")
    for prefix in ("Thanks for the slow", "Thanks for the quick reply", "Hello"):
        assert state.recall(prefix) == (None, "")


def test_nothing_suggested_yet() -> None:
    assert DocumentState().recall("Hi") == (None, "")


def test_words_typed_by_hand_serve_the_rest() -> None:
    state = suggested("Thanks for the", " quick reply, Sam")
    assert state.recall("Thanks for the quick ", typed_by_hand=True) == ("reply, Sam", "")
