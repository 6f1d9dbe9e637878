"""The user's own writing: prose documents are observed when opened and saved.

Observing runs in the background once requests are quiet. A text already
observed in this session is not queued again (the memory itself also stores
each text once); of several saves queued for a document only the newest runs.
A document longer than the memory takes at a time is left out, with a line in
the log: the user only opened it, an error would be noise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from redline.errors import RedlineError
from redline.lsp.engine import Engine
from redline.memory.passages import MAX_SAMPLE_CHARS


class Observer:
    """Queues documents for ``Assistant.observe_writing``."""

    def __init__(
        self,
        engine: Engine,
        on_error: Callable[[RedlineError], None],
        log: Callable[[str], None],
    ) -> None:
        self.engine = engine
        self.on_error = on_error
        self.log = log
        self._seen: set[str] = set()
        self._latest: dict[str, str] = {}  # uri -> hash of the newest queued text

    def observe(self, uri: str, text: str) -> None:
        """Queue ``text`` (the whole document) to be observed."""
        if len(text) > MAX_SAMPLE_CHARS:
            self.log(
                f"{uri} has {len(text):,} characters, more than the {MAX_SAMPLE_CHARS:,}"
                " redline observes at a time: not observed"
            )
            return
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if not text.strip() or digest in self._seen:
            return
        self._seen.add(digest)
        self._latest[uri] = digest
        self.engine.background(self._observe, uri, text, digest)

    def _observe(self, assistant: Any, uri: str, text: str, digest: str) -> None:
        if self._latest.get(uri) != digest:
            return  # a newer save of the same document is queued
        try:
            assistant.observe_writing(text, uri=uri)
        except RedlineError as exc:
            self.on_error(exc)
