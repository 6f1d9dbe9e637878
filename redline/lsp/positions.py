"""Positions: the encoding negotiated with the client, and the text around the cursor.

LSP positions count UTF-16 code units unless client and server agree on
another encoding; redline takes UTF-8 where the client offers it. The server's
documents (:class:`redline.lsp.text.IndexedDocument`) convert positions to Python
string offsets (code points) with the negotiated encoding, so everything past this
module works in offsets.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from redline.lsp.text import IndexedDocument

# Characters after the cursor passed to the Assistant.
SUFFIX_CHARS = 400


def preferred_encoding(capabilities: types.ClientCapabilities) -> types.PositionEncodingKind:
    """UTF-8 when the client offers it, UTF-16 (which every client supports) otherwise."""
    offered = capabilities.general.position_encodings if capabilities.general else None
    if offered and types.PositionEncodingKind.Utf8 in offered:
        return types.PositionEncodingKind.Utf8
    return types.PositionEncodingKind.Utf16


@dataclass(frozen=True)
class Cursor:
    """A snapshot of a document at the cursor."""

    uri: str
    version: int | None
    offset: int  # code points from the start of the document
    prefix: str
    suffix: str
    position: types.Position


def cursor_at(document: IndexedDocument, position: types.Position) -> Cursor:
    """The text before and after ``position``, clamped into the document."""
    offset = offset_at(document, position)
    source = document.source
    return Cursor(
        uri=document.uri,
        version=document.version,
        offset=offset,
        prefix=source[:offset],
        suffix=source[offset : offset + SUFFIX_CHARS],
        position=position_at(document, offset),
    )


def position_at(document: IndexedDocument, offset: int) -> types.Position:
    """The client position of a code point offset (the end of the text included)."""
    return document.client_position_at_offset(offset)


def offset_at(document: IndexedDocument, position: types.Position) -> int:
    """The code point offset of a client position, clamped into the document."""
    return document.offset_at_position(position)


def word_start(prefix: str) -> int:
    """Where the word being typed at the end of ``prefix`` begins."""
    start = len(prefix)
    while start > 0 and (prefix[start - 1].isalnum() or prefix[start - 1] in "'-_"):
        start -= 1
    return start


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (text between blank lines) around ``start``..``end``."""
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    return (0 if before < 0 else before + 2), (len(text) if after < 0 else after)
