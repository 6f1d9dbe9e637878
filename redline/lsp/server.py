"""The redline language server: state and wiring; each feature's work lives in its own module."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from redline import __version__
from redline.config import Settings
from redline.errors import InputError, RedlineError
from redline.lsp import actions, framing, inline
from redline.lsp.engine import Engine
from redline.lsp.observing import Observer
from redline.lsp.progress import ProgressRelay, Report
from redline.lsp.protocol import Edit, RedlineProtocol
from redline.lsp.settings import MODEL_SETTINGS, LspSettings, merge_settings
from redline.lsp.stats import EVENT, Retention, event_payload
from redline.lsp.suggest import Suggester
from redline.lsp.tracking import Tracked, Tracker

STATS_REQUEST = "redline/stats"
STATS_COMMAND = "redline.stats"
# Seconds the server waits at shutdown for learning from the last edits.
SHUTDOWN_GRACE = 10.0


class RedlineServer(LanguageServer):
    """A pygls server holding the Engine (the Assistant), the tracker and the settings."""

    protocol: RedlineProtocol

    def __init__(self, settings: Settings) -> None:
        super().__init__("redline", __version__, protocol_cls=RedlineProtocol)
        self.options = LspSettings(learning=settings.learning)
        self.engine = Engine(settings)
        self.suggester = Suggester(self.engine, self._version_of, self.report)
        self.tracker = Tracker(self._text_of, self._on_final)
        self.observer = Observer(self.engine, self.report, self.log)
        self.retention = Retention()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._shown: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.protocol.on_edit = self._edited
        self.protocol.on_close = self._closed

    # -- documents ------------------------------------------------------------------

    def _edited(self, edit: Edit) -> None:
        self.tracker.edited(edit)
        self.suggester.edited(edit)

    def _closed(self, uri: str) -> None:
        self.tracker.finish(uri)
        self.suggester.closed(uri)

    def is_prose(self, document: TextDocument) -> bool:
        """Whether redline works in this document (its language is one of the settings')."""
        return document.language_id in self.options.languages

    def prose_document(self, uri: str) -> TextDocument:
        """The open prose document at ``uri``; redline reads no file the editor has not
        opened, and works in no document of another language (code holds secrets)."""
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            raise InputError(
                f"{uri} is not open in the editor; redline works in open documents only",
                "open the document, then run the action again",
            )
        if not self.is_prose(document):
            raise InputError(
                f"{uri} is a {document.language_id or 'plain'} document; redline works in"
                f" prose ({', '.join(self.options.languages)}) and read nothing of it",
                "add its language to the languages setting to use redline there",
            )
        return document

    def _text_of(self, uri: str) -> str | None:
        document = self.workspace.text_documents.get(uri)
        return document.source if document is not None else None

    def _version_of(self, uri: str) -> int | None:
        document = self.workspace.text_documents.get(uri)
        return document.version if document is not None else None

    # -- messages and progress -------------------------------------------------------

    def _soon(self, call: Callable[..., Any], *args: Any) -> None:
        """Run ``call`` on the event loop (pygls' writer is not thread-safe).

        On the loop's own thread it runs at once, so messages keep their order
        (an error reported while loading reaches the client before the progress ends).
        """
        if self.loop is None:
            return
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            call(*args)
        else:
            self.loop.call_soon_threadsafe(call, *args)

    def report(self, error: RedlineError, once: bool = True) -> None:
        """Show an error (by default once per distinct message); the server keeps serving."""
        if once and error.message in self._shown:
            return
        self._shown.add(error.message)
        params = types.ShowMessageParams(type=types.MessageType.Error, message=f"redline: {error}")
        self._soon(self.window_show_message, params)

    def log(self, message: str) -> None:
        """A line in the client's log (thread-safe)."""
        params = types.LogMessageParams(type=types.MessageType.Info, message=f"redline: {message}")
        self._soon(self.window_log_message, params)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A RedlineError is shown (once); any other goes to the log, never to a popup.

        A request's error is in its response already (pygls' default shows the others).
        """
        if isinstance(error, RedlineError):
            self.report(error)
        elif source is not FeatureRequestError:
            self.log(f"error in the server: {error}")

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio with redline's reader (:mod:`redline.lsp.framing`)."""
        framing.serve_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve on TCP with redline's reader (:mod:`redline.lsp.framing`)."""
        framing.serve_tcp(self, host, port)

    @contextlib.asynccontextmanager
    async def progress(self, title: str) -> AsyncIterator[Report]:
        """``$/progress`` around a block where the client shows it; yields a thread-safe report."""
        window = self.client_capabilities.window
        token = str(uuid.uuid4())
        created = False
        if window and window.work_done_progress:
            with contextlib.suppress(Exception):  # refused: the work goes on without it
                await self.work_done_progress.create_async(token)
                created = True
        if not created:
            yield lambda message, percent: None
            return
        self.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=title, percentage=0))

        def reporter(message: str, percent: int) -> None:
            value = types.WorkDoneProgressReport(message=message, percentage=percent)
            self._soon(self.work_done_progress.report, token, value)

        try:
            yield reporter
        finally:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))

    def spawn(self, coroutine: Any) -> None:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- models and settings -----------------------------------------------------------

    def load_models(self, **changes: Any) -> None:
        """(Re)load the Assistant now, in the background, with ``$/progress`` where shown.

        Called from a notification's handler, so the opening of the memory is
        queued before any request the client sends after it.
        """
        self._shown.clear()
        relay = ProgressRelay()
        future = self.engine.reload(relay, **changes) if changes else self.engine.load(relay)
        self.spawn(self._show_loading(future, relay))

    async def _show_loading(self, future: Future[None], relay: ProgressRelay) -> None:
        async with self.progress("redline: loading models") as reporter:
            relay.attach(reporter)
            try:
                await asyncio.wrap_future(future)
            except RedlineError as exc:
                self.report(exc)
        if self.engine.error is None:
            self.log(f"models loaded ({self.engine.settings.model or 'embedded model'})")

    def apply_settings(self, raw: Any, source: str) -> dict[str, Any]:
        """Take new settings; returns the engine settings that changed (the model's, learning)."""
        self.options, problems = merge_settings(self.options, raw, source)
        for problem in problems:
            self.report(problem)
        current = self.engine.settings
        changes: dict[str, Any] = {}
        for name in MODEL_SETTINGS:
            value = getattr(self.options, name)
            if value is not None and value != getattr(current, name):
                changes[name] = value
        if self.options.learning != current.learning:
            changes["learning"] = self.options.learning
        return changes

    async def sweep_forever(self) -> None:
        """Finish tracked ranges that have been idle for ``learn_idle_seconds``."""
        while True:
            await asyncio.sleep(min(1.0, self.options.learn_idle_seconds / 4))
            self.tracker.sweep(self.options.learn_idle_seconds)

    # -- learning from what the user kept ----------------------------------------------

    def _on_final(self, tracked: Tracked, final: str) -> None:
        self.retention.add(tracked.original, final)
        self.engine.background(self._learn_and_log, tracked, final, self.options.learning)

    def _learn_and_log(self, assistant: Any, tracked: Tracked, final: str, learning: bool) -> None:
        learned = False
        if learning and final.strip() and final != tracked.original:
            try:
                learned = self._learn(assistant, tracked, final)
            except RedlineError as exc:
                self.report(exc)
        if learned:
            self.retention.learned += 1
        payload = {**event_payload(tracked.kind, tracked.original, final), "learned": learned}
        assistant.store.log_event(EVENT, payload)

    def _learn(self, assistant: Any, tracked: Tracked, final: str) -> bool:
        draft = tracked.draft
        if draft is None or draft.id is None:  # an accepted completion, or a draft made while
            # learning was off: learned from as a draft of its own
            before = (self._text_of(tracked.uri) or "")[: tracked.start]
            draft = assistant.remember_suggestion(tracked.original, before)
        result = assistant.learn(draft, final)
        if result.preference:
            self.log(f"learned: {result.preference}")
        return bool(result.preference or result.rules)

    def stats(self) -> dict[str, Any]:
        """This session's retention, the ranges still followed, and how the last request ended."""
        return {
            **self.retention.as_dict(),
            "tracking": sum(len(items) for items in self.tracker.tracked.values()),
            "last_completion": self.suggester.last_outcome,
        }

    def shutdown(self) -> None:
        super().shutdown()
        self.engine.close()


def build_server(settings: Settings) -> RedlineServer:
    """The server with every feature registered."""
    server = RedlineServer(settings)

    @server.feature(types.INITIALIZE)
    def _initialize(params: types.InitializeParams) -> None:
        server.loop = asyncio.get_running_loop()
        changes = server.apply_settings(params.initialization_options, "initializationOptions")
        server.engine.settings = replace(server.engine.settings, **changes)

    @server.feature(types.INITIALIZED)
    def _initialized(params: types.InitializedParams) -> None:
        server.load_models()
        server.spawn(server.sweep_forever())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def _configuration(params: types.DidChangeConfigurationParams) -> None:
        changes = server.apply_settings(params.settings, "workspace/didChangeConfiguration")
        if changes:
            server.load_models(**changes)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def _opened(params: types.DidOpenTextDocumentParams) -> None:
        document = server.workspace.get_text_document(params.text_document.uri)
        if server.is_prose(document) and server.options.learning:
            server.observer.observe(document.uri, document.source)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def _saved(params: types.DidSaveTextDocumentParams) -> None:
        document = server.workspace.get_text_document(params.text_document.uri)
        server.tracker.finish(document.uri)
        if server.is_prose(document) and server.options.learning:
            server.observer.observe(document.uri, document.source)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def _inline(params: types.InlineCompletionParams) -> Any:
        return await inline.inline_completion(server, params)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" "])
    )
    async def _completion(params: types.CompletionParams) -> Any:
        return await inline.completion(server, params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.RefactorRewrite]),
    )
    def _code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        return actions.code_actions(server, params)

    for action in actions.ACTIONS:
        server.command(action.command)(_action_command(server, action))

    @server.command(inline.ACCEPT_COMMAND)
    def _accepted(uri: str, offset: int, text: str) -> None:
        server.tracker.expect(uri, offset, text, "completion")

    @server.command(STATS_COMMAND)
    def _stats_command() -> dict[str, Any]:
        stats = server.stats()
        share = stats["retention"]
        kept = "n/a" if share is None else f"{share:.0%}"
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"redline: {stats['accepted']} accepted, {kept} of their characters kept",
            )
        )
        return stats

    @server.feature(STATS_REQUEST)
    def _stats_request(params: Any) -> dict[str, Any]:
        return server.stats()

    @server.feature(types.SHUTDOWN)
    async def _shutdown(params: Any) -> None:
        server.tracker.finish_all()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(server.engine.drain, SHUTDOWN_GRACE)

    return server


def _action_command(server: RedlineServer, action: actions.Action) -> Callable[..., Any]:
    async def run(uri: str, selection: types.Range) -> dict[str, Any] | None:
        try:
            return await actions.run_action(server, action, uri, selection)
        except RedlineError as exc:
            server.report(exc, once=False)
            return None

    return run


def serve(settings: Settings, tcp: tuple[str, int] | None = None) -> None:
    """Serve on stdio, or on ``tcp`` (host, port)."""
    server = build_server(settings)
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
