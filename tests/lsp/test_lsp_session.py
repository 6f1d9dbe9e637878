"""A whole editing session: settings, UTF-8 positions, observing, what the user kept, exit.

One server for the module; the tests run in order, as a user's session does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import (
    fresh_memory,
    inline_at,
    insert,
    open_doc,
    start_server,
    stats,
    stop_server,
    wait_loaded,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

OPTIONS = {"redline": {"languages": ["markdown"], "learnIdleSeconds": 30, "bogus": 1}}


@pytest.fixture(scope="module")
def data(memory_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_memory(memory_template, tmp_path_factory.mktemp("session"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(data: Path) -> AsyncIterator[LanguageClient]:
    client, result = await start_server(data, encodings=["utf-16", "utf-8"], options=OPTIONS)
    client.init_result = result  # type: ignore[attr-defined]
    client.loaded_at_init = any(  # type: ignore[attr-defined]
        isinstance(r, types.WorkDoneProgressEnd)
        for reports in client.progress_reports.values()
        for r in reports
    )
    await wait_loaded(client)
    yield client
    await stop_server(client)


def query(data: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data / "redline.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def until(condition: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_initialize_answers_before_the_models_load(client: LanguageClient) -> None:
    assert not client.loaded_at_init  # type: ignore[attr-defined]
    begins = [
        r
        for reports in client.progress_reports.values()
        for r in reports
        if isinstance(r, types.WorkDoneProgressBegin)
    ]
    assert begins and "loading models" in begins[0].title


async def test_utf8_is_negotiated_when_offered(client: LanguageClient) -> None:
    capabilities = client.init_result.capabilities  # type: ignore[attr-defined]
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf8
    uri = "file:///notes/utf8.md"
    open_doc(client, uri, "😀 漢字 Shout if I later")
    cursor = len("😀 漢字 Shout if I".encode())
    items = await inline_at(client, uri, 0, cursor)
    assert items[0].insert_text.startswith(" missed anything.")
    assert items[0].range.start.character == cursor


async def test_an_unknown_setting_is_reported_and_the_server_keeps_serving(
    client: LanguageClient,
) -> None:
    assert any("bogus" in m.message for m in client.messages)


async def test_languages_come_from_the_settings(client: LanguageClient) -> None:
    uri = "file:///notes/plain.txt"
    open_doc(client, uri, "Shout if I", language="plaintext")
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=0, character=10),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Invoked
        ),
    )
    assert await client.text_document_inline_completion_async(params) is None
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"redline": {"languages": ["markdown", "plaintext"]}}
        )
    )
    items = await inline_at(client, uri, 0, 10)
    assert items[0].insert_text.startswith(" missed anything.")


async def test_an_edited_accepted_suggestion_counts_what_was_kept_and_teaches(
    client: LanguageClient, data: Path
) -> None:
    uri = "file:///notes/kept.md"
    open_doc(client, uri, "Shout if I")
    suggestion = (await inline_at(client, uri, 0, 10))[0].insert_text.split("\n")[0]
    assert suggestion == " missed anything."
    insert(client, uri, 2, 0, 10, suggestion)  # accepted: the editor inserts it
    assert (await stats(client))["tracking"] == 1
    client.text_document_did_change(  # the user rewrites "anything" as "everything"
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=18),
                        end=types.Position(line=0, character=26),
                    ),
                    text="everything",
                )
            ],
        )
    )
    insert(client, uri, 4, 0, 29, "\n\nNext paragraph")  # and moves on
    result = await stats(client)
    assert result["tracking"] == 0
    assert result["accepted"] == 1 and result["edited"] == 1
    assert result["suggested_chars"] == len(suggestion)
    # " missed anything." -> " missed everything.": all but "an" of "anything" kept.
    assert result["retained_chars"] == len(suggestion) - 2
    learned = 'Write "everything" instead of "anything".'
    await until(lambda: query(data, "SELECT text FROM preferences") == [(learned,)])


async def test_the_accept_command_tracks_an_insertion_the_server_did_not_see_as_such(
    client: LanguageClient,
) -> None:
    uri = "file:///notes/command.md"
    open_doc(client, uri, "Shout if I")
    suggestion = (await inline_at(client, uri, 0, 10))[0].insert_text
    # Some editors send the accepted text together with more typing.
    insert(client, uri, 2, 0, 10, suggestion + " Thanks")
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.accept", arguments=[uri, 10, suggestion])
    )
    assert (await stats(client))["tracking"] == 1
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    result = await stats(client)
    assert result["tracking"] == 0 and result["accepted"] == 2
    assert result["retained_chars"] == result["suggested_chars"] - 2  # nothing more lost


async def test_opened_prose_is_observed_in_the_background(
    client: LanguageClient, data: Path
) -> None:
    uri = "file:///notes/own-writing.md"
    open_doc(client, uri, "The centrifuge in room 4 is booked for Thursday mornings only.")
    await until(lambda: query(data, f"SELECT count(*) FROM samples WHERE uri = '{uri}'")[0][0])
    await until(lambda: len(query(data, "SELECT * FROM events WHERE kind = 'lsp.kept'")) == 2)


async def test_shutdown_and_exit(client: LanguageClient, data: Path) -> None:
    kept = (await stats(client))["retention"]
    await client.shutdown_session()
    assert client._server is not None and client._server.returncode == 0
    client.capabilities = None  # the fixture's own shutdown is done already
    shown = subprocess.run(
        [sys.executable, "-m", "redline", "--data-dir", str(data), "lsp", "stats"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "completion" in shown.stdout and f"{kept:.0%}" in shown.stdout
