"""Inline completion and its fallback through a real client: one server for the module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.exceptions import JsonRpcException
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

# Not in the sample, so the model (not the user's phrases) writes the continuation.
# The sample's own phrase after "Shout if I".
PHRASE = " missed anything."
MODEL_PREFIX = "The quarterly report on the new building project says that"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(
    memory_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LanguageClient]:
    data = fresh_memory(memory_template, tmp_path_factory.mktemp("completion"))
    client, result = await start_server(data)
    client.init_result = result  # type: ignore[attr-defined]
    await wait_loaded(client)
    yield client
    await stop_server(client)


async def test_capabilities_advertise_inline_completion_and_fallback(
    client: LanguageClient,
) -> None:
    capabilities = client.init_result.capabilities  # type: ignore[attr-defined]
    assert capabilities.inline_completion_provider is not None
    assert capabilities.completion_provider is not None
    assert capabilities.code_action_provider is not None
    assert capabilities.position_encoding == types.PositionEncodingKind.Utf16


async def test_inline_completion_continues_with_the_users_phrase(client: LanguageClient) -> None:
    uri = "file:///notes/inline.md"
    open_doc(client, uri, "Thanks all.\n\nShout if I")
    items = await inline_at(client, uri, 2, 10)
    assert len(items) == 1 and items[0].insert_text.startswith(PHRASE)
    item = items[0]
    assert item.range.start == types.Position(line=2, character=10)
    assert item.command is not None and item.command.command == "redline.accept"


async def test_typing_the_suggestion_is_served_from_the_cache(client: LanguageClient) -> None:
    uri = "file:///notes/cache.md"
    open_doc(client, uri, "Shout if I")
    shown = (await inline_at(client, uri, 0, 10))[0].insert_text
    insert(client, uri, 2, 0, 10, " m")
    items = await inline_at(client, uri, 0, 12)
    assert [item.insert_text for item in items] == [shown[2:]]
    assert (await stats(client))["last_completion"] == "cache"


async def test_words_typed_key_by_key_keep_the_suggestion(client: LanguageClient) -> None:
    uri = "file:///notes/keys.md"
    open_doc(client, uri, "Shout if I")
    shown = (await inline_at(client, uri, 0, 10))[0].insert_text
    word = shown[: shown.index(" ", 1) + 1]  # " missed ", as an editor that waits for a pause
    for i, key in enumerate(word):
        insert(client, uri, 2 + i, 0, 10 + i, key)
    items = await inline_at(client, uri, 0, 10 + len(word))
    assert [item.insert_text for item in items] == [shown[len(word) :]]
    assert (await stats(client))["last_completion"] == "cache"


async def test_words_accepted_in_one_piece_refuse_the_next(client: LanguageClient) -> None:
    uri = "file:///notes/accepted.md"
    open_doc(client, uri, "Shout if I")
    shown = (await inline_at(client, uri, 0, 10))[0].insert_text
    word = shown[: shown.index(" ", 1) + 1]
    insert(client, uri, 2, 0, 10, word)  # the first word accepted, the rest was wrong
    items = await inline_at(client, uri, 0, 10 + len(word))
    refused = shown[len(word) :].split()[0]
    assert not any(item.insert_text.startswith(refused) for item in items)


async def test_completion_fallback_labels_the_first_words(client: LanguageClient) -> None:
    uri = "file:///notes/fallback.md"
    open_doc(client, uri, "Shout if I")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=10),
        )
    )
    assert isinstance(result, types.CompletionList) and len(result.items) == 1
    item = result.items[0]
    assert item.label.startswith("missed anything.")
    # The word at the cursor ("I") is replaced by itself plus the whole continuation.
    assert item.text_edit.new_text.startswith("I" + PHRASE)
    assert item.text_edit.range.start == types.Position(line=0, character=9)
    assert item.text_edit.range.end == types.Position(line=0, character=10)


async def test_non_prose_documents_get_no_completion(client: LanguageClient) -> None:
    uri = "file:///src/main.py"
    open_doc(client, uri, "Shout if I", language="python")
    result = await client.text_document_inline_completion_async(
        types.InlineCompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=10),
            context=types.InlineCompletionContext(
                trigger_kind=types.InlineCompletionTriggerKind.Invoked
            ),
        )
    )
    assert result is None


async def test_model_completion_for_text_not_in_the_memory(client: LanguageClient) -> None:
    uri = "file:///notes/model.md"
    open_doc(client, uri, MODEL_PREFIX)
    items = await inline_at(client, uri, 0, len(MODEL_PREFIX))
    assert (await stats(client))["last_completion"] in ("model", "none")
    assert all(item.insert_text.strip() for item in items)


async def test_a_newer_request_supersedes_the_running_one(client: LanguageClient) -> None:
    uri = "file:///notes/supersede.md"
    text = MODEL_PREFIX + " the roof"
    open_doc(client, uri, text)
    first = asyncio.ensure_future(inline_at(client, uri, 0, len(text) - 5))
    second = asyncio.ensure_future(inline_at(client, uri, 0, len(text)))
    assert await first == []
    await second
    assert (await stats(client))["last_completion"] != "superseded"


async def test_cancel_request_answers_request_cancelled(client: LanguageClient) -> None:
    uri = "file:///notes/cancel.md"
    text = MODEL_PREFIX + " the windows"
    open_doc(client, uri, text)
    params = types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=0, character=len(text)),
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )
    future = client.protocol.send_request(
        types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id="cancel-me"
    )
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="cancel-me"))
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wrap_future(future)
    assert error.value.code == -32800  # RequestCancelled
    assert await inline_at(client, uri, 0, 5) is not None  # still serving


async def test_an_answer_for_a_stale_version_is_dropped(client: LanguageClient) -> None:
    uri = "file:///notes/stale.md"
    text = MODEL_PREFIX + " the doors"
    open_doc(client, uri, text)
    pending = asyncio.ensure_future(inline_at(client, uri, 0, len(text)))
    await asyncio.sleep(0.01)
    insert(client, uri, 2, 0, len(text), "!")
    assert await pending == []
    assert (await stats(client))["last_completion"] in ("stale", "superseded")


async def test_utf16_positions_after_emoji_and_cjk(client: LanguageClient) -> None:
    uri = "file:///notes/unicode.md"
    line = "😀 漢字 Shout if I later words"
    open_doc(client, uri, line)
    cursor = len("😀 漢字 Shout if I".encode("utf-16-le")) // 2  # 2 units for the emoji
    items = await inline_at(client, uri, 0, cursor)
    assert items[0].insert_text.startswith(PHRASE)
    assert items[0].range.start.character == cursor
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=cursor),
        )
    )
    assert result.items[0].text_edit.range.start.character == cursor - 1


async def test_malformed_params_get_invalid_params_and_the_server_keeps_serving(
    client: LanguageClient,
) -> None:
    bad = {"textDocument": {"uri": "file:///notes/inline.md"}, "position": {"line": "x"}}
    # The client would refuse to send these params: write the message as it is.
    answer: Future = Future()
    client.protocol._request_futures["bad-params"] = answer
    client.protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": "bad-params",
            "method": "textDocument/inlineCompletion",
            "params": bad,
        }
    )
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(asyncio.wrap_future(answer), 10)
    assert error.value.code == -32602  # InvalidParams
    uri = "file:///notes/after-bad.md"
    open_doc(client, uri, "Shout if I")
    assert (await inline_at(client, uri, 0, 10))[0].insert_text.startswith(PHRASE)


async def test_position_past_the_end_is_clamped(client: LanguageClient) -> None:
    uri = "file:///notes/clamp.md"
    open_doc(client, uri, "Shout if I")
    items = await inline_at(client, uri, 7, 99)
    assert items[0].insert_text.startswith(PHRASE)
    assert items[0].range.start == types.Position(line=0, character=10)


async def test_an_applied_completion_item_is_tracked_without_its_command(
    client: LanguageClient,
) -> None:
    """As in Helix, which applies the item's edit and runs no command."""
    uri = "file:///notes/helix.md"
    open_doc(client, uri, "Shout if I")
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=10),
        )
    )
    edit = result.items[0].text_edit
    before = (await stats(client))["tracking"]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            ],
        )
    )
    assert (await stats(client))["tracking"] == before + 1


def applied(text: str, edit_range: types.Range, new_text: str) -> str:
    """``text`` (one line) with ``edit_range`` replaced by ``new_text``, as an editor applies it."""
    start, end = edit_range.start.character, edit_range.end.character
    return text[:start] + new_text + text[end:]


async def test_a_partial_word_is_finished_and_applied_once(client: LanguageClient) -> None:
    uri = "file:///notes/partial.md"
    text = "Shout if I mis"
    open_doc(client, uri, text)
    items = await inline_at(client, uri, 0, len(text))
    assert items[0].insert_text.startswith("sed anything.")
    assert applied(text, items[0].range, items[0].insert_text).startswith(
        "Shout if I missed anything."
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=len(text)),
        )
    )
    item = result.items[0]
    assert item.text_edit.range.start == types.Position(line=0, character=len("Shout if I "))
    assert item.filter_text.startswith("mis")  # the editor's own filtering keeps the item
    assert applied(text, item.text_edit.range, item.text_edit.new_text).startswith(
        "Shout if I missed anything."
    )


async def test_typing_through_a_midword_suggestion_is_served_from_the_cache(
    client: LanguageClient,
) -> None:
    uri = "file:///notes/midword-cache.md"
    open_doc(client, uri, "Shout if I m")
    shown = (await inline_at(client, uri, 0, 12))[0].insert_text
    assert shown.startswith("issed")
    insert(client, uri, 2, 0, 12, "i")
    items = await inline_at(client, uri, 0, 13)
    assert [item.insert_text for item in items] == [shown[1:]]
    assert (await stats(client))["last_completion"] == "cache"
