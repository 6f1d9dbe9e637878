"""pygls' protocol with the changes redline needs.

- A request whose params do not parse is answered with InvalidParams (pygls
  would log it and send no reply, so the client would wait forever).
- The position encoding is UTF-8 where the client offers it, else UTF-16.
- Each document change is reported as an edit in code point offsets, measured
  on the text before the change, so tracked ranges can follow it; a closing
  document is reported while its text is still there.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument

from redline.lsp.positions import offset_at, preferred_encoding


@dataclass(frozen=True)
class Edit:
    """One change to a document: ``text`` replaced ``start``..``end`` of the old text."""

    uri: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Unparsable:
    """A request whose params could not be read: answered with InvalidParams."""

    id: Any
    method: str
    error: str
    jsonrpc: str = "2.0"


def edit_of(document: TextDocument, change: types.TextDocumentContentChangeEvent) -> Edit:
    """The change as an offset edit of the document's current (old) text."""
    old = document.source
    if isinstance(change, types.TextDocumentContentChangePartial):
        start = offset_at(document, change.range.start)
        end = max(start, offset_at(document, change.range.end))
        return Edit(document.uri, start, end, change.text)
    new = change.text  # the whole document: reduce it to the span that differs
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    tail = 0
    while tail < limit - start and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return Edit(document.uri, start, len(old) - tail, new[start : len(new) - tail])


class RedlineProtocol(LanguageServerProtocol):
    """The language server protocol as redline speaks it."""

    on_edit: Callable[[Edit], None] | None = None
    on_close: Callable[[str], None] | None = None  # called while the document is still open

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" in data and isinstance(data.get("method"), str):
                return _Unparsable(data["id"], data["method"], str(exc.__cause__ or exc))
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Unparsable):
            error = JsonRpcInvalidParams(f"invalid params for {message.method}: {message.error}")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, Any]:
        encoding = preferred_encoding(params.capabilities)
        general = params.capabilities.general or types.GeneralClientCapabilities()
        params.capabilities.general = attrs.evolve(general, position_encodings=[encoding])
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        document = self.workspace.get_text_document(params.text_document.uri)
        for change in params.content_changes:
            edit = edit_of(document, change)
            self.workspace.update_text_document(params.text_document, change)
            if self.on_edit is not None:
                self.on_edit(edit)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if self.on_close is not None:
            self.on_close(params.text_document.uri)
        yield from super().lsp_text_document__did_close(params)
