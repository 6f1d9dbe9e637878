"""Code actions round trip: offered on a selection, drafted, applied, edited, learned from."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import LanguageClient

from redline.assistant import Assistant
from tests.lsp.conftest import fresh_memory, open_doc, start_server, stats, stop_server, wait_loaded

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(
        not hasattr(Assistant, "draft"), reason="needs Assistant.draft and learn (issue 4)"
    ),
]

URI = "file:///notes/report.md"
PARAGRAPH = (
    "The spectrometer lamp failed again on Monday, so the calibration runs moved to "
    "Wednesday. Mei replaced the lamp and checked the alignment; the first runs look "
    "clean and the backlog should be cleared by Friday."
)
TEXT = "Hi all,\n\n" + PARAGRAPH + "\n"
SELECTION = types.Range(
    start=types.Position(line=2, character=0),
    end=types.Position(line=2, character=len(PARAGRAPH)),
)


@pytest.fixture(scope="module")
def data(memory_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_memory(memory_template, tmp_path_factory.mktemp("actions"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(data: Path) -> AsyncIterator[LanguageClient]:
    client, _ = await start_server(data)
    await wait_loaded(client)
    yield client
    await stop_server(client)


async def test_three_actions_are_offered_on_a_selection(client: LanguageClient) -> None:
    open_doc(client, URI, TEXT)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=SELECTION,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [action.title for action in actions]
    assert titles == ["Rewrite with my preferences", "Summarize", "Continue this paragraph"]
    empty = types.Range(start=SELECTION.start, end=SELECTION.start)
    none = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=empty,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not none


async def test_summarize_applies_a_tracked_draft_and_learns_from_its_edit(
    client: LanguageClient, data: Path
) -> None:
    selection = {
        "start": {"line": 2, "character": 0},
        "end": {"line": 2, "character": len(PARAGRAPH)},
    }
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.summarize", arguments=[URI, selection])
    )
    (edit,) = client.applied_edits  # type: ignore[attr-defined]
    (text_edit,) = edit.changes[URI]
    assert text_edit.range.start == SELECTION.end  # the summary follows the selection
    assert text_edit.new_text.startswith("\n\n") and text_edit.new_text.strip()
    assert result["applied"]
    # The editor applies the edit and reports it, as an editor does.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=text_edit.range, text=text_edit.new_text
                )
            ],
        )
    )
    assert (await stats(client))["tracking"] == 1
    # The user puts "TL;DR: " in front of the summary, then saves.
    summary_line = 4
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=summary_line, character=0),
                        end=types.Position(line=summary_line, character=0),
                    ),
                    text="TL;DR: ",
                )
            ],
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    summary = await stats(client)
    assert summary["accepted"] == 1 and summary["edited"] == 1
    assert summary["retention"] == 1.0  # every drafted character is still there

    def kept() -> list[dict]:
        with sqlite3.connect(data / "redline.sqlite3") as conn:
            rows = conn.execute("SELECT payload FROM events WHERE kind = 'lsp.kept'").fetchall()
        return [json.loads(row[0]) for row in rows]

    def logged() -> bool:
        return any("TL;DR" in m.message for m in client.log_messages)

    for _ in range(600):  # the event is read from disk, the log line comes through the pipe
        if kept() and logged():
            break
        await asyncio.sleep(0.2)
    (event,) = kept()
    assert event["kind"] == "summarize" and event["learned"]
    assert logged()


async def test_the_next_summary_follows_what_was_learned(client: LanguageClient) -> None:
    selection = {
        "start": {"line": 2, "character": 0},
        "end": {"line": 2, "character": len(PARAGRAPH)},
    }
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.summarize", arguments=[URI, selection])
    )
    (text_edit,) = client.applied_edits[-1].changes[URI]  # type: ignore[attr-defined]
    assert text_edit.new_text.startswith("\n\nTL;DR:")


async def test_rewrite_replaces_the_selection(client: LanguageClient) -> None:
    selection = {
        "start": {"line": 2, "character": 0},
        "end": {"line": 2, "character": len(PARAGRAPH)},
    }
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="redline.rewrite", arguments=[URI, selection])
    )
    (text_edit,) = client.applied_edits[-1].changes[URI]  # type: ignore[attr-defined]
    assert text_edit.range == SELECTION
    assert text_edit.new_text == result["text"] and result["text"].strip()
