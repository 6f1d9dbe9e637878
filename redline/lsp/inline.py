"""Inline completion (LSP 3.18) and the completion-item fallback for editors without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from redline.errors import InputError
from redline.lsp.positions import Cursor, cursor_at, position_at, word_start

if TYPE_CHECKING:
    from redline.lsp.server import RedlineServer

ACCEPT_COMMAND = "redline.accept"
LABEL_WORDS = 4


async def _suggestion(
    server: RedlineServer, uri: str, position: types.Position
) -> tuple[Cursor, str] | None:
    try:
        document = server.prose_document(uri)
    except InputError:
        return None
    cursor = cursor_at(document, position)
    server.tracker.moved_to(uri, cursor.offset)
    suggestion = await server.suggester.suggest(cursor, server.options.max_tokens)
    if suggestion:
        server.tracker.offered(uri, cursor.offset, suggestion)
    return cursor, suggestion


def _accept_command(cursor: Cursor, suggestion: str) -> types.Command:
    return types.Command(
        title="redline: suggestion accepted",
        command=ACCEPT_COMMAND,
        arguments=[cursor.uri, cursor.offset, suggestion],
    )


async def inline_completion(
    server: RedlineServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList | None:
    """The continuation at the cursor as one inline item (ghost text)."""
    found = await _suggestion(server, params.text_document.uri, params.position)
    if found is None:
        return None
    cursor, suggestion = found
    if not suggestion:
        return types.InlineCompletionList(items=[])
    here = types.Range(start=cursor.position, end=cursor.position)
    item = types.InlineCompletionItem(
        insert_text=suggestion, range=here, command=_accept_command(cursor, suggestion)
    )
    return types.InlineCompletionList(items=[item])


def label_of(suggestion: str) -> str:
    """The first words of a suggestion, as a completion menu shows it."""
    words = suggestion.split()
    return " ".join(words[:LABEL_WORDS]) + (" …" if len(words) > LABEL_WORDS else "")


async def completion(
    server: RedlineServer, params: types.CompletionParams
) -> types.CompletionList | None:
    """One completion item: labelled with the first words, inserting the whole continuation.

    The item replaces the word being typed with that word and the
    continuation, so that editors filtering items by the typed word keep it.
    """
    found = await _suggestion(server, params.text_document.uri, params.position)
    if found is None:
        return None
    cursor, suggestion = found
    if not suggestion:
        return types.CompletionList(is_incomplete=True, items=[])
    document = server.prose_document(cursor.uri)
    start = cursor.offset - (len(cursor.prefix) - word_start(cursor.prefix))
    word = cursor.prefix[start:]
    replaced = types.Range(start=position_at(document, start), end=cursor.position)
    item = types.CompletionItem(
        label=label_of(suggestion),
        kind=types.CompletionItemKind.Text,
        detail="redline",
        documentation=word + suggestion,
        filter_text=word + suggestion,
        sort_text="0",
        text_edit=types.TextEdit(range=replaced, new_text=word + suggestion),
        command=_accept_command(cursor, suggestion),
    )
    return types.CompletionList(is_incomplete=True, items=[item])
