"""A model that cannot load is reported with window/showMessage; the server keeps serving."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp.conftest import (
    fresh_memory,
    inline_at,
    open_doc,
    start_server,
    stop_server,
    wait_loaded,
)


async def test_a_missing_model_is_reported_and_a_new_setting_recovers(
    memory_template: Path, tmp_path: Path
) -> None:
    data = fresh_memory(memory_template, tmp_path)
    options = {"redline": {"model": "/nowhere/model.gguf"}}
    client, _ = await start_server(data, options=options)
    try:
        await wait_loaded(client)
        assert any("/nowhere/model.gguf" in m.message for m in client.messages)
        uri = "file:///notes/errors.md"
        open_doc(client, uri, "The quarterly report on the new building says that")
        assert await inline_at(client, uri, 0, 50) == []  # answered, with nothing
        client.progress_reports.clear()
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"redline": {"model": ""}})
        )
        await wait_loaded(client)
        open_doc(client, "file:///notes/recovered.md", "Shout if I")
        items = await inline_at(client, "file:///notes/recovered.md", 0, 10)
        assert items and items[0].insert_text.startswith(" missed anything.")
    finally:
        await stop_server(client)
