"""The loop guard: no line or run of words repeated back to back, in texts and in streams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from redline.predictors.base import Stream
from redline.predictors.repetition import cut_repeats, without_loops, without_repeated_sentences


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "missed anything.\n\nBest,\nRavi\n\nBest,\nRavi\n\nBest,",
            "missed anything.\n\nBest,\nRavi",
        ),
        ("Thanks!\n\nP.S. See you.\n\nP.S. See you.\n\nP.S.", "Thanks!\n\nP.S. See you."),
        ("We ship on Monday. We ship on Monday. We ship", "We ship on Monday."),
        ("the rollout is on track, the rollout is on track", "the rollout is on track,"),
    ],
)
def test_the_second_copy_of_a_block_is_cut(text: str, kept: str) -> None:
    assert cut_repeats(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "It was very very good.",  # one word twice is not a loop
        "- beta opens\n- venue booked\n- slides due",
        "Thanks,\nDana",
        "Hi team,\n\nQuick update on the launch: the beta opens Monday, the venue is booked.",
        "We ship on Monday. Then we ship on Friday.",
    ],
)
def test_text_without_a_loop_is_kept_whole(text: str) -> None:
    assert cut_repeats(text) == text


def pieces_of(*pieces: str, reason: str = "length") -> Stream:
    yield from pieces
    return reason


def drain(stream: Iterator[str]) -> tuple[list[str], str]:
    out = []
    while True:
        try:
            out.append(next(stream))
        except StopIteration as end:
            return out, end.value


def test_a_stream_stops_once_the_second_copy_is_complete() -> None:
    stream = pieces_of("P.S.", " ok", "\n\n", "P.S.", " ok", "\n\n", "P.S.", " ok", "\n\n")
    out, reason = drain(without_loops(stream))
    assert reason == "loop"
    assert "".join(out) == "P.S. ok\n\nP.S. ok\n\n"
    assert cut_repeats("".join(out)) == "P.S. ok"


def test_a_stream_without_a_loop_keeps_its_finish_reason() -> None:
    out, reason = drain(without_loops(pieces_of("one", " two", " three", reason="stop")))
    assert (out, reason) == (["one", " two", " three"], "stop")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "The lab moves Friday. Label every box. The lab moves Friday. Thanks.",
            "The lab moves Friday. Label every box. Thanks.",
        ),
        (
            "Hi all,\n\nThe lab moves Friday.\nThe lab moves Friday.\n\nBest,",
            "Hi all,\n\nThe lab moves Friday.\n\nBest,",
        ),  # fmt: skip
        ("One. Two. One.", "One. Two. One."),  # too short to be a repeat
    ],
)
def test_a_sentence_said_before_is_dropped(text: str, kept: str) -> None:
    assert without_repeated_sentences(text) == kept
