"""Documents that stay fast at any size: a keystroke costs the same in 5 KB and in 5 MB.

pygls' TextDocument converts a client position by walking its line character by
character in Python, and rebuilds the whole text line by line for every
incremental change: a keystroke in a 5 MB one-line document took seconds. Here

- client units (UTF-16 or UTF-8 code units) are counted and converted with
  ``str.encode``, at C speed, and not at all for ASCII text;
- the offsets of the line starts are kept in an array, updated where a change
  falls (line breaks are ``\\n``, ``\\r\\n`` and ``\\r``, as LSP says);
- a change is spliced into the text at its two offsets.

``IndexedWorkspace`` makes every document of the language server such a document.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

# Bytes per code unit of each encoding a client may negotiate.
_CODECS = {
    types.PositionEncodingKind.Utf16: ("utf-16-le", 2),
    types.PositionEncodingKind.Utf8: ("utf-8", 1),
}
_BREAK = re.compile(r"\r\n|\r|\n")


def _codec(encoding: Any) -> tuple[str, int] | None:
    """(Python codec, bytes per unit) of a position encoding; None for UTF-32 (code points)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return None
    return _CODECS.get(encoding, _CODECS[types.PositionEncodingKind.Utf16])


def client_units(text: str, encoding: Any) -> int:
    """How many code units of the client's ``encoding`` ``text`` takes."""
    codec = _codec(encoding)
    if codec is None or text.isascii():
        return len(text)
    name, width = codec
    return len(text.encode(name, "surrogatepass")) // width


def column(text: str, units: int, encoding: Any) -> int:
    """The code points of ``text`` that its first ``units`` client units hold (clamped; a
    unit inside a character counts as before it)."""
    units = max(units, 0)
    codec = _codec(encoding)
    if codec is None or text.isascii():
        return min(units, len(text))
    name, width = codec
    data = text.encode(name, "surrogatepass")[: units * width]
    for cut in range(len(data), max(len(data) - 4, -1), -1):  # back off a split character
        try:
            decoded = data[:cut].decode(name, "surrogatepass")
        except UnicodeDecodeError:
            continue
        count = len(decoded)  # half a surrogate pair decodes as a lone surrogate: not counted
        return count - 1 if count and decoded[-1] != text[count - 1] else count
    return 0


def common_prefix(a: str, b: str, block: int = 4096) -> int:
    """How many characters ``a`` and ``b`` share at their start (compared block by block)."""
    limit, same = min(len(a), len(b)), 0
    while same + block <= limit and a[same : same + block] == b[same : same + block]:
        same += block
    while same < limit and a[same] == b[same]:
        same += 1
    return same


def _line_starts_in(text: str, start: int, end: int) -> list[int]:
    """The offsets ``start``..``end`` (both included) of ``text`` where a line starts."""
    frm, to = max(start - 1, 0), min(end + 2, len(text))  # a break may end at either edge
    return [m.end() for m in _BREAK.finditer(text, frm, to) if start <= m.end() <= end]


class IndexedDocument(TextDocument):
    """A TextDocument whose positions and changes cost the size of the change, not the text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._starts: list[int] | None = None  # offsets where each line starts
        self._lines: tuple[str | None, list[str]] = (None, [])

    @property
    def lines(self) -> list[str]:  # type: ignore[override]
        """The lines (with their breaks), split once per version of the text."""
        source = self.source
        if self._lines[0] is not source:
            self._lines = (source, source.splitlines(True))
        return self._lines[1]

    def line_starts(self) -> list[int]:
        """Offsets of the start of each line (the first is 0)."""
        if self._starts is None:
            source = self.source
            self._starts = [0, *_line_starts_in(source, 1, len(source))]
        return self._starts

    def line_text(self, line: int) -> tuple[int, str]:
        """(offset of its start, text without its line break) of the ``line``-th line."""
        starts, source = self.line_starts(), self.source
        start = starts[line]
        end = starts[line + 1] if line + 1 < len(starts) else len(source)
        text = source[start:end]
        return start, text[:-2] if text.endswith("\r\n") else text.rstrip("\r\n")

    def offset_at_position(self, client_position: types.Position) -> int:
        """The code point offset of a client position, clamped into the text."""
        if client_position.line >= len(self.line_starts()):
            return len(self.source)
        start, text = self.line_text(max(client_position.line, 0))
        encoding = self.position_codec.encoding
        return start + column(text, client_position.character, encoding)

    def client_position_at_offset(self, offset: int) -> types.Position:
        """The client position of a code point offset (clamped into the text)."""
        offset = min(max(offset, 0), len(self.source))
        line = bisect.bisect_right(self.line_starts(), offset) - 1
        start = self.line_starts()[line]
        units = client_units(self.source[start:offset], self.position_codec.encoding)
        return types.Position(line=line, character=units)

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        begin = self.offset_at_position(change.range.start)
        end = max(self.offset_at_position(change.range.end), begin)
        source = self.source
        starts = self.line_starts()
        self._source = source[:begin] + change.text + source[end:]
        moved = len(change.text) - (end - begin)
        first, last = bisect.bisect_left(starts, begin), bisect.bisect_right(starts, end + 1)
        fresh = _line_starts_in(self._source, begin, begin + len(change.text) + 1)
        self._starts = [*starts[:first], *fresh, *(s + moved for s in starts[last:])]
        if not self._starts or self._starts[0] != 0:
            self._starts.insert(0, 0)

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        super()._apply_full_change(change)
        self._starts = None


class IndexedWorkspace(Workspace):
    """A pygls Workspace of IndexedDocuments."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return IndexedDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )
