"""The word being typed: split off the prompt, and cut from what is generated."""

from __future__ import annotations

import pytest

from redline.predictors.base import Stream
from redline.predictors.partial import after_typed, split_partial


@pytest.mark.parametrize(
    ("text", "head", "tail"),
    [
        ("Hi all, quick upd", "Hi all, quick", " upd"),
        ("Hi all,", "Hi", " all,"),
        ("Thanks,\nDa", "Thanks,\n", "Da"),
        ("upd", "", "upd"),
        ("two  spaces", "two  ", "spaces"),
        ("done ", "done ", ""),
        ("", "", ""),
    ],
)
def test_split_partial(text: str, head: str, tail: str) -> None:
    assert split_partial(text) == (head, tail)
    assert head + tail == text


def stream(*pieces: str) -> Stream:
    yield from pieces
    return "length"


def run(pieces: Stream) -> tuple[str, str]:
    out = []
    while True:
        try:
            out.append(next(pieces))
        except StopIteration as end:
            return "".join(out), end.value


def test_the_typed_letters_are_cut_from_the_output() -> None:
    assert run(after_typed(stream(" up", "date", " on", " the"), " upd")) == (
        "ate on the",
        "length",
    )
    assert run(after_typed(stream(" upd", " on"), " upd")) == (" on", "length")
    assert run(after_typed(stream(" x"), "")) == (" x", "length")


def test_an_output_that_spells_another_word_yields_nothing() -> None:
    assert run(after_typed(stream(" unt", "il"), " upd")) == ("", "stop")
