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


SECRET = "sk-live-7f3a9c2e51d04b8c"  # an API key in a program


def nothing_of(secret: str, data: Path) -> None:
    """No table of the database holds ``secret``, nor do its files' bytes."""
    with sqlite3.connect(data / "redline.sqlite3") as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            assert secret not in repr(rows), table
    for path in data.iterdir():
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path.name


async def test_actions_refuse_code_and_files_the_editor_has_not_opened(
    client: LanguageClient, data: Path, tmp_path: Path
) -> None:
    code = tmp_path / "settings.py"
    code.write_text(f'API_KEY = "{SECRET}"\nTIMEOUT = 30\n', encoding="utf-8")
    unopened = tmp_path / "notes.md"
    unopened.write_text(f"Our key is {SECRET}, keep it safe.\n", encoding="utf-8")
    open_doc(client, code.as_uri(), code.read_text(encoding="utf-8"), language="python")
    whole_line = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 30}}
    offered = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=code.as_uri()),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 30)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not offered
    edits_before = len(client.applied_edits)  # type: ignore[attr-defined]
    for uri in (code.as_uri(), unopened.as_uri()):
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="redline.summarize", arguments=[uri, whole_line])
        )
        assert result is None
    assert len(client.applied_edits) == edits_before  # type: ignore[attr-defined]
    said = " ".join(m.message for m in client.messages)
    assert "is a python document" in said and "is not open in the editor" in said
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(code.as_uri()))
    )
    await stats(client)  # a round trip: the save was handled
    await asyncio.sleep(3)  # past the quiet time after which observing would run
    nothing_of(SECRET, data)
