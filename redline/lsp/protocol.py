"""pygls' protocol with the changes redline needs.

- Every request is answered (pygls answers none it cannot read, and logs a traceback):
  a body that is not JSON gets a Parse error with id null, JSON that is no JSON-RPC 2.0
  message an Invalid Request (with its id where that is a string or an integer, else
  null, so an id such as 1e400 or NaN is never echoed), a request whose params do not
  parse Invalid Params (pygls is strict about types, openlawlibrary/pygls#326), a
  request after ``shutdown`` Invalid Request. Each such problem goes to the client's log
  in one line, never to a popup or a traceback (as pygls prints for a command's wrong
  arguments, openlawlibrary/pygls#548). :mod:`redline.lsp.framing` reads the frames
  and hands their bodies to :meth:`RedlineProtocol.receive`.
- A change to a document that is not open is ignored (pygls would read it from disk).
- The position encoding is UTF-8 where the client offers it, else UTF-16; documents
  are :class:`redline.lsp.text.IndexedDocument`, fast at any size.
- Each document change is reported as an edit in code point offsets, measured
  on the text before the change, so tracked ranges can follow it; a closing
  document is reported while its text is still there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    RPCRequest,
)
from pygls.workspace import TextDocument

from redline.lsp.framing import Unreadable
from redline.lsp.positions import offset_at, preferred_encoding
from redline.lsp.text import IndexedWorkspace, common_prefix

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Edit:
    """One change to a document: ``text`` replaced ``start``..``end`` of the old text."""

    uri: str
    start: int
    end: int
    text: str


def is_id(value: Any) -> bool:
    """Whether ``value`` is an id LSP allows: a string or an integer (not null, a fraction,
    a boolean, an array or an object)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def message_problem(value: Any) -> str | None:
    """Why ``value`` is no JSON-RPC 2.0 message, or None when it is one."""
    if not isinstance(value, dict):
        return "a message is a JSON object"
    if "id" in value and not is_id(value["id"]):
        return "an id is a string or an integer"
    if value.get("jsonrpc") != "2.0":
        return 'a message has "jsonrpc": "2.0"'
    if "method" in value:
        return None if isinstance(value["method"], str) else "a method is a string"
    if "id" in value and ("result" in value) != ("error" in value):
        return None  # a response to one of the server's requests
    return "it is no request, notification or response"


def edit_of(document: TextDocument, change: types.TextDocumentContentChangeEvent) -> Edit:
    """The change as an offset edit of the document's current (old) text."""
    old = document.source
    if isinstance(change, types.TextDocumentContentChangePartial):
        start = offset_at(document, change.range.start)
        end = max(start, offset_at(document, change.range.end))
        return Edit(document.uri, start, end, change.text)
    new = change.text  # the whole document: reduce it to the span that differs
    start = common_prefix(old, new)
    tail = common_prefix(old[start:][::-1], new[start:][::-1])
    return Edit(document.uri, start, len(old) - tail, new[start : len(new) - tail])


class RedlineProtocol(LanguageServerProtocol):
    """The language server protocol as redline speaks it."""

    on_edit: Callable[[Edit], None] | None = None
    on_close: Callable[[str], None] | None = None  # called while the document is still open

    def receive(self, value: Any) -> None:
        """Handle one frame's body: a JSON value, or :class:`Unreadable`."""
        if isinstance(value, Unreadable):
            self._refuse(None, JsonRpcParseError(f"Parse error: {value.reason}"))
            return
        if (problem := message_problem(value)) is not None:
            id = value.get("id") if isinstance(value, dict) else None
            error = JsonRpcInvalidRequest(f"Invalid Request: {problem}")
            self._refuse(id if is_id(id) else None, error)
            return
        try:
            message = self.structure_message(value)
        except Exception as exc:  # cattrs' errors, and whatever a hook raises on odd input
            reason = "; ".join(cattrs.transform_error(exc))
            if "method" not in value:
                self.log_protocol_error(f"a response that does not parse: {reason}")
            elif "id" not in value:
                self.log_protocol_error(f"invalid params for {value['method']}: {reason}")
            else:
                error = JsonRpcInvalidParams(f"invalid params for {value['method']}: {reason}")
                self._refuse(value["id"], error)
            return
        self.handle_message(message)

    def structure_message(self, data: dict[str, Any]) -> Any:
        """A checked message as its lsprotocol type; raises what cattrs raises.

        pygls' own logs a traceback for each message it cannot structure, and reads a
        request or notification without params (which JSON-RPC allows) as invalid.
        """
        if "method" in data:
            generic = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
            kind = self.get_message_type(data["method"]) or generic
            if kind is generic:
                data = {"params": None, **data}
        elif "error" in data:
            kind = types.ResponseErrorMessage
        else:
            kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
        return self._converter.structure(data, kind)

    def handle_message(self, message: Any) -> None:
        if self._shutdown and isinstance(message, RPCRequest) and message.method != types.EXIT:
            self._refuse(message.id, JsonRpcInvalidRequest(f"{message.method} after shutdown"))
            return
        super().handle_message(message)

    def _send_handler_result(self, future: Future[Any], *, msg_id: Any) -> None:
        """A request's JsonRpcException (invalid params, as for an unknown command) is
        answered and logged in a line; pygls logs it with a traceback."""
        if not future.cancelled() and isinstance(error := future.exception(), JsonRpcException):
            self._request_futures.pop(msg_id, None)
            self._refuse(msg_id, error)
            return
        super()._send_handler_result(future, msg_id=msg_id)

    def _refuse(self, id: Any, error: JsonRpcException) -> None:
        """Answer with ``error`` (a dict, so an id null is sent, not left out) and log it."""
        self.log_protocol_error(error.message)
        self._send_data(
            {"jsonrpc": "2.0", "id": id, "error": {"code": error.code, "message": error.message}}
        )

    def log_protocol_error(self, message: str) -> None:
        """A protocol problem: a line in the client's log (and on stderr), never a popup."""
        logger.warning("redline: %s", message)
        line = types.LogMessageParams(type=types.MessageType.Warning, message=f"redline: {message}")
        self.notify(types.WINDOW_LOG_MESSAGE, line)

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, Any]:
        encoding = preferred_encoding(params.capabilities)
        general = params.capabilities.general or types.GeneralClientCapabilities()
        params.capabilities.general = attrs.evolve(general, position_encodings=[encoding])
        result = yield from super().lsp_initialize(params)
        plain = self.workspace  # pygls' own, before any document is open: documents made fast
        self._workspace = IndexedWorkspace(
            plain.root_uri,
            self._server._text_document_sync_kind,
            list(plain.folders.values()),
            plain.position_encoding,
        )
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        uri = params.text_document.uri
        if unquote(uri) not in self.workspace.text_documents:  # pygls would read it from disk
            self.log_protocol_error(f"a change to {uri}, which is not open, was ignored")
            return
        document = self.workspace.get_text_document(uri)
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
