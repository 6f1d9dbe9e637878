"""IndexedDocument agrees with pygls' own TextDocument, edit after edit, in every encoding."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from pygls.workspace import PositionCodec, TextDocument

from redline.lsp.text import IndexedDocument, client_units, column

# Characters of one, two and four UTF-8 bytes, one outside the BMP, and each line break.
PIECES = ["a", "b", " ", "é", "中", "😀", "\n", "\r\n", "\r"]
ENCODINGS = [types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8]


def text(rng: random.Random, pieces: int) -> str:
    return "".join(rng.choices(PIECES, weights=[6, 6, 4, 2, 2, 1, 2, 1, 1], k=pieces))


def boundaries(document: TextDocument, encoding: str) -> list[types.Position]:
    """Every position between two characters of the document, in client units."""
    positions = []
    for number, line in enumerate(document.source.splitlines() or [""]):
        units = 0
        positions.append(types.Position(line=number, character=0))
        for char in line:
            units += client_units(char, encoding)
            positions.append(types.Position(line=number, character=units))
    return positions


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("seed", range(6))
def test_random_edits_give_the_text_and_offsets_pygls_gives(encoding: str, seed: int) -> None:
    rng = random.Random(seed)
    start = text(rng, 60)
    ours = IndexedDocument("file:///a.md", start, position_codec=PositionCodec(encoding))
    theirs = TextDocument("file:///a.md", start, position_codec=PositionCodec(encoding))
    for _ in range(80):
        positions = boundaries(theirs, encoding)
        first, second = sorted(rng.sample(positions, 2) if len(positions) > 1 else positions * 2)
        if rng.random() < 0.5:
            second = first  # an insertion, as when typing
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=first, end=second), text=text(rng, rng.choice([0, 1, 1, 3]))
        )
        ours.apply_change(change)
        theirs.apply_change(change)
        assert ours.source == theirs.source
        every = boundaries(theirs, encoding)
        for position in rng.sample(every, min(10, len(every))):
            offset = theirs.offset_at_position(position)
            assert ours.offset_at_position(position) == offset
            assert ours.client_position_at_offset(offset) == position


def test_positions_past_a_line_or_the_text_are_clamped() -> None:
    document = IndexedDocument("file:///a.md", "ab\r\ncd", position_codec=PositionCodec())
    assert document.offset_at_position(types.Position(line=0, character=99)) == 2
    assert document.offset_at_position(types.Position(line=5, character=0)) == 6
    assert document.client_position_at_offset(99) == types.Position(line=1, character=2)


def test_a_unit_inside_a_character_counts_as_before_it() -> None:
    assert column("a😀b", 2, types.PositionEncodingKind.Utf16) == 1
    assert column("a中b", 3, types.PositionEncodingKind.Utf8) == 1
    assert column("a\ud800b", 2, types.PositionEncodingKind.Utf16) == 2  # unpaired surrogate
