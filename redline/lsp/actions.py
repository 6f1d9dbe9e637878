"""Code actions on a selection: rewrite it with the user's preferences, summarize it, continue it.

The action carries a command; running it drafts the text (``Assistant.draft``)
with ``$/progress`` shown meanwhile, then applies a workspace edit: a rewrite
replaces the selection, a summary or continuation follows it. The result is
tracked, so the user's later edits of it teach the Assistant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from redline.errors import InputError
from redline.lsp.positions import offset_at, position_at

if TYPE_CHECKING:
    from redline.lsp.server import RedlineServer


@dataclass(frozen=True)
class Action:
    title: str
    command: str
    task: str  # the Assistant.draft task
    replaces: bool  # True: the result replaces the selection; False: it follows it


ACTIONS = (
    Action("Rewrite with my preferences", "redline.rewrite", "rewrite", replaces=True),
    Action("Summarize", "redline.summarize", "summarize", replaces=False),
    Action("Continue this paragraph", "redline.continue", "continue", replaces=False),
)


def code_actions(server: RedlineServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """The three actions, offered on a non-empty selection in an open prose document."""
    try:
        document = server.prose_document(params.text_document.uri)
    except InputError:
        return []
    if params.range.start == params.range.end:
        return []
    arguments = [document.uri, _plain(params.range)]
    return [
        types.CodeAction(
            title=action.title,
            kind=types.CodeActionKind.RefactorRewrite,
            command=types.Command(title=action.title, command=action.command, arguments=arguments),
        )
        for action in ACTIONS
    ]


def _plain(selection: types.Range) -> dict[str, Any]:
    start, end = selection.start, selection.end
    return {
        "start": {"line": start.line, "character": start.character},
        "end": {"line": end.line, "character": end.character},
    }


async def run_action(
    server: RedlineServer, action: Action, uri: str, selection: types.Range
) -> dict[str, Any]:
    """Draft the selected text, apply the edit, and track what was inserted."""
    document = server.prose_document(uri)
    start, end = offset_at(document, selection.start), offset_at(document, selection.end)
    source = document.source[start:end]
    if not source.strip():
        raise InputError("select some text first", "the action works on the selection")
    async with server.progress(f"redline: {action.title.lower()}"):
        draft = await server.engine.request(_draft, source, action.task)
    text = draft.text
    if action.replaces:
        target = types.Range(start=position_at(document, start), end=position_at(document, end))
        offset = start
    else:
        separator = "\n\n" if action.task == "summarize" else ("" if source[-1:].isspace() else " ")
        text = separator + text
        target = types.Range(start=position_at(document, end), end=position_at(document, end))
        offset = end
    edit = types.WorkspaceEdit(changes={uri: [types.TextEdit(range=target, new_text=text)]})
    result = await server.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit))
    if result is not None and result.applied:
        server.tracker.expect(uri, offset, draft.text, action.task, draft)
    return {"text": draft.text, "applied": bool(result and result.applied)}


def _draft(assistant: Any, source: str, task: str) -> Any:
    return assistant.draft(source, task=task)
