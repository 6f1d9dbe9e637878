"""A language server session whose model is a model server, set by the editor's
initializationOptions (model, apiBase): inline completion continues the text, a code
action drafts through the chat endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import inline_at, open_doc, start_server, stats, stop_server, wait_loaded
from tests.remote.conftest import ModelServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

URI = "file:///notes/update.md"
LINE = "Hi all, quick update on the"
PARAGRAPH = (
    "The spectrometer lamp failed again on Monday, so the calibration runs moved to "
    "Wednesday. Mei replaced the lamp and checked the alignment."
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(
    model_server: ModelServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LanguageClient]:
    data: Path = tmp_path_factory.mktemp("remote-lsp")
    options = {"redline": {"model": model_server.model, "apiBase": model_server.api_base}}
    client, _ = await start_server(data, options=options)
    await wait_loaded(client)
    yield client
    await stop_server(client)


async def test_inline_completion_continues_the_line(
    client: LanguageClient, model_server: ModelServer
) -> None:
    before = model_server.requests("/v1/completions")
    open_doc(client, URI, LINE + "\n\n" + PARAGRAPH + "\n")
    items = await inline_at(client, URI, 0, len(LINE))
    assert len(items) == 1
    text = items[0].insert_text
    assert text.startswith(" ") and text[1].islower(), text
    assert (await stats(client))["last_completion"] == "model"
    assert model_server.requests("/v1/completions") > before


async def test_a_summary_is_drafted_by_the_server(
    client: LanguageClient, model_server: ModelServer
) -> None:
    before = model_server.requests("/v1/chat/completions")
    selection = {"start": {"line": 2, "character": 0},
                 "end": {"line": 2, "character": len(PARAGRAPH)}}  # fmt: skip
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.summarize", arguments=[URI, selection])
    )
    assert result["applied"]
    (edit,) = client.applied_edits  # type: ignore[attr-defined]
    assert edit.changes[URI][0].new_text.strip()
    assert model_server.requests("/v1/chat/completions") == before + 1
