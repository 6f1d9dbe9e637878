"""One suggestion per cursor: the newest request for a document wins, stale answers are dropped.

A new request for a document stops the generation still running for the
previous one (between two tokens) and that request is answered with nothing.
A ``$/cancelRequest`` does the same for its own request. An answer computed
for a document version that has changed since is dropped: the edit that
changed it brings a request of its own.

Until the models are loaded, a completion is answered from the cache and the
user's phrases alone, at once: the first suggestion does not wait for them.

Each document's last edit tells the agent how the newest text arrived: a
single key is typing (an editor that asks only when the user pauses still
sends every key), a longer insertion may be part of a suggestion accepted.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from redline.errors import RedlineError
from redline.lsp.engine import Engine
from redline.lsp.positions import Cursor
from redline.lsp.protocol import Edit
from redline.predictors.base import Cancellation


class Suggester:
    """Runs completions for the server: ``version_of(uri)`` is a document's current version."""

    def __init__(
        self,
        engine: Engine,
        version_of: Callable[[str], int | None],
        on_error: Callable[[RedlineError], None],
    ) -> None:
        self.engine = engine
        self.version_of = version_of
        self.on_error = on_error
        self._running: dict[str, Cancellation] = {}
        self._keyed: dict[str, bool] = {}  # by uri: whether its last edit was a single key
        # What the last answered request did: "cache", "phrases", "model", "none",
        # "superseded", "stale", "cancelled" or "error".
        self.last_outcome = "none"

    def edited(self, edit: Edit) -> None:
        """Note how the newest text of a document arrived."""
        self._keyed[edit.uri] = len(edit.text) <= 1

    def closed(self, uri: str) -> None:
        """Forget a closed document."""
        self._keyed.pop(uri, None)

    async def suggest(self, cursor: Cursor, max_tokens: int | None) -> str:
        """The text to insert at the cursor, or "" (superseded, stale, nothing useful)."""
        if (previous := self._running.get(cursor.uri)) is not None:
            previous.cancel()
        cancel = Cancellation()
        self._running[cursor.uri] = cancel
        try:
            keyed = self._keyed.get(cursor.uri, False)
            detail = await self.engine.request(
                _complete, cursor, max_tokens, keyed, cancel, self.engine.loaded, models=False
            )
        except asyncio.CancelledError:
            cancel.cancel()
            self.last_outcome = "cancelled"
            raise
        except RedlineError as exc:
            self.last_outcome = "error"
            self.on_error(exc)
            return ""
        finally:
            if self._running.get(cursor.uri) is cancel:
                del self._running[cursor.uri]
        if cancel.cancelled:
            self.last_outcome = "superseded"
            return ""
        if self.version_of(cursor.uri) != cursor.version:
            self.last_outcome = "stale"
            return ""
        self.last_outcome = detail["source"]
        return detail["suggestion"]


def _complete(
    assistant: Any,
    cursor: Cursor,
    max_tokens: int | None,
    keyed: bool,
    cancel: Cancellation,
    loaded: threading.Event,
) -> dict[str, Any]:
    if cancel.cancelled:  # superseded while it waited for its turn
        return {"suggestion": "", "source": "none"}
    return assistant.complete_detail(
        cursor.prefix,
        cursor.suffix,
        uri=cursor.uri,
        max_tokens=max_tokens,
        cancel=cancel,
        typed_by_hand=keyed,
        phrases_only=not loaded.is_set(),  # the models still load: the user's phrases answer
    )
