"""What the user kept: accepted suggestions and applied drafts, followed through later edits.

Each accepted completion or applied code action becomes a tracked range. The
range moves with edits before it and grows or shrinks with edits inside it
(and, for a draft, with text typed at its edges).
When the user has moved on (an edit or a request outside its paragraph, a
save, closing the document, or no edits for a while) the range's final text
is handed to ``on_final``, which learns from it and counts what was kept.

Acceptance is known three ways: an edit that inserts (the first words of) the
suggestion last shown at that place, the ``redline.accept`` command a client
runs after accepting, or, for code actions, the drafted text turning up in
the document after the workspace edit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redline.lsp.positions import paragraph_bounds
from redline.lsp.protocol import Edit

# An expected insertion (a code action's edit, an accept command) not seen
# in the document within this many seconds is forgotten.
EXPECT_SECONDS = 10.0
# How far from the expected place an expected insertion is looked for.
SEARCH_CHARS = 400


@dataclass
class Tracked:
    """A span of a document that holds text redline suggested."""

    uri: str
    start: int
    end: int
    original: str
    kind: str  # completion, rewrite, summarize, continue
    draft: Any = None  # the Draft a code action produced
    touched: float = field(default_factory=time.monotonic)


@dataclass
class Offer:
    """The completion last shown in a document: ``text`` at ``offset``."""

    offset: int
    text: str


@dataclass
class Expected:
    """Text redline expects to appear near ``offset`` (a code action's result)."""

    offset: int
    text: str
    kind: str
    draft: Any
    since: float = field(default_factory=time.monotonic)


class Tracker:
    """Tracked ranges per document; ``text_of(uri)`` gives a document's current text."""

    def __init__(
        self,
        text_of: Callable[[str], str | None],
        on_final: Callable[[Tracked, str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.text_of = text_of
        self.on_final = on_final
        self.clock = clock
        self.tracked: dict[str, list[Tracked]] = {}
        self.offers: dict[str, Offer] = {}
        self.expected: dict[str, list[Expected]] = {}

    # -- what redline showed or applied ---------------------------------------

    def offered(self, uri: str, offset: int, text: str) -> None:
        """A completion was shown at ``offset``."""
        self.offers[uri] = Offer(offset, text)

    def expect(self, uri: str, offset: int, text: str, kind: str, draft: Any = None) -> None:
        """``text`` should appear near ``offset`` (a workspace edit, an accepted item)."""
        if any(t.original == text for t in self.tracked.get(uri, ())):
            return  # already seen in an edit
        self.expected.setdefault(uri, []).append(Expected(offset, text, kind, draft))
        self._settle(uri)

    # -- what the user did ------------------------------------------------------

    def edited(self, edit: Edit) -> None:
        """Follow one change of a document (called before the next is applied)."""
        now = self.clock()
        delta = len(edit.text) - (edit.end - edit.start)
        for item in self.tracked.get(edit.uri, []):
            # Text typed right at the edge of a draft belongs to it ("TL;DR: " before a
            # summary); next to an accepted completion it is the user's own typing.
            edge = item.draft is not None and edit.start == edit.end
            if edit.end <= item.start and not (edge and edit.start == item.start):
                item.start += delta
                item.end += delta
            elif edit.start < item.end or (edge and edit.start == item.end):
                item.end = item.end + delta if edit.end <= item.end else edit.start + len(edit.text)
                item.start = min(item.start, edit.start)
            item.touched = now
        offer = self.offers.get(edit.uri)
        if offer is not None:
            self._match_offer(edit, offer)
        self._settle(edit.uri)
        self.moved_to(edit.uri, edit.start + len(edit.text))

    def _match_offer(self, edit: Edit, offer: Offer) -> None:
        inserted = edit.text
        if edit.start == edit.end == offer.offset:
            # Inline completion accepted, in full or its first words.
            if len(inserted.strip()) < 2 or not offer.text.startswith(inserted):
                self.offers.pop(edit.uri)
                return
            start = edit.start
        elif edit.end == offer.offset and inserted.endswith(offer.text):
            # A completion item replaced the word at the cursor with word + suggestion.
            inserted = offer.text
            start = edit.start + len(edit.text) - len(offer.text)
        else:  # typed over: the next request shows a new suggestion
            self.offers.pop(edit.uri)
            return
        self._accepted(edit.uri, start, inserted)
        rest = offer.text[len(inserted) :]
        if rest.strip():
            self.offers[edit.uri] = Offer(start + len(inserted), rest)
        else:
            self.offers.pop(edit.uri)

    def _accepted(self, uri: str, start: int, text: str, kind: str = "completion") -> None:
        items = self.tracked.setdefault(uri, [])
        for item in items:  # the next words of a suggestion accepted word by word
            if item.kind == kind and item.end == start and item.draft is None:
                item.end += len(text)
                item.original += text
                item.touched = self.clock()
                return
        items.append(Tracked(uri, start, start + len(text), text, kind, touched=self.clock()))
        self.expected[uri] = [e for e in self.expected.get(uri, []) if e.text != text]

    def _settle(self, uri: str) -> None:
        """Turn expected insertions that are now in the document into tracked ranges."""
        pending = self.expected.get(uri)
        if not pending:
            return
        source = self.text_of(uri) or ""
        now = self.clock()
        keep = []
        for item in pending:
            lo = max(0, item.offset - SEARCH_CHARS)
            found = source.find(item.text, lo, item.offset + len(item.text) + SEARCH_CHARS)
            if found >= 0:
                self.tracked.setdefault(uri, []).append(
                    Tracked(uri, found, found + len(item.text), item.text, item.kind, item.draft)
                )
            elif now - item.since < EXPECT_SECONDS:
                keep.append(item)
        self.expected[uri] = keep

    def moved_to(self, uri: str, offset: int) -> None:
        """The user works at ``offset``: ranges in other paragraphs are final."""
        source = self.text_of(uri)
        if source is None:
            return
        for item in list(self.tracked.get(uri, [])):
            start, end = paragraph_bounds(source, item.start, item.end)
            if not start <= offset <= end:
                self._finish(item, source)

    def finish(self, uri: str) -> None:
        """Every range in the document is final (saved, closed)."""
        source = self.text_of(uri)
        for item in list(self.tracked.get(uri, [])):
            self._finish(item, source or "")
        self.offers.pop(uri, None)

    def finish_all(self) -> None:
        """Every range is final (shutdown)."""
        for uri in list(self.tracked):
            self.finish(uri)

    def sweep(self, idle_seconds: float) -> None:
        """Ranges untouched for ``idle_seconds`` are final."""
        now = self.clock()
        for uri, items in list(self.tracked.items()):
            idle = [item for item in items if now - item.touched >= idle_seconds]
            source = self.text_of(uri) if idle else None
            for item in idle:
                self._finish(item, source or "")

    def _finish(self, item: Tracked, source: str) -> None:
        self.tracked[item.uri].remove(item)
        if not self.tracked[item.uri]:
            del self.tracked[item.uri]
        self.on_final(item, source[item.start : item.end])
