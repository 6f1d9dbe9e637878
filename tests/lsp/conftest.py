"""The real `redline lsp` process driven by pytest-lsp's client, over a memory of the sample."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, make_test_lsp_client

from redline.memory.store import Store
from redline.memory.writing import WritingMemory
from tests.conftest import sample_texts

LOAD_TIMEOUT = 240.0


@pytest.fixture(scope="session")
def memory_template(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir that has observed the bundled sample (copied for each server)."""
    path = tmp_path_factory.mktemp("lsp-memory")
    store = Store(path)
    writing = WritingMemory(store, embedder)
    for text in sample_texts():
        writing.observe(text)
    store.close()
    return path


def fresh_memory(template: Path, tmp_path: Path) -> Path:
    """A copy of the template memory for one server."""
    target = tmp_path / "data"
    shutil.copytree(template, target)
    return target


def capabilities(encodings: list[str] | None = None) -> types.ClientCapabilities:
    """A client with inline completion, completion, progress and (optionally) encodings."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings),
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(apply_edit=True),
        text_document=types.TextDocumentClientCapabilities(
            inline_completion=types.InlineCompletionClientCapabilities(),
            completion=types.CompletionClientCapabilities(),
            code_action=types.CodeActionClientCapabilities(),
        ),
    )


async def start_server(
    data_dir: Path,
    encodings: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[LanguageClient, types.InitializeResult]:
    """Spawn `redline --data-dir DATA lsp` and initialize it."""
    client = make_test_lsp_client()
    client.applied_edits = []  # type: ignore[attr-defined]

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params.edit)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    env = {**os.environ, "REDLINE_DATA_DIR": str(data_dir)}
    await client.start_io(sys.executable, "-m", "redline", "lsp", env=env)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(encodings),
            initialization_options=options,
        )
    )
    return client, result


async def wait_loaded(client: LanguageClient) -> None:
    """Wait for the end of the model-loading progress."""
    deadline = asyncio.get_running_loop().time() + LOAD_TIMEOUT
    while asyncio.get_running_loop().time() < deadline:
        for reports in client.progress_reports.values():
            if any(isinstance(r, types.WorkDoneProgressEnd) for r in reports):
                return
        await asyncio.sleep(0.05)
    raise TimeoutError("the models did not load")


async def stop_server(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


def open_doc(
    client: LanguageClient, uri: str, text: str, language: str = "markdown", version: int = 1
) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=version, text=text
            )
        )
    )


def insert(
    client: LanguageClient, uri: str, version: int, line: int, character: int, text: str
) -> None:
    """Type ``text`` at a position (an incremental change)."""
    at = types.Position(line=line, character=character)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=at, end=at), text=text
                )
            ],
        )
    )


async def inline_at(client: LanguageClient, uri: str, line: int, character: int) -> list[Any]:
    """The inline completion items at a position."""
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Automatic
            ),
        )
    )
    assert result is not None
    items = result.items if isinstance(result, types.InlineCompletionList) else result
    return list(items)


async def stats(client: LanguageClient) -> dict[str, Any]:
    """The server's `redline/stats` answer."""
    result = await client.protocol.send_request_async("redline/stats", {})
    return result._asdict()  # pygls' client reads unknown objects as named tuples
